#!/usr/bin/env bash
# Builds the VS Code extension from its lockfile, packages it with @vscode/vsce into a .vsix,
# lists the package and checks what must (and must not) be in it. VS Code itself cannot be
# downloaded here: the editor-level proof of the server is editors/nvim/test.sh.
set -euo pipefail
cd "$(dirname "$0")"
npm ci --no-audit --no-fund --silent
npx tsc -p .
# The status bar and the readiness report command, against stand-ins for the vscode API.
node test/readiness.js
rm -f cronlock.vsix
npx vsce package --skip-license -o cronlock.vsix >/dev/null
echo "== cronlock.vsix"
# A .vsix is a zip: listed with unzip, else python3 (whichever the machine has).
if command -v unzip >/dev/null; then
  contents=$(unzip -Z1 cronlock.vsix)
else
  contents=$(python3 -c 'import sys, zipfile; print("\n".join(zipfile.ZipFile(sys.argv[1]).namelist()))' cronlock.vsix)
fi
echo "$contents" | grep -v '^extension/node_modules/' 
echo "(+ $(echo "$contents" | grep -c '^extension/node_modules/') files of runtime dependencies under extension/node_modules/)"
for wanted in extension/package.json extension/out/extension.js \
  extension/node_modules/vscode-languageclient/package.json extension.vsixmanifest; do
  echo "$contents" | grep -qx "$wanted" || { echo "FAIL: $wanted is not in the package" >&2; exit 1; }
done
for unwanted in '^extension/src/' '^extension/test/' '^extension/node_modules/typescript/' '^extension/node_modules/@vscode/vsce'; do
  if echo "$contents" | grep -q "$unwanted"; then echo "FAIL: $unwanted is in the package" >&2; exit 1; fi
done
[ "$(node -p 'require("./package.json").main')" = "./out/extension.js" ] || { echo "FAIL: main is not out/extension.js" >&2; exit 1; }
echo "vscode extension: packaged"
