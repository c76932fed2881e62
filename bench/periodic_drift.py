"""Why an exact periodic grid's error grows with the grid: each direction's pair errors against the
nominal step (mean, spread, and the mean over the distinct pairs of one repeat of the content), beside
the solved positions' drift per step.

usage: /usr/bin/python3 bench/periodic_drift.py POSITIONS [--period 30] [--step 720,540]

POSITIONS is what `tessera register` wrote for a grid of `tessera-bench periodic-grid` (tiles named
C_R.jpg, true positions the nominal grid); its report (POSITIONS with .report.txt) holds the pairs.
On such a grid pair (c, r) is the same picture as pair (c mod period, r mod period), so the mean of
a direction's distinct pair errors is repeated N/period times across the grid: a least-squares solve
puts it into every step, and the drift per step below should equal it. Independent errors of the same
spread (a real grid) would instead leave the drift near zero.
"""
import argparse
import math
import re
import statistics

HEADER = "first\tsecond\tdirection\tdx\tdy\tsigma_x\tsigma_y\tscore\toutcome"


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("positions")
    parser.add_argument("--period", type=int, default=30)
    parser.add_argument("--step", default="720,540")
    args = parser.parse_args()
    sx, sy = (float(v) for v in args.step.split(","))
    report = re.sub(r"\.txt$", "", args.positions) + ".report.txt"

    pos = {}
    for line in open(args.positions):
        m = re.match(r"(\d+)_(\d+)\.[A-Za-z]+; ; \(([-\d.eE]+), ([-\d.eE]+)\)", line)
        if m:
            pos[(int(m[1]), int(m[2]))] = (float(m[3]) - sx * int(m[1]), float(m[4]) - sy * int(m[2]))
    lines = open(report).read().splitlines()
    errors = {"horizontal": {}, "vertical": {}}
    every = {"horizontal": [], "vertical": []}
    for line in lines[lines.index(HEADER) + 1:]:
        if not line:
            continue
        first, second, direction, dx, dy, *_, outcome = line.split("\t")
        (c1, r1), (c2, r2) = (tuple(int(v) for v in re.match(r"(\d+)_(\d+)", n).groups()) for n in (first, second))
        e = (float(dx) - sx * (c2 - c1), float(dy) - sy * (r2 - r1))
        every[direction].append(e)
        errors[direction][(c1 % args.period, r1 % args.period)] = e

    print("direction   pairs  distinct  error x: mean, sd, mean of distinct  error y: mean, sd, mean of distinct  (px)")
    for direction in ("horizontal", "vertical"):
        es, ds = every[direction], list(errors[direction].values())
        if not es:
            continue
        cells = []
        for axis in (0, 1):
            v = [e[axis] for e in es]
            d = [e[axis] for e in ds]
            cells.append(f"{statistics.fmean(v):+.5f} {statistics.pstdev(v):.4f} {statistics.fmean(d):+.5f} (±{statistics.pstdev(d) / math.sqrt(len(d)):.5f})")
        print(f"{direction:<11} {len(es):>6} {len(ds):>8}  {cells[0]:<36} {cells[1]}")

    def slope(axis, by):
        pts = [(k[by], v[axis]) for k, v in pos.items()]
        ma = statistics.fmean(p[0] for p in pts)
        mv = statistics.fmean(p[1] for p in pts)
        return sum((a - ma) * (b - mv) for a, b in pts) / sum((a - ma) ** 2 for a, _ in pts)

    print(f"solved drift per step (px): x per column {slope(0, 0):+.6f}, x per row {slope(0, 1):+.6f}, "
          f"y per row {slope(1, 1):+.6f}, y per column {slope(1, 0):+.6f}")
    mx = statistics.fmean(v[0] for v in pos.values())
    my = statistics.fmean(v[1] for v in pos.values())
    d = sorted(math.hypot(v[0] - mx, v[1] - my) for v in pos.values())
    print(f"error against the nominal grid after one common translation: median {statistics.median(d):.4f}, max {d[-1]:.4f} px")


if __name__ == "__main__":
    main()
