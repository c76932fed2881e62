"""Where a registration's error comes from: every pair tessera tried, its measured offset and sigma
(the pair table of TileConfiguration.registered.report.txt) against the true offset (truth.tsv of
tessera-bench jittered), and the solved positions against the truth.

usage: /usr/bin/python3 bench/pair_errors.py [--all] KIND=DIR ...

For each set it sorts the pairs into
  (a) measured, right match: error statistics per direction and axis (a mean is a bias; the
      error over sigma says whether sigma is honest; split by the parity of the true offset, since
      the shift is found on tiles decoded at 1/2 scale),
  (b) wrong match accepted: used by the solve (measured, bridged or confirmed) and off by more than 1 px
      (and 3 sigma) on an axis it claims to locate,
  (c) true match rejected: not used, yet its measurement lies within 1 px of the truth,
  (d) the solve: how far the solution misses the truth on pairs whose measurement is right, and
      which tiles end up worst (after removing one common translation) and why.
and lists the pairs in (b) and (c) (--all: every pair).
"""
import argparse
import math
import os
import statistics

from truth import read_tessera, read_truth, tile_name

REPORT = "TileConfiguration.registered.report.txt"
USED = ("measured", "bridged", "confirmed")  # the outcomes the solve uses (the report's names)
RIDGE = 11.9  # PairJudgement: an axis with sigma at 1/4 of the 48-px search margin is not located


def read_pairs(directory):
    pairs = []
    with open(os.path.join(directory, REPORT)) as f:
        lines = f.read().splitlines()
    start = lines.index("first\tsecond\tdirection\tdx\tdy\tsigma_x\tsigma_y\tscore\toutcome") + 1
    for line in lines[start:]:
        if not line:
            continue
        first, second, direction, dx, dy, sx, sy, score, outcome = line.split("\t")
        sigma = lambda v: math.inf if v == "-" else float(v)
        pairs.append(dict(first=first, second=second, direction=direction, dx=float(dx), dy=float(dy),
                          sx=sigma(sx), sy=sigma(sy), score=float(score), outcome=outcome))
    return pairs


def by_name(cells):
    """The report names tiles by file: key a cell-keyed table the same way."""
    return None if cells is None else {tile_name(cell): value for cell, value in cells.items()}


def describe(values):
    if not values:
        return "-"
    mean = statistics.fmean(values)
    rms = math.sqrt(statistics.fmean(v * v for v in values))
    return f"mean {mean:+.3f} rms {rms:.3f} max|.| {max(abs(v) for v in values):.3f} (n {len(values)})"


def line(p):
    return (f"  {p['first']:>8} {p['second']:>8} {p['direction'][0]} true ({p['tx']:+7.1f},{p['ty']:+7.1f}) "
            f"err ({p['ex']:+7.2f},{p['ey']:+7.2f}) sigma ({p['sx']:.2f},{p['sy']:.2f}) score {p['score']:.3f} {p['outcome']}")


def diagnose(kind, directory, show_all=False):
    truth = by_name(read_truth(directory))
    pairs = read_pairs(directory)
    for p in pairs:
        a, b = truth[p["first"]], truth[p["second"]]
        p["tx"], p["ty"] = b[0] - a[0], b[1] - a[1]
        p["ex"], p["ey"] = p["dx"] - p["tx"], p["dy"] - p["ty"]
    print(f"\n== {kind}: {len(pairs)} pairs ({directory})")
    counts = {}
    for p in pairs:
        counts[p["outcome"]] = counts.get(p["outcome"], 0) + 1
    print("  outcomes: " + ", ".join(f"{k} {v}" for k, v in sorted(counts.items())))

    def located(p, axis):
        return p["s" + axis] < RIDGE

    def right(p):
        return all(abs(p["e" + axis]) <= 1 or not located(p, axis) for axis in "xy") and (located(p, "x") or located(p, "y"))

    used = [p for p in pairs if p["outcome"] in USED]
    good = [p for p in used if right(p)]
    wrong = [p for p in used if not right(p) and any(located(p, a) and abs(p["e" + a]) > max(1, 3 * p["s" + a]) for a in "xy")]
    rejected = [p for p in pairs if p["outcome"] not in USED and abs(p["ex"]) <= 1 and abs(p["ey"]) <= 1]
    print(f"  (a) used and right (within 1 px where located): {len(good)} of {len(used)} used")
    for direction in ("horizontal", "vertical"):
        for axis in "xy":
            values = [p["e" + axis] for p in good if p["direction"] == direction and located(p, axis)]
            z = [p["e" + axis] / max(p["s" + axis], 1e-3) for p in good if p["direction"] == direction and located(p, axis)]
            print(f"      {direction:10} {axis}: error {describe(values)}; error/sigma rms "
                  f"{math.sqrt(statistics.fmean(v * v for v in z)) if z else float('nan'):.2f}")
    for parity in (0, 1):
        values = [p["e" + a] for p in good for a in "xy" if located(p, a) and int(p["t" + a]) % 2 == parity]
        print(f"      true offset {'even' if parity == 0 else 'odd '}: error {describe(values)}")
    ridge = [p for p in used if not (located(p, "x") and located(p, "y"))]
    if ridge:
        print(f"      {len(ridge)} used pairs locate one axis only; along the other their error is "
              + describe([p["e" + a] for p in ridge for a in "xy" if not located(p, a)]))
    print(f"  (b) wrong match used: {len(wrong)}")
    for p in wrong:
        print(line(p))
    print(f"  (c) right match not used: {len(rejected)} of {len(pairs) - len(used)} not used")
    for p in rejected:
        print(line(p))

    positions = by_name(read_tessera(directory))
    if positions is None:
        print("  (d) no positions written")
    else:
        names = sorted(truth)
        raw = {n: (positions[n][0] - truth[n][0], positions[n][1] - truth[n][1]) for n in names}
        mx = statistics.median(v[0] for v in raw.values())
        my = statistics.median(v[1] for v in raw.values())
        errors = {n: (v[0] - mx, v[1] - my) for n, v in raw.items()}
        misses = []
        for p in good:
            sx = positions[p["second"]][0] - positions[p["first"]][0] - p["tx"]
            sy = positions[p["second"]][1] - positions[p["first"]][1] - p["ty"]
            misses.append(math.hypot(sx, sy))
        print(f"  (d) solution against the truth on the right pairs: {describe(misses)}")
        worst = sorted(names, key=lambda n: -math.hypot(*errors[n]))[:5]
        for n in worst:
            links = [p for p in pairs if n in (p["first"], p["second"])]
            kinds = ", ".join(f"{p['first'] if p['second'] == n else p['second']}:{p['outcome']}" for p in links)
            print(f"      tile {n:>8} off ({errors[n][0]:+7.2f},{errors[n][1]:+7.2f}); links {kinds}")
    if show_all:
        for p in pairs:
            print(line(p))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--all", action="store_true", help="list every pair")
    parser.add_argument("sets", nargs="+")
    args = parser.parse_args()
    for spec in args.sets:
        kind, directory = spec.split("=", 1)
        diagnose(kind, directory, args.all)


if __name__ == "__main__":
    main()
