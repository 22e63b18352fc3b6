#!/usr/bin/env bash
# Proves cronlock's fixes with the TypeScript compiler: copies every fixture,
# runs `cronlock fix` on the copy, then type-checks the result with the pinned
# tsc (--noEmit --experimentalDecorators --emitDecoratorMetadata) against the
# ambient stubs in e2e/stubs. Fixtures meant to stay broken are listed in
# e2e/excluded.txt with the reason.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${CRONLOCK_BIN:-$root/target/release/cronlock}
if [ ! -x "$bin" ]; then (cd "$root" && cargo build --release --locked -q); fi
if [ ! -x "$here/node_modules/.bin/tsc" ]; then (cd "$here" && npm ci --no-audit --no-fund --silent); fi
tsc="$here/node_modules/.bin/tsc"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0; failed=0; skipped=0

# check_fixture NAME LABEL ARGS...: copy, fix with ARGS, type-check.
check_fixture() {
  local name=$1 label=$2; shift 2
  local copy="$work/$label"
  cp -r "$root/fixtures/$name" "$copy"
  (cd "$copy" && "$bin" fix "$@" . > /dev/null 2>&1) || true
  node "$here/stub-imports.js" "$copy" "$copy/cronlock-e2e-stubs.d.ts"
  cat > "$copy/tsconfig.json" <<JSON
{
  "extends": "$here/tsconfig.base.json",
  "include": ["**/*.ts", "**/*.mts", "**/*.cts", "$here/stubs/*.d.ts"],
  "exclude": ["node_modules", "**/node_modules", "**/dist", "**/build", "**/coverage"]
}
JSON
  if (cd "$copy" && "$tsc" -p tsconfig.json > "$work/$label.log" 2>&1); then
    passed=$((passed + 1))
  else
    failed=$((failed + 1))
    echo "tsc failed on fixed fixture $label:"; sed 's/^/  /' "$work/$label.log" | head -20
  fi
}

for dir in "$root"/fixtures/*/; do
  name=$(basename "$dir")
  if grep -q "^$name\b" "$here/excluded.txt" 2>/dev/null; then
    skipped=$((skipped + 1)); continue
  fi
  # shellcheck disable=SC2046
  check_fixture "$name" "$name" $(cat "$dir/fixture-fix-args" 2>/dev/null || true)
done
# The bundled example once more, with its plain @Cron jobs migrated too.
check_fixture platform platform-migrate-cron --migrate-cron
echo "tsc e2e: $passed passed, $failed failed, $skipped excluded"
[ "$failed" -eq 0 ]
