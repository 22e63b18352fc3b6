#!/usr/bin/env bash
# Runtime end-to-end check, against the real @nestjs/core, @nestjs/testing and jest pinned in
# e2e/runtime/package-lock.json. For every fixture that holds *.spec.ts files (those listed in
# e2e/runtime/excluded.txt aside), on a copy:
#   1. run its specs with jest (a failure here is allowed: a half-done migration breaks specs);
#   2. `cronlock fix --allow-dirty`;
#   3. run its specs again: every suite and test must pass;
#   4. boot each application (boot/boot.e2e.ts) with CLUSTER_MODE=true and call every
#      lock-decorated method once on every instance: none may throw.
# The lock packages the fixtures import run as lock/index.ts (in memory; in cluster mode the
# decorators throw when `this.lockService` is missing); typeorm, @nestjs/typeorm and
# @nestjs/config as the stand-ins in stubs/. A line `NAME REASON` in excluded.txt skips a
# fixture; `NAME --no-boot REASON` runs its specs but does not boot it.
# `run.sh NAME...` checks only those fixtures. (jest runs from this directory: started elsewhere,
# jest 30 looks for a config file upward from the working directory despite -c.)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
bin=${CRONLOCK_BIN:-$root/target/release/cronlock}
if [ ! -x "$bin" ]; then (cd "$root" && cargo build --release --locked -q); fi
if [ ! -x "$here/node_modules/.bin/jest" ]; then (cd "$here" && npm ci --no-audit --no-fund --silent); fi
jest="$here/node_modules/.bin/jest"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
unset CLUSTER_MODE
export CRONLOCK_RT_CACHE="$work/jest-cache"

failed=0; checked=0; skipped=0

# counts JSON: "suites P passed F failed, tests P passed F failed" from jest's --json output.
counts() {
  node -e '
    const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
    console.log(`suites ${r.numPassedTestSuites} passed ${r.numFailedTestSuites} failed, tests ${r.numPassedTests} passed ${r.numFailedTests} failed`);
  ' "$1"
}

# run_specs COPY LABEL: jest on the copy's specs; leaves $work/LABEL.json and .log; status = jest's.
run_specs() {
  local copy=$1 label=$2
  (cd "$here" && CRONLOCK_RT_MODE=specs CRONLOCK_RT_DIR=$copy \
    "$jest" -c "$here/jest.config.js" --runInBand --ci --json --outputFile="$work/$label.json" \
    > "$work/$label.log" 2>&1)
}

check_fixture() {
  local name=$1 boot=$2 copy="$work/$1" status=ok before after apps=0 calls=0
  cp -r "$root/fixtures/$name" "$copy"
  run_specs "$copy" "$name.before" || true
  if [ ! -s "$work/$name.before.json" ]; then
    echo "runtime e2e: $name: jest did not run before the fix:"; sed 's/^/  /' "$work/$name.before.log" | tail -20
    failed=$((failed + 1)); return
  fi
  before=$(counts "$work/$name.before.json")
  # shellcheck disable=SC2046
  (cd "$copy" && "$bin" fix --allow-dirty $(cat "$root/fixtures/$name/fixture-args" "$root/fixtures/$name/fixture-fix-args" 2>/dev/null || true) . \
    > "$work/$name.fix.log" 2>&1) || true
  if run_specs "$copy" "$name.after"; then
    after=$(counts "$work/$name.after.json")
  else
    status=FAILED
    after=$( [ -s "$work/$name.after.json" ] && counts "$work/$name.after.json" || echo "jest did not run")
    echo "runtime e2e: $name: specs fail after cronlock fix:"; sed 's/^/  /' "$work/$name.after.log" | tail -40
  fi
  local booted="not booted (--no-boot in excluded.txt)"
  if [ "$boot" = boot ]; then
    if ! (cd "$here" && CRONLOCK_RT_MODE=boot CRONLOCK_RT_DIR=$copy CRONLOCK_RT_OUT="$work/$name.boot.json" \
      "$jest" -c "$here/jest.config.js" --runInBand --ci > "$work/$name.boot.log" 2>&1); then
      status=FAILED
      echo "runtime e2e: $name: cluster-mode boot failed:"
      if [ -s "$work/$name.boot.json" ]; then sed 's/^/  /' "$work/$name.boot.json"; else sed 's/^/  /' "$work/$name.boot.log" | tail -40; fi
    fi
    if [ -s "$work/$name.boot.json" ]; then
      read -r apps calls < <(node -e '
        const r = JSON.parse(require("fs").readFileSync(process.argv[1], "utf8"));
        console.log(r.apps.filter((a) => a.booted).length, r.apps.reduce((n, a) => n + a.called.length, 0));
      ' "$work/$name.boot.json")
    fi
    booted="$apps apps booted, $calls lock methods called"
  fi
  [ "$status" = ok ] || failed=$((failed + 1))
  echo "$name: before fix: $before; after fix: $after; $booted [$status]"
}

if [ $# -gt 0 ]; then names=("$@"); else
  names=()
  for dir in "$root"/fixtures/*/; do
    [ -n "$(find "$dir" -name '*.spec.ts' -not -path '*/node_modules/*' -print -quit)" ] && names+=("$(basename "$dir")")
  done
fi
for name in "${names[@]}"; do
  line=$(grep -E "^$name( |$)" "$here/excluded.txt" 2>/dev/null || true)
  if [ -n "$line" ] && [ "$(echo "$line" | awk '{print $2}')" != "--no-boot" ]; then
    skipped=$((skipped + 1)); echo "$name: excluded: ${line#"$name"}"; continue
  fi
  checked=$((checked + 1))
  if [ -n "$line" ]; then check_fixture "$name" "${line#"$name --no-boot "}"; else check_fixture "$name" boot; fi
done
echo "runtime e2e: $checked fixtures checked, $failed failed, $skipped excluded"
[ "$failed" -eq 0 ]
