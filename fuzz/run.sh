#!/usr/bin/env bash
# Fuzzes for N minutes (default 30): bash fuzz/run.sh [MINUTES] [TARGET]
# TARGET: check_fix (default: check and fix never panic, fixes verify) or
# same_answer (default mode and --no-prefilter agree on adversarial trees).
# Runs on past a crash (-fork=1 -ignore_crashes=1); each find lands in
# fuzz/artifacts/check_fix/ and belongs in tests/regressions once fixed.
# Needs cargo-fuzz (cargo install cargo-fuzz). The stable toolchain is used
# with RUSTC_BOOTSTRAP=1, since sanitizer flags are nightly-only. Built with -O
# (release, no debug assertions): swc's internal debug assertions fire on some
# garbage input, and libFuzzer aborts on any panic even when cronlock catches it
# (it does: see tests/regressions).
set -euo pipefail
cd "$(dirname "$0")"
minutes=${1:-30}
target=${2:-check_fix}
mkdir -p "corpus/$target"
if [ "$target" = check_fix ]; then
  find ../fixtures -name '*.ts' -size -64k -exec cp {} corpus/check_fix/ \; 2>/dev/null || true
fi
export RUSTC_BOOTSTRAP=1
cargo fuzz run -O "$target" "corpus/$target" -- -max_total_time=$((minutes * 60)) -max_len=16384 -timeout=20 -rss_limit_mb=4096 -print_final_stats=1 -fork=1 -ignore_crashes=1 -ignore_timeouts=1 -ignore_ooms=1
