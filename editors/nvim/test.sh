#!/usr/bin/env bash
# The editor-level proof of `cronlock lsp`: headless Neovim (Debian's 0.7)
# drives the server on copies of fixtures (see test.lua), then the files it
# wrote are compared with what `cronlock fix` writes on another copy.
set -euo pipefail
cd "$(dirname "$0")/../.."
bin="${CRONLOCK_BIN:-$PWD/target/debug/cronlock}"
[ -x "$bin" ] || cargo build --locked --quiet
command -v nvim >/dev/null || { echo "error: nvim is not installed (apt-get install -y neovim)" >&2; exit 2; }
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
fixture=super-call-missing-lock
cp -R "fixtures/$fixture" "$work/editor"
cp -R "fixtures/$fixture" "$work/cli"
cp -R fixtures/derived-no-constructor-relative "$work/base"
echo "== cronlock fix on another copy"
"$bin" fix --quiet --allow-dirty "$work/cli" 2>&1 || [ $? -eq 1 ]

echo "== neovim $(nvim --version | head -n1) drives cronlock lsp on $fixture"
CRONLOCK_BIN="$bin" FIX_ROOT="$work/editor" BASE_ROOT="$work/base" \
  timeout 120 nvim --headless --clean -u NONE -c "luafile editors/nvim/test.lua" </dev/null 2>&1 \
  | tee "$work/transcript"
grep -q '^neovim: ok$' "$work/transcript" || { echo "FAIL: the Neovim script did not finish" >&2; exit 1; }

echo "== every file of the tree Neovim wrote vs. the tree cronlock fix wrote"
status=0
while IFS= read -r relative; do
  if cmp -s "$work/editor/$relative" "$work/cli/$relative"; then
    echo "same: $relative"
  else
    echo "DIFFERENT: $relative"; diff -u "$work/cli/$relative" "$work/editor/$relative" || true
    status=1
  fi
done < <(cd "$work/cli" && find . -type f | sed 's|^\./||' | sort)
diff -r -q "$work/cli" "$work/editor" || status=1
[ "$(grep -c '^written: ' "$work/transcript")" -gt 1 ] || { echo "FAIL: expected a fix across files" >&2; exit 1; }
[ $status -eq 0 ] && echo "neovim test: passed"
exit $status
