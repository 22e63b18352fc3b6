#!/usr/bin/env python3
"""Runs a command once and prints its wall time in seconds (to the
millisecond: /usr/bin/time's %e has 10 ms steps, too coarse for a 0.08 s
floor) and its peak RSS in KB (from /usr/bin/time, which the command runs
under), as `SECONDS KB`. The command's output goes to /dev/null,
or to the file given by --out.

    python3 bench/timeit.py [--out FILE] COMMAND [ARGS...]
"""
import os
import subprocess
import sys
import time

args = sys.argv[1:]
out = subprocess.DEVNULL
if args[:1] == ['--out']:
    out = open(args[1], 'w')
    args = args[2:]
rss_file = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'work', 'rss.txt')
err = subprocess.STDOUT if out is not subprocess.DEVNULL else subprocess.DEVNULL
start = time.perf_counter()
subprocess.run(['/usr/bin/time', '-f', '%M', '-o', rss_file, *args], stdout=out, stderr=err, check=False)
wall = time.perf_counter() - start
with open(rss_file) as f:
    rss = f.read().split()[-1]
print(f"{wall:.4f} {rss}")
