#!/usr/bin/env bash
# Builds the npm packages the way a release does (for this machine's platform only), installs
# them offline into a fresh project and checks that the `cronlock` npm launcher behaves as the
# bare binary: same version, same output and exit codes, a clear message without the platform
# package, CRONLOCK_BINARY honoured, exit codes and signals passed through.
# Needs node and npm; Linux x64 (glibc), macOS or Linux arm64. Prints the tarballs and a rough
# launcher overhead at the end. Keeps its temporary directory with KEEP=1.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
cd "$root"

fail() { echo "npm/test.sh: FAIL: $*" >&2; exit 1; }
pass() { echo "ok - $*"; }

case "$(uname -s)-$(uname -m)" in
  Linux-x86_64) platform=linux-x64; ldd --version 2>&1 | grep -qi musl && platform=linux-x64-musl ;;
  Linux-aarch64) platform=linux-arm64 ;;
  Darwin-x86_64) platform=darwin-x64 ;;
  Darwin-arm64) platform=darwin-arm64 ;;
  *) echo "npm/test.sh: no npm package for $(uname -sm); skipped"; exit 0 ;;
esac

cargo_version=$(sed -n '/^\[package\]/,/^\[/s/^version *= *"\(.*\)"/\1/p' Cargo.toml)
committed=$(node -p 'require("./npm/cronlock/package.json").version')
[ "$committed" = "$cargo_version" ] ||
  fail "npm/cronlock/package.json says $committed, Cargo.toml $cargo_version: run node npm/scripts/generate-packages.mjs and commit"
cargo build --release --locked -q
bin=$root/target/release/cronlock
version=$(node npm/scripts/generate-packages.mjs --binary "$platform=$bin")
[ "$version" = "$cargo_version" ] || fail "generated version $version, Cargo.toml says $cargo_version"
[ "$("$bin" --version)" = "cronlock $version" ] || fail "binary says '$("$bin" --version)', npm version is $version"
node -e '
  const m = require("./npm/cronlock/package.json"), v = process.argv[1];
  const deps = Object.entries(m.optionalDependencies);
  if (m.version !== v || deps.length !== 6 || deps.some(([, d]) => d !== v)) process.exit(1);
  for (const [name] of deps) {
    const p = require(`./npm/${name.replace("@cronlock/", "")}/package.json`);
    if (p.name !== name || p.version !== v || !p.preferUnplugged || !p.os || !p.cpu) process.exit(1);
  }' "$version" || fail "manifests disagree with version $version"
pass "manifests at $version, the binary's --version says the same"

work=$(mktemp -d)
if [ "${KEEP:-}" = 1 ]; then echo "kept: $work"; else trap 'rm -rf "$work"' EXIT; fi
export npm_config_cache=$work/npm-cache npm_config_update_notifier=false npm_config_fund=false \
  npm_config_audit=false npm_config_loglevel=error

mkdir -p "$work/tarballs"
npm pack ./npm/cronlock "./npm/cli-$platform" --pack-destination "$work/tarballs" --json >"$work/pack.json"
main_tgz=$work/tarballs/cronlock-$version.tgz
plat_tgz=$work/tarballs/cronlock-cli-$platform-$version.tgz
[ -f "$main_tgz" ] && [ -f "$plat_tgz" ] || fail "npm pack wrote $(ls "$work/tarballs")"
grep -qx 'package/cronlock' <(tar -tzf "$plat_tgz") || fail "platform tarball lacks the binary"
grep -qx 'package/bin/cronlock' <(tar -tzf "$main_tgz") || fail "main tarball lacks the launcher"

# A fresh project, offline, with an empty cache: the five other platform packages cannot be
# fetched, and npm must skip them as the optional dependencies they are.
new_project() {
  rm -rf "$1" && mkdir -p "$1" && printf '{"name":"consumer","version":"1.0.0","private":true}\n' >"$1/package.json"
}
proj=$work/project
new_project "$proj"
mkdir -p "$proj/fixtures" && cp -r fixtures/platform "$proj/fixtures/"
(cd "$proj" && npm install --offline --no-audit --no-fund "$main_tgz" "$plat_tgz" >"$work/install.log" 2>&1) ||
  { cat "$work/install.log" >&2; fail "offline npm install of the two tarballs"; }
[ -x "$proj/node_modules/@cronlock/cli-$platform/cronlock" ] || fail "platform package not installed"
pass "npm install --offline of cronlock + @cronlock/cli-$platform (other optional packages skipped)"
cd "$proj"

out=$(npx --no -- cronlock --version) || fail "npx cronlock --version exited $?"
[ "$out" = "cronlock $version" ] || fail "npx cronlock --version: '$out'"
pass "npx cronlock --version: $out"

set +e
npx --no -- cronlock check fixtures/platform >"$work/npx.out" 2>"$work/npx.err"; npx_rc=$?
"$bin" check fixtures/platform >"$work/bare.out" 2>"$work/bare.err"; bare_rc=$?
set -e
[ "$npx_rc" = 1 ] && [ "$bare_rc" = 1 ] || fail "check fixtures/platform: npx exit $npx_rc, binary exit $bare_rc (want 1)"
cmp -s "$work/npx.out" "$work/bare.out" || fail "npx stdout differs from the binary's"
cmp -s "$work/npx.err" "$work/bare.err" || fail "npx stderr differs from the binary's"
tail -n 1 "$work/npx.out" | grep -q '^29 findings (27 fixable) in 28 files' || fail "unexpected summary: $(tail -n 1 "$work/npx.out")"
pass "npx cronlock check fixtures/platform: exit 1, stdout and stderr byte-identical to the binary's"

set +e
npx --no -- cronlock check fixtures/platform --format json >"$work/npx.json"; json_rc=$?
"$bin" check fixtures/platform --format json >"$work/bare.json"
npx --no -- cronlock check no/such/dir 2>"$work/missing.err" >/dev/null; missing_rc=$?
set -e
[ "$json_rc" = 1 ] && cmp -s "$work/npx.json" "$work/bare.json" || fail "--format json through npx"
[ "$missing_rc" = 2 ] || fail "missing path: exit $missing_rc (want 2)"
grep -q 'no/such/dir' "$work/missing.err" || fail "missing path not named: $(cat "$work/missing.err")"
pass "a missing path exits 2 through npx: $(head -n 1 "$work/missing.err")"

# CRONLOCK_BINARY: used as is, arguments passed verbatim, exit code passed through.
cat >"$work/fake" <<'EOF'
#!/bin/sh
for a in "$@"; do printf '<%s>\n' "$a"; done
[ "$1" = die ] && kill -TERM $$
exit 7
EOF
chmod +x "$work/fake"
set +e
out=$(CRONLOCK_BINARY=$work/fake npx --no -- cronlock check 'a b' '' "it's"); rc=$?
{ CRONLOCK_BINARY=$work/fake node node_modules/.bin/cronlock die >/dev/null; sig_rc=$?; } 2>/dev/null
set -e
[ "$rc" = 7 ] || fail "CRONLOCK_BINARY: exit $rc (want 7)"
[ "$out" = "$(printf '<check>\n<a b>\n<>\n<it'"'"'s>')" ] || fail "CRONLOCK_BINARY: arguments came through as: $out"
[ "$sig_rc" = 143 ] || fail "a binary killed by SIGTERM: launcher exit $sig_rc (want 143, killed by SIGTERM)"
pass "CRONLOCK_BINARY overrides the package; arguments, exit code (7) and signal (SIGTERM) pass through"

# Without the platform package: the message names it, the platform, and what to do.
check_missing_message() {
  local rc
  set +e; node node_modules/.bin/cronlock check . >/dev/null 2>"$work/nopkg.err"; rc=$?; set -e
  [ "$rc" = 2 ] || fail "$1: exit $rc (want 2)"
  for want in "@cronlock/cli-$platform" "$(node -p 'process.platform + " " + process.arch')" \
    "--omit=optional" "CRONLOCK_BINARY"; do
    grep -qF -- "$want" "$work/nopkg.err" || fail "$1: message lacks '$want': $(cat "$work/nopkg.err")"
  done
}
rm -rf "node_modules/@cronlock/cli-$platform"
check_missing_message "platform package removed"
pass "platform package removed: exit 2 and $(head -n 1 "$work/nopkg.err")"

# What --omit=optional does: the launcher alone, the same message.
new_project "$work/omit" && cd "$work/omit"
npm install --offline --omit=optional "$main_tgz" >"$work/install-omit.log" 2>&1 ||
  { cat "$work/install-omit.log" >&2; fail "npm install --omit=optional"; }
check_missing_message "--omit=optional"
pass "npm install --omit=optional: exit 2 and the same message"
cd "$proj"

echo "tarballs:"
node -e '
  for (const p of require(process.argv[1]))
    console.log(`  ${p.filename}  ${p.size} bytes packed, ${p.unpackedSize} unpacked, ${p.entryCount} files`);
' "$work/pack.json"

# A rough figure of what the launcher costs (median of 11 runs of --version, milliseconds).
median_ms() {
  local i t0 t1 times=()
  for i in $(seq 11); do
    t0=$(date +%s%N); "$@" >/dev/null; t1=$(date +%s%N)
    times+=($(((t1 - t0) / 1000000)))
  done
  printf '%s\n' "${times[@]}" | sort -n | sed -n 6p
}
npm install --offline "$plat_tgz" >/dev/null 2>&1
echo "cronlock --version, median of 11 runs: binary $(median_ms "$bin" --version) ms," \
  "node launcher $(median_ms node node_modules/.bin/cronlock --version) ms," \
  "npx $(median_ms npx --no -- cronlock --version) ms"
echo "npm/test.sh: all passed"
