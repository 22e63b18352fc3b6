#!/usr/bin/env bash
# `check` on real repositories against the full-parse floor (every file read
# and parsed with swc on all cores: examples/floor) and, with BASELINE=BIN,
# against another cronlock binary. Paired, interleaved runs (farm-bench
# --vs); prints one row per repository: files, check's median CPU and wall
# time, and the median ratios pair by pair.
#
#   bash bench/real.sh DIR...                     # check vs full parse
#   BASELINE=/tmp/cronlock-old bash bench/real.sh DIR...
#   READ_ONLY=1 bash bench/real.sh DIR...         # and vs the read-only floor
#   PREFILTERED=1 bash bench/real.sh DIR...       # and vs the prefiltered floor
#
# The read-only floor (`examples/floor --read-only`) walks the tree and reads
# every file on all cores, nothing else: what no scan can go below. The
# prefiltered floor (`examples/floor --prefiltered`) reads every file too, and
# parses in full only those cronlock's prefilter keeps: what `check` costs
# with no model, no rules and no second reads.
#
# The repositories are not part of this project: bring them with the search
# tool's `fetch` and `git archive HEAD | tar -x` (see bench/REAL.md for the snapshots and the last results).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
runs=${RUNS:-7}
(cd "$root" && cargo build --release --locked -q && cargo build --release --locked -q --examples)
bin="$root/target/release/cronlock"
floor="$root/target/release/examples/floor"

# median FIELD: the median column of a farm-bench line.
median() { awk -v f="$1" '$0 ~ f {print $(NF-1); exit}'; }

printf '| repository | .ts files | check cpu s | check wall s | check / full parse (cpu) | check / full parse (wall) |%s%s%s\n' \
  "${BASELINE:+ check / baseline (cpu) | check / baseline (wall) |}" "${READ_ONLY:+ check / read-only floor (cpu) | check / read-only floor (wall) |}" \
  "${PREFILTERED:+ files parsed by the prefiltered floor | check / prefiltered floor (cpu) | check / prefiltered floor (wall) |}"
printf '|---|---:|---:|---:|---:|---:|%s%s%s\n' "${BASELINE:+---:|---:|}" "${READ_ONLY:+---:|---:|}" "${PREFILTERED:+---:|---:|---:|}"
for dir in "$@"; do
  files=$(find "$dir" -type f \( -name '*.ts' -o -name '*.mts' -o -name '*.cts' \) ! -name '*.d.ts' \
    ! -path '*/node_modules/*' ! -path '*/dist/*' ! -path '*/build/*' ! -path '*/coverage/*' | wc -l)
  out=$(farm-bench -n "$runs" --vs "$floor $dir" -- "$bin" check -q "$dir" 2>&1)
  row="| $(basename "$dir") | $files | $(median 'A cpu s' <<<"$out") | $(median 'A wall s' <<<"$out") | $(median 'A/B cpu' <<<"$out") | $(median 'A/B wall' <<<"$out") |"
  if [ -n "${BASELINE:-}" ]; then
    vs=$(farm-bench -n "$runs" --vs "$BASELINE check -q $dir" -- "$bin" check -q "$dir" 2>&1)
    row="$row $(median 'A/B cpu' <<<"$vs") | $(median 'A/B wall' <<<"$vs") |"
  fi
  if [ -n "${READ_ONLY:-}" ]; then
    ro=$(farm-bench -n "$runs" --vs "$floor --read-only $dir" -- "$bin" check -q "$dir" 2>&1)
    row="$row $(median 'A/B cpu' <<<"$ro") | $(median 'A/B wall' <<<"$ro") |"
  fi
  if [ -n "${PREFILTERED:-}" ]; then
    parsed=$("$floor" --prefiltered "$dir" | awk '{print $5}')
    pf=$(farm-bench -n "$runs" --vs "$floor --prefiltered $dir" -- "$bin" check -q "$dir" 2>&1)
    row="$row $parsed | $(median 'A/B cpu' <<<"$pf") | $(median 'A/B wall' <<<"$pf") |"
  fi
  echo "$row"
done
