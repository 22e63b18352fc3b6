#!/usr/bin/env python3
"""Plots bench/run.sh's results (time and peak RSS against file count for
read-floor, parse-floor, check, fix --dry-run and fix) as one SVG, with no dependencies.

    python3 bench/plot.py bench/work/results.tsv bench/scale.svg

Both axes of each panel are linear, so linear growth is a straight line
through the origin; the dotted line is the 10k point scaled linearly.
"""
import sys

COMMANDS = [('read-floor', '#888888'), ('parse-floor', '#9467bd'), ('check', '#1f77b4'),
            ('fix-dry-run', '#2ca02c'), ('fix', '#d62728')]
W, H, M = 440, 300, 56


def load(path):
    data = {}
    for line in open(path):
        parts = line.rstrip('\n').split('\t')
        if len(parts) < 4:
            continue
        n, name, t, rss = int(parts[0]), parts[1], float(parts[2]), int(parts[3])
        data.setdefault(name, []).append((n, t, rss / 1024))
    for pts in data.values():
        pts.sort()
    return data


def nice_max(v):
    for step in [1, 2, 2.5, 5]:
        for exp in range(-2, 8):
            top = step * 10 ** exp
            if top >= v:
                yield top
                return
    yield v


def panel(x0, title, unit, data, pick):
    xs = [n for pts in data.values() for n, *_ in pts]
    ys = [pick(p) for name, _ in COMMANDS for p in data.get(name, [])]
    if not xs or not ys:
        return []
    xmax, ymax = max(xs), next(nice_max(max(ys) * 1.05))
    sx = lambda n: x0 + M + (W - M - 16) * n / xmax
    sy = lambda v: H - M + 16 - (H - M - 16) * v / ymax
    out = [f'<text x="{x0 + W / 2}" y="18" text-anchor="middle" font-size="14">{title}</text>']
    out.append(f'<line x1="{sx(0)}" y1="{sy(0)}" x2="{sx(xmax)}" y2="{sy(0)}" stroke="black"/>')
    out.append(f'<line x1="{sx(0)}" y1="{sy(0)}" x2="{sx(0)}" y2="{sy(ymax)}" stroke="black"/>')
    for i in range(5):
        v = ymax * i / 4
        out.append(f'<text x="{sx(0) - 6}" y="{sy(v) + 4}" text-anchor="end" font-size="10">{v:g}</text>')
        out.append(f'<line x1="{sx(0)}" y1="{sy(v)}" x2="{sx(xmax)}" y2="{sy(v)}" stroke="#eee"/>')
    for n in sorted(set(xs)):
        out.append(f'<text x="{sx(n)}" y="{sy(0) + 14}" text-anchor="middle" font-size="10">{n // 1000}k</text>')
    out.append(f'<text x="{x0 + W / 2}" y="{H - 8}" text-anchor="middle" font-size="11">files</text>')
    out.append(f'<text x="{x0 + 12}" y="{H / 2}" font-size="11" transform="rotate(-90 {x0 + 12} {H / 2})" text-anchor="middle">{unit}</text>')
    for name, color in COMMANDS:
        pts = data.get(name, [])
        if not pts:
            continue
        line = ' '.join(f'{sx(p[0]):.1f},{sy(pick(p)):.1f}' for p in pts)
        out.append(f'<polyline points="{line}" fill="none" stroke="{color}" stroke-width="2"/>')
        for p in pts:
            out.append(f'<circle cx="{sx(p[0]):.1f}" cy="{sy(pick(p)):.1f}" r="3" fill="{color}"/>')
        ref = [p for p in pts if p[0] == 10000]
        if ref and pick(ref[0]) > 0:
            slope = pick(ref[0]) / 10000
            out.append(f'<line x1="{sx(0)}" y1="{sy(0)}" x2="{sx(xmax)}" y2="{sy(min(slope * xmax, ymax))}" '
                       f'stroke="{color}" stroke-dasharray="2,3" stroke-width="1"/>')
    return out


def main():
    data = load(sys.argv[1])
    parts = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" font-family="sans-serif">' % (2 * W, H + 24),
             '<rect width="100%" height="100%" fill="white"/>']
    parts += panel(0, 'wall time', 'seconds', data, lambda p: p[1])
    parts += panel(W, 'peak RSS', 'MiB', data, lambda p: p[2])
    x = 60
    for name, color in COMMANDS:
        parts.append(f'<rect x="{x}" y="{H + 8}" width="12" height="4" fill="{color}"/>')
        parts.append(f'<text x="{x + 16}" y="{H + 14}" font-size="11">{name}</text>')
        x += 120
    parts.append(f'<text x="{x + 10}" y="{H + 14}" font-size="11">dotted: linear from 10k</text>')
    parts.append('</svg>')
    open(sys.argv[2], 'w').write('\n'.join(parts) + '\n')


if __name__ == '__main__':
    main()
