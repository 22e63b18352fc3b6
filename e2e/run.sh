#!/usr/bin/env bash
# Proves cronlock's fixes with the TypeScript compiler: copies every fixture,
# runs `cronlock fix` on the copy, then type-checks the result with the pinned
# tsc (--noEmit --experimentalDecorators --emitDecoratorMetadata) against the
# ambient stubs in e2e/stubs, under the fixture's own tsconfig (paths, baseUrl)
# and with its workspace packages linked. Fixtures meant to stay broken are
# listed in e2e/excluded.txt with the reason.
# `run.sh --typecheck DIR` type-checks DIR in place the same way, without fixing
# (it writes tsconfig.cronlock-e2e.json, cronlock-e2e-stubs.d.ts and node_modules
# links into DIR: use it on a scratch copy).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
bin=${CRONLOCK_BIN:-$root/target/release/cronlock}
if [ "${1:-}" != "--typecheck" ] && [ ! -x "$bin" ]; then (cd "$root" && cargo build --release --locked -q); fi
if [ ! -x "$here/node_modules/.bin/tsc" ]; then (cd "$here" && npm ci --no-audit --no-fund --silent); fi
tsc="$here/node_modules/.bin/tsc"
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

passed=0; failed=0; skipped=0

# link_workspaces COPY: node_modules/<name> at the copy's root -> every package.json folder
# inside it that has a "name" (the root one aside), so workspace imports resolve as pnpm/npm
# workspaces would resolve them.
link_workspaces() {
  local copy=$1 name dir
  while IFS=$'\t' read -r name dir; do
    [ -n "$name" ] || continue
    [ -e "$copy/node_modules/$name" ] && continue
    mkdir -p "$(dirname "$copy/node_modules/$name")"
    ln -s "$dir" "$copy/node_modules/$name"
  done < <(node -e '
    const fs = require("fs"), path = require("path");
    const root = path.resolve(process.argv[1]);
    const skip = ["node_modules", "dist", "build", "coverage", ".git"];
    (function walk(d) {
      for (const e of fs.readdirSync(d, { withFileTypes: true })) {
        if (skip.includes(e.name)) continue;
        const p = path.join(d, e.name);
        if (e.isDirectory()) walk(p);
        else if (e.name === "package.json" && d !== root) {
          let name; try { name = JSON.parse(fs.readFileSync(p, "utf8")).name; } catch (_) {}
          if (typeof name === "string" && name && !/[\t\n]/.test(name)) console.log(name + "\t" + d);
        }
      }
    })(root);' "$copy")
}

# typecheck_copy COPY LOG: stub the imports nobody describes, link workspace packages, write
# tsconfig.cronlock-e2e.json and run tsc on it. The generated config extends e2e's base and then
# the fixture's own root tsconfig.json (else tsconfig.base.json), so the fixture's paths, baseUrl
# and lint options (noUnusedLocals...) apply; the options the check itself needs are restated so
# that they win. noImplicitAny is off: the stubbed packages are `any`, so callbacks passed to them
# would report TS7006 that real typings would not; module/moduleResolution stay node16 because
# a fixture's `"module": "commonjs"` next to e2e's node16 resolution is an error (TS5110).
typecheck_copy() {
  local copy=$1 log=$2 extends="\"$here/tsconfig.base.json\""
  if [ -f "$copy/tsconfig.json" ]; then extends="$extends, \"./tsconfig.json\""
  elif [ -f "$copy/tsconfig.base.json" ]; then extends="$extends, \"./tsconfig.base.json\""
  fi
  node "$here/stub-imports.js" "$copy" "$copy/cronlock-e2e-stubs.d.ts"
  link_workspaces "$copy"
  cat > "$copy/tsconfig.cronlock-e2e.json" <<JSON
{
  "extends": [$extends],
  "compilerOptions": {
    "module": "node16",
    "moduleResolution": "node16",
    "experimentalDecorators": true,
    "emitDecoratorMetadata": true,
    "noEmit": true,
    "noImplicitAny": false,
    "incremental": false,
    "composite": false,
    "types": [],
    "lib": ["ES2021"]
  },
  "include": ["**/*.ts", "**/*.mts", "**/*.cts", "$here/stubs/*.d.ts"],
  "exclude": ["node_modules", "**/node_modules", "**/dist", "**/build", "**/coverage"]
}
JSON
  (cd "$copy" && "$tsc" -p tsconfig.cronlock-e2e.json > "$log" 2>&1)
}

# `run.sh --typecheck DIR`: type-check DIR as it is (no fix), as the fixtures are checked below.
if [ "${1:-}" = "--typecheck" ]; then
  [ -d "${2:-}" ] || { echo "usage: $0 --typecheck DIR" >&2; exit 2; }
  if typecheck_copy "$(cd "$2" && pwd)" "$work/typecheck.log"; then echo "tsc: ok"; exit 0; fi
  cat "$work/typecheck.log"; exit 1
fi

# check_fixture NAME LABEL ARGS...: copy, fix with ARGS, type-check.
check_fixture() {
  local name=$1 label=$2; shift 2
  local copy="$work/$label"
  cp -r "$root/fixtures/$name" "$copy"
  (cd "$copy" && "$bin" fix "$@" . > /dev/null 2>&1) || true
  if typecheck_copy "$copy" "$work/$label.log"; then
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
  check_fixture "$name" "$name" $(cat "$dir/fixture-args" "$dir/fixture-fix-args" 2>/dev/null || true)
done
# The bundled example once more, with its plain @Cron jobs migrated too.
check_fixture platform platform-migrate-cron --migrate-cron
echo "tsc e2e: $passed passed, $failed failed, $skipped excluded"
[ "$failed" -eq 0 ]
