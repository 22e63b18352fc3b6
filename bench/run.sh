#!/usr/bin/env bash
# Benchmarks cronlock against the read floor (every scanned byte read on all
# cores, nothing else), the read+parse floor and the jscodeshift peer
# (../shared/peers/jscodeshift-lock.js) on generated monorepos, writes
# bench/RESULTS.md and plots bench/scale.svg (bench/plot.py).
#
#   bash bench/run.sh                 # 1k, 10k, 50k and 200k files
#   SIZES="1000 10000" bash bench/run.sh
#   RUNS=5 JSCODESHIFT_MAX=10000 BIG_RUNS=1 bash bench/run.sh
#
# Wall time is the median of RUNS runs (jscodeshift: one run, it is slow;
# trees over 50k files: BIG_RUNS runs), to the millisecond (bench/timeit.py);
# peak RSS is the largest of those runs (/usr/bin/time -f %M). The headline
# is check / read-floor at 10k files.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(dirname "$here")
sizes=${SIZES:-"1000 10000 50000 200000"}
runs=${RUNS:-5}
jscodeshift_max=${JSCODESHIFT_MAX:-50000}
big_runs=${BIG_RUNS:-1}
peer="$root/../shared/peers/jscodeshift-lock.js"
work="$here/work"
mkdir -p "$work"

(cd "$root" && cargo build --release --locked -q && cargo build --release --locked -q --examples)
bin="$root/target/release/cronlock"
floor="$root/target/release/examples/floor"
gen="$root/target/release/examples/gen_monorepo"
if [ "$jscodeshift_max" -gt 0 ] && [ ! -x "$here/node_modules/.bin/jscodeshift" ]; then (cd "$here" && npm ci --no-audit --no-fund --silent); fi
jscodeshift="$here/node_modules/.bin/jscodeshift"

results="$work/results.tsv"
: > "$results"

# measure NAME N COMMAND... : runs the command $runs times, records median wall and max RSS.
measure() {
  local name=$1 n=$2; shift 2
  local times=() rss=0 count=$runs
  [ "$n" -gt 50000 ] && count=$big_runs
  for _ in $(seq "$count"); do
    read -r t m < <(python3 "$here/timeit.py" "$@")
    times+=("$t"); [ "$m" -gt "$rss" ] && rss=$m
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '%s\t%s\t%s\t%s\n' "$n" "$name" "$median" "$rss" >> "$results"
  echo "  $name: ${median}s, ${rss} KB"
}

# fix_on_copy N TOOL : copies the tree fresh before each run, times only the tool.
fix_runs() {
  local name=$1 n=$2 count=$3; shift 3
  local times=() rss=0 changed=0
  for _ in $(seq "$count"); do
    rm -rf "$work/copy" && cp -r "$work/tree-$n" "$work/copy"
    read -r t m < <(python3 "$here/timeit.py" --out "$work/out.txt" "$@" "$work/copy")
    times+=("$t"); [ "$m" -gt "$rss" ] && rss=$m
    changed=$( (diff -rq "$work/tree-$n" "$work/copy" || true) | wc -l)
  done
  local median
  median=$(printf '%s\n' "${times[@]}" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}')
  printf '%s\t%s\t%s\t%s\t%s\n' "$n" "$name" "$median" "$rss" "$changed" >> "$results"
  echo "  $name: ${median}s, ${rss} KB, $changed files changed"
}

for n in $sizes; do
  if [ ! -d "$work/tree-$n" ]; then "$gen" "$work/tree-$n" "$n"; fi
  echo "== $n files"
  fix_count=$runs
  [ "$n" -gt 50000 ] && fix_count=$big_runs
  # Warm the page cache once so that every command reads from memory.
  "$floor" --read-only "$work/tree-$n" > /dev/null
  measure read-floor "$n" "$floor" --read-only "$work/tree-$n"
  measure parse-floor "$n" "$floor" --prefiltered "$work/tree-$n"
  measure floor "$n" "$floor" "$work/tree-$n"
  measure check "$n" "$bin" check --quiet "$work/tree-$n"
  measure fix-dry-run "$n" "$bin" fix --dry-run "$work/tree-$n"
  fix_runs fix "$n" "$fix_count" "$bin" fix --quiet
  if [ "$n" -le "$jscodeshift_max" ]; then
    fix_runs jscodeshift "$n" 1 "$jscodeshift" -t "$peer" --extensions=ts --parser=ts \
      --ignore-pattern='**/node_modules/**' --ignore-pattern='**/dist/**' --silent
  fi
done
rm -rf "$work/copy"

python3 - "$results" "$here/RESULTS.md" "$(nproc)" "$runs" "$big_runs" <<'PY'
import sys, collections, platform, subprocess
rows = [l.rstrip('\n').split('\t') for l in open(sys.argv[1]) if l.strip()]
out, cores, runs, big_runs = sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5]
by = collections.defaultdict(dict)
for r in rows:
    by[int(r[0])][r[1]] = {'t': float(r[2]), 'rss': int(r[3]), 'changed': r[4] if len(r) > 4 else ''}
cpu = subprocess.run(['sh', '-c', "grep -m1 'model name' /proc/cpuinfo | cut -d: -f2"], capture_output=True, text=True).stdout.strip()
lines = ['# Benchmark results', '',
         f'One run of `bash bench/run.sh` on this machine: {cores} cores ({cpu}), {platform.system()}.',
         f'Trees from `examples/gen_monorepo` (seed 42); wall time (to the millisecond) is the median of {runs} runs ({big_runs} above 50k files;',
         'jscodeshift: 1 run); peak RSS is the largest of those runs. "read-floor" is `examples/floor --read-only`:',
         'walking the tree and reading every scanned byte on all cores, nothing else (the physical limit);',
         '"parse-floor" (`--prefiltered`) reads every byte and parses in full, with swc, only the files cronlock\'s prefilter',
         'keeps (those naming a lock or schedule name), with no model and no rules;',
         '"floor" parses every file with swc. "vs read floor" is wall time divided by the read floor;',
         '"vs jscodeshift" is how many times faster than jscodeshift doing the same fix. Plot: [scale.svg](scale.svg).', '']
if 'check' in by.get(10000, {}) and 'read-floor' in by.get(10000, {}):
    c, f = by[10000]['check']['t'], by[10000]['read-floor']['t']
    lines += [f'**check / read floor at 10,000 files: {c:.3f} s / {f:.3f} s = {c / f:.2f}** (target <= 3.00)', '']
    if 'parse-floor' in by[10000]:
        p = by[10000]['parse-floor']['t']
        lines += [f'parse floor / read floor at 10,000 files: {p:.3f} s / {f:.3f} s = {p / f:.2f}; '
                  f'check / parse floor: {c / p:.2f}', '']
if 50000 in by:
    def mb(name):
        r = by[50000].get(name)
        return f"{r['rss'] * 1024 / 1e6:.1f} MB ({r['rss'] / 1024:.1f} MiB)" if r else '-'
    lines += [f"**peak RSS at 50,000 files: check {mb('check')}, fix --dry-run {mb('fix-dry-run')}** (target < 100 MB)", '']
lines += ['| files | command | wall (s) | files/s | vs read floor | vs jscodeshift | peak RSS (MiB) | files changed |',
          '|---:|---|---:|---:|---:|---:|---:|---:|']
for n in sorted(by):
    floor = by[n].get('read-floor', {}).get('t')
    js = by[n].get('jscodeshift', {}).get('t')
    for name in ['read-floor', 'parse-floor', 'floor', 'check', 'fix-dry-run', 'fix', 'jscodeshift']:
        if name not in by[n]: continue
        r = by[n][name]; t = r['t']
        fps = f"{n / t:,.0f}" if t > 0 else '-'
        vf = f"{t / floor:.2f}x" if floor else '-'
        vj = f"{js / t:.0f}x" if js and name.startswith('fix') and t > 0 else '-'
        lines.append(f"| {n:,} | {name} | {t:.3f} | {fps} | {vf} | {vj} | {r['rss'] / 1024:.0f} | {r['changed']} |")
lines.append('')
sizes = sorted(by)
for name in ['read-floor', 'parse-floor', 'check', 'fix-dry-run', 'fix']:
    pts = [(n, by[n][name]['t']) for n in sizes if name in by[n] and n >= 10000]
    if len(pts) >= 2 and pts[0][1] > 0:
        (n0, t0), (n1, t1) = pts[0], pts[-1]
        lines.append(f"- `{name}` {n1 // 1000}k/{n0 // 1000}k time ratio: {t1 / t0:.2f} (linear would be {n1 / n0:.2f})")
open(out, 'w').write('\n'.join(lines) + '\n')
print(open(out).read())
PY
python3 "$here/plot.py" "$results" "$here/scale.svg"
