"""Scores registrations of jittered tile sets against their truth, and registers the same sets with a
peer: scikit-image's phase_cross_correlation (upsampled, as Guizar-Sicairos 2008) on each neighbour
pair's nominal overlap, Hann-windowed, then one unweighted least-squares solve of all positions.

usage: /usr/bin/python3 bench/registration_quality.py --overlap 64,56 [--pairs] KIND=DIR ...
Each DIR holds tiles {x}_{y}.jpg, truth.tsv (tessera-bench jittered) and tessera's
TileConfiguration.registered.txt. Prints one table per tool: median and max error per kind, px,
after removing one common translation (the median of the errors).

With --pairs it first says, per kind, where tessera's error comes from (pair_errors.py): every
pair's measured offset and sigma (the report's pair table) against the true one.
"""
import argparse
import os

import numpy as np
from skimage import io
from skimage.filters import window
from skimage.registration import phase_cross_correlation

from truth import read_tessera, read_truth


def windowed(strip):
    strip = strip - strip.mean()
    return strip * window("hann", strip.shape)


def peer(directory, overlap_x, overlap_y):
    cells = sorted(read_truth(directory))
    tiles = {cell: io.imread(os.path.join(directory, f"{cell[0]}_{cell[1]}.jpg"), as_gray=True).astype(np.float64) for cell in cells}
    height, width = next(iter(tiles.values())).shape
    links = []
    for (c, r) in cells:
        for (dc, dr) in ((1, 0), (0, 1)):
            other = (c + dc, r + dr)
            if other not in tiles:
                continue
            a, b = tiles[(c, r)], tiles[other]
            # The nominal overlaps, Hann-windowed (as ASHLAR does): the true shift is within the jitter of 0.
            if dc:
                ref, mov = a[:, width - overlap_x:], b[:, :overlap_x]
            else:
                ref, mov = a[height - overlap_y:, :], b[:overlap_y, :]
            dy, dx = phase_cross_correlation(windowed(ref), windowed(mov), upsample_factor=20)[0]
            if dc:
                links.append(((c, r), other, dx + width - overlap_x, dy))
            else:
                links.append(((c, r), other, dx, dy + height - overlap_y))
    index = {cell: i for i, cell in enumerate(cells)}
    n = len(cells)
    positions = {}
    for axis in (0, 1):
        rows, rhs = [], []
        for first, second, dx, dy in links:
            row = np.zeros(n)
            row[index[second]], row[index[first]] = 1, -1
            rows.append(row)
            rhs.append(dx if axis == 0 else dy)
        anchor = np.zeros(n)
        anchor[0] = 1
        rows.append(anchor)
        rhs.append(0.0)
        solution = np.linalg.lstsq(np.array(rows), np.array(rhs), rcond=None)[0]
        for cell in cells:
            positions.setdefault(cell, [0.0, 0.0])[axis] = solution[index[cell]]
    return positions


def errors(positions, truth):
    if positions is None:
        return None
    cells = sorted(truth)
    raw = np.array([[positions[c][0] - truth[c][0], positions[c][1] - truth[c][1]] for c in cells])
    raw -= np.median(raw, axis=0)
    lengths = np.hypot(raw[:, 0], raw[:, 1])
    return float(np.median(lengths)), float(np.max(lengths))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--overlap", required=True)
    parser.add_argument("--pairs", action="store_true", help="print where tessera's error comes from, pair by pair")
    parser.add_argument("sets", nargs="+")
    args = parser.parse_args()
    ox, oy = (int(v) for v in args.overlap.split(","))
    if args.pairs:
        import pair_errors
        for spec in args.sets:
            kind, directory = spec.split("=", 1)
            pair_errors.diagnose(kind, directory)
    rows = []
    for spec in args.sets:
        kind, directory = spec.split("=", 1)
        truth = read_truth(directory)
        rows.append((kind, errors(read_tessera(directory), truth), errors(peer(directory, ox, oy), truth)))
    for title, which in (("tessera register", 1), ("scikit-image phase_cross_correlation + least squares", 2)):
        print(f"\n{title}\n")
        print("| content | median error (px) | max error (px) |")
        print("|---|---:|---:|")
        for row in rows:
            if row[which] is None:
                print(f"| {row[0]} | measured nothing | (no positions written) |")
                continue
            median, worst = row[which]
            print(f"| {row[0]} | {median:.3f} | {worst:.3f} |")


if __name__ == "__main__":
    main()
