"""How much a set's overlaps can say, pair by pair, with the truth known: for each neighbour pair
of a tessera-bench jittered set, the whitened correlation at the true shift, the best one anywhere
else in the search window, and what strips that do not overlap reach, for one or more filters.
It measures the content, not tessera: whether the true match can be told from chance at all.

usage: /usr/bin/python3 bench/pair_signal.py DIR [FILTER ...]
  FILTER  'engine' (the decode scale's whitening on main: a fine blur of two 5-px boxes minus a
          coarse one of two 13-px boxes, clipped to the strip) or FINE,COARSE[,clip] (a difference
          of Gaussians of those σ, decoded px; strips continued beyond their ends as their point
          reflection, as tessera's full-resolution whitening does, unless 'clip'). Default: engine.
Options: --overlap X,Y (default 64,56), --margin PX (48), --scale N (2: the decode scale tessera
picks for the 8x8 quality sets), --away PX (8, decoded: what counts as somewhere else), --local PX
(3: the box a search around a predicted shift would cover).

Per filter and direction it prints:
  truth      the score at the true shift (median, 10th percentile);
  away       the best score beyond --away of the truth (median, max); truth>away: the share of pairs
             whose true match is the best in the window (what a search of the whole window needs);
  null       the best in the window of strips that do not overlap (median, second highest of 40:
             tessera's significance bar) and one shift's noise (rms);
  pass       the share of pairs whose true score is above that bar, and of those whose best away is
             above it and above the truth (the wrong matches the bar would let through);
  local      the share of pairs whose true score beats the best that unrelated strips reach in a box
             of ±--local px (second highest of 40): what a search around a shift predicted by the
             neighbours could confirm.
Scores are normalised cross-correlations over the overlap each shift implies, scaled by the square
root of its size against the nominal overlap where smaller, as tessera scores them.
"""
import argparse
import os
import random
import statistics

import numpy as np
from PIL import Image
from scipy import ndimage

from truth import read_truth, tile_name

DARK_FLOOR = 16  # StripWhitening.DarkFloor


def load(directory, cell, scale):
    grey = np.asarray(Image.open(os.path.join(directory, tile_name(cell))).convert("L"), dtype=np.float64)
    h, w = (grey.shape[0] // scale) * scale, (grey.shape[1] // scale) * scale
    return grey[:h, :w].reshape(h // scale, scale, w // scale, scale).mean(axis=(1, 3))


def clipped_box(values, radius):
    """The mean over the part of a (2r+1)-box inside the strip, along both axes."""
    kernel = np.ones(2 * radius + 1)
    for axis in (0, 1):
        total = ndimage.convolve1d(values, kernel, axis=axis, mode="constant", cval=0)
        count = ndimage.convolve1d(np.ones_like(values), kernel, axis=axis, mode="constant", cval=0)
        values = total / count
    return values


def whiten(strip, spec):
    if spec == "engine":
        fine = clipped_box(clipped_box(strip, 2), 2)
        coarse = clipped_box(clipped_box(strip, 6), 6)
    else:
        parts = spec.split(",")
        s1, s2, clip = float(parts[0]), float(parts[1]), len(parts) > 2 and parts[2] == "clip"
        pad = int(4 * s2) + 1
        padded = strip if clip else np.pad(strip, pad, mode="reflect", reflect_type="odd")
        mode = "nearest" if clip else "reflect"
        fine = ndimage.gaussian_filter(padded, s1, mode=mode) if s1 > 0 else padded
        coarse = ndimage.gaussian_filter(padded, s2, mode=mode)
        if not clip:
            fine, coarse = fine[pad:-pad, pad:-pad], coarse[pad:-pad, pad:-pad]
    return (coarse.mean() + DARK_FLOOR) * (fine - coarse) / (coarse + DARK_FLOOR)


class Surface:
    """Scores of strip A against strip B, B(u, v) = A(u + tx, v + ty), over a search window."""

    def __init__(self, a, b, nominal, margin):
        self.a, self.b, self.nominal, self.margin = a, b, nominal, margin
        length, width = a.shape
        self.area = (width - nominal) * length

    def score(self, tx, ty):
        length, width = self.a.shape
        ax0, ax1, ay0, ay1 = max(0, tx), min(width, width + tx), max(0, ty), min(length, length + ty)
        if ax1 - ax0 < 3 or ay1 - ay0 < length // 2:
            return -2.0
        a = self.a[ay0:ay1, ax0:ax1]
        b = self.b[ay0 - ty:ay1 - ty, ax0 - tx:ax1 - tx]
        a, b = a - a.mean(), b - b.mean()
        ncc = float((a * b).sum() / np.sqrt((a * a).sum() * (b * b).sum() + 1e-12))
        return ncc * min(1.0, np.sqrt((ax1 - ax0) * (ay1 - ay0) / self.area))

    def shifts(self):
        for ty in range(-self.margin, self.margin + 1):
            for tx in range(self.nominal - self.margin, self.nominal + self.margin + 1):
                yield tx, ty

    def best(self, keep=lambda tx, ty: True):
        return max((self.score(tx, ty) for tx, ty in self.shifts() if keep(tx, ty)), default=-2.0)


def direction_pairs(truth, tiles, transposed):
    """(first, second, true shift of the strips) for every west (or, transposed, north) pair."""
    for (c, r), (x, y) in truth.items():
        second = (c, r + 1) if transposed else (c + 1, r)
        if second in truth and (c, r) in tiles and second in tiles:
            yield (c, r), second, (truth[second][1] - y, truth[second][0] - x) if transposed else (truth[second][0] - x, truth[second][1] - y)


def measure(directory, spec, args):
    truth = read_truth(directory)
    tiles = {cell: load(directory, cell, args.scale) for cell in truth}
    ox, oy = (int(v) for v in args.overlap.split(","))
    margin = max(1, -(-args.margin // args.scale))
    lines = []
    for name, transposed, overlap in (("horizontal", False, ox), ("vertical", True, oy)):
        grids = {cell: (t.T if transposed else t) for cell, t in tiles.items()}
        width = next(iter(grids.values())).shape[1]
        strip = min(width, overlap // args.scale + margin)
        nominal = strip - overlap // args.scale
        first = {cell: whiten(t[:, width - strip:], spec) for cell, t in grids.items()}
        second = {cell: whiten(t[:, :strip], spec) for cell, t in grids.items()}
        at_truth, away, truth_best = [], [], []
        for a, b, (dx, dy) in direction_pairs(truth, grids, transposed):
            tx, ty = dx / args.scale - (width - strip), dy / args.scale
            s = Surface(first[a], second[b], nominal, margin)
            near = [s.score(int(np.floor(tx)) + i, int(np.floor(ty)) + j) for i in (0, 1) for j in (0, 1)]
            at_truth.append(max(near))
            away.append(s.best(lambda x, y: max(abs(x - tx), abs(y - ty)) > args.away))
        cells = sorted(truth)
        rng = random.Random(18)
        unrelated = [(a, b) for a in cells for b in cells if max(abs(a[0] - b[0]), abs(a[1] - b[1])) > 1]
        null_best, null_local, noise = [], [], []
        for a, b in rng.sample(unrelated, 40):
            s = Surface(first[a], second[b], nominal, margin)
            null_best.append(s.best())
            cx, cy = nominal + rng.randint(-margin + args.local, margin - args.local), rng.randint(-margin + args.local, margin - args.local)
            null_local.append(s.best(lambda x, y: abs(x - cx) <= args.local and abs(y - cy) <= args.local))
            for _ in range(8):
                v = s.score(nominal + rng.randint(-margin, margin), rng.randint(-margin, margin))
                if v > -2:
                    noise.append(v)
        bar = sorted(null_best)[-2]
        local_bar = sorted(null_local)[-2]
        t, w = np.array(at_truth), np.array(away)
        lines.append(
            f"{spec:>12} {name:<10} truth {np.median(t):.3f} (p10 {np.percentile(t, 10):.3f}) | away {np.median(w):.3f} (max {w.max():.3f}), "
            f"truth>away {np.mean(t > w):.2f} | null {statistics.median(null_best):.3f}, bar {bar:.3f}, noise ±{np.sqrt(np.mean(np.square(noise))):.3f} | "
            f"pass {np.mean(t > bar):.2f}, wrong {np.mean((w > bar) & (w > t)):.2f} | local bar {local_bar:.3f}: {np.mean(t > local_bar):.2f} (n {len(t)})")
    return lines


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("filters", nargs="*", default=["engine"])
    parser.add_argument("--overlap", default="64,56")
    parser.add_argument("--margin", type=int, default=48)
    parser.add_argument("--scale", type=int, default=2)
    parser.add_argument("--away", type=int, default=8)
    parser.add_argument("--local", type=int, default=3)
    args = parser.parse_args()
    for spec in args.filters:
        for line in measure(args.directory, spec, args):
            print(line, flush=True)


if __name__ == "__main__":
    main()
