#!/usr/bin/env bash
# The cronlock GitHub Action's work (action.yml runs it; action/test.sh tests it).
#
# Inputs come as environment variables:
#   INPUT_PATHS              paths to check, relative to INPUT_WORKING_DIRECTORY, separated by
#                            spaces or newlines, shell-style quotes allowed (default: .)
#   INPUT_VERSION            the cronlock npm version to run (default: the version the lockfile
#                            nearest INPUT_WORKING_DIRECTORY pins, else this action's own)
#   INPUT_SARIF              true: write SARIF for code scanning instead of annotations
#   INPUT_ARGS               more arguments for `cronlock check` (not --format), quoted as paths
#   INPUT_WORKING_DIRECTORY  where the project is, relative to the workspace (default: .)
#   CRONLOCK_BINARY          run this binary instead of installing the npm package
#   CRONLOCK_DEFER_EXIT      true: exit 0 and leave the failing to a later step (action.yml)
# and GITHUB_WORKSPACE, GITHUB_OUTPUT, GITHUB_STEP_SUMMARY, RUNNER_TEMP as GitHub sets them.
#
# cronlock runs from the workspace, with the paths prefixed by the working directory, so that
# annotations and SARIF name files relative to the repository root as GitHub expects.
# Outputs: version, version-source, exit-code, sarif-file. Exit status: cronlock's.
set -uo pipefail
action_dir=$(cd "$(dirname "$0")/.." && pwd)
workspace=${GITHUB_WORKSPACE:-$PWD}
output_file=${GITHUB_OUTPUT:-/dev/null}
summary_file=${GITHUB_STEP_SUMMARY:-/dev/null}
tmp=${RUNNER_TEMP:-${TMPDIR:-/tmp}}
wd=${INPUT_WORKING_DIRECTORY:-.}

output() { printf '%s=%s\n' "$1" "$2" >>"$output_file"; }
die() {
  echo "::error title=cronlock::$*"
  output exit-code 2
  exit 2
}

cd "$workspace" || die "no workspace directory $workspace"
[ -d "$wd" ] || die "working-directory '$wd' is not a directory"

# words NAME TEXT: split TEXT as a shell would (quotes, backslashes), never evaluating it.
words() {
  local -n into=$1
  into=()
  [ -n "${2//[[:space:]]/}" ] || return 0
  printf '%s' "$2" | xargs printf '%s\0' >"$tmp/cronlock-words" || die "cannot split into words: $2"
  mapfile -d '' into <"$tmp/cronlock-words"
  rm -f "$tmp/cronlock-words"
}

words paths "${INPUT_PATHS:-.}"
[ ${#paths[@]} -gt 0 ] || paths=(.)
words args "${INPUT_ARGS:-}"
if [ "$wd" != . ]; then
  for i in "${!paths[@]}"; do
    case ${paths[$i]} in
      /*) ;;
      .) paths[i]=${wd%/} ;;
      *) paths[i]=${wd%/}/${paths[$i]#./} ;;
    esac
  done
fi

# Which version: the input, else the caller's lockfile, else this action's own.
version=${INPUT_VERSION:-}
source=input
if [ -z "$version" ]; then
  IFS=$'\t' read -r version source < <(node "$action_dir/action/resolve-version.js" "$wd" "$workspace") || true
  source=${source#"$workspace"/}
fi
if [ -z "$version" ]; then
  version=$(node -p 'require(process.argv[1]).version' "$action_dir/npm/cronlock/package.json") ||
    die "cannot read the action's npm/cronlock/package.json"
  source=action
fi
output version "$version"
output version-source "$source"

if [ -n "${CRONLOCK_BINARY:-}" ]; then
  cronlock=$CRONLOCK_BINARY
  echo "cronlock: using CRONLOCK_BINARY=$cronlock ($("$cronlock" --version 2>&1))"
else
  prefix=$tmp/cronlock-npm-$version
  if [ ! -x "$prefix/node_modules/.bin/cronlock" ]; then
    echo "cronlock: installing cronlock@$version (from $source)"
    mkdir -p "$prefix" && printf '{"private":true}\n' >"$prefix/package.json"
    npm install --prefix "$prefix" --no-save --no-package-lock --no-audit --no-fund --loglevel=error \
      "cronlock@$version" || die "npm install cronlock@$version failed"
  fi
  cronlock=$prefix/node_modules/.bin/cronlock
fi

sarif_file=
if [ "${INPUT_SARIF:-false}" = true ]; then
  sarif_file=$tmp/cronlock.sarif
  "$cronlock" check --format sarif --color never "${args[@]}" -- "${paths[@]}" >"$sarif_file"
  rc=$?
  if [ -s "$sarif_file" ]; then output sarif-file "$sarif_file"; else sarif_file=; fi
else
  "$cronlock" check --format github --color never "${args[@]}" -- "${paths[@]}"
  rc=$?
fi
output exit-code "$rc"

# The readiness report, whatever the verdict.
"$cronlock" check --format markdown --color never "${args[@]}" -- "${paths[@]}" >>"$summary_file"
[ $? -ne 2 ] || echo "::warning title=cronlock::the readiness report ended with an error (exit 2)"

case $rc in
  0) echo "cronlock: no findings" ;;
  1) echo "cronlock: findings remain (exit 1); the readiness report is in the job summary" ;;
  *) echo "cronlock: error (exit $rc)" ;;
esac
[ "${CRONLOCK_DEFER_EXIT:-}" = true ] && exit 0
exit "$rc"
