#!/usr/bin/env bash
# CI's bounded fuzz run (issue 22): the `same_answer` target (default mode and
# --no-prefilter agree on adversarial trees, shared with the proptest in
# tests/differential.rs) for FUZZ_SECONDS (default 60) from an empty corpus.
# Installs cargo-fuzz when it is missing; the stable toolchain is used with
# RUSTC_BOOTSTRAP=1, as fuzz/run.sh does. A divergence fails the run and
# leaves its input in fuzz/artifacts/same_answer/.
set -euo pipefail
cd "$(dirname "$0")"
seconds=${FUZZ_SECONDS:-60}
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz --locked --quiet
export RUSTC_BOOTSTRAP=1
cargo fuzz build -O same_answer
corpus=$(mktemp -d)
trap 'rm -rf "$corpus"' EXIT
cargo fuzz run -O same_answer "$corpus" -- -max_total_time="$seconds" -max_len=4096 -timeout=60 \
  -rss_limit_mb=4096 -print_final_stats=1 2>&1 | tail -n 8
echo "fuzz same_answer: ${seconds} s, no divergence"
