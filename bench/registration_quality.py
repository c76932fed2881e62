"""Scores registrations of jittered tile sets against their truth, and registers the same sets with a
peer: scikit-image's phase_cross_correlation (upsampled, as Guizar-Sicairos 2008) on each neighbour
pair's nominal overlap, Hann-windowed, then one unweighted least-squares solve of all positions.

usage: /usr/bin/python3 bench/registration_quality.py --overlap 64,56 [--pairs] KIND=DIR ...
Each DIR holds tiles {x}_{y}.jpg, truth.tsv (tessera-bench jittered) and tessera's
TileConfiguration.registered.txt. Prints one table per tool: median and max error per kind, px,
after removing one common translation (the median of the errors). Tessera's table also gives the
max over the tiles it measured: a tile none of whose links the solve used (a blank tile, say) is
placed by the stage model, as the report names it, and is off by its own jitter whatever the
registration does; that column says how well the rest is placed, and how many tiles it leaves out.

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


def errors(positions, truth, measured=None):
    """Median and max error after removing one common translation; with `measured` (the cells that
    have a used link) also the max over those cells alone, and how many cells that leaves out."""
    if positions is None:
        return None
    cells = sorted(truth)
    raw = np.array([[positions[c][0] - truth[c][0], positions[c][1] - truth[c][1]] for c in cells])
    raw -= np.median(raw, axis=0)
    lengths = np.hypot(raw[:, 0], raw[:, 1])
    if measured is None:
        return float(np.median(lengths)), float(np.max(lengths))
    kept = [length for cell, length in zip(cells, lengths) if cell in measured]
    return float(np.median(lengths)), float(np.max(lengths)), (max(kept) if kept else None), len(cells) - len(kept)


def measured_cells(directory):
    """The cells with at least one link the solve used (the report's pair table)."""
    from pair_errors import USED, read_pairs
    cells = set()
    for p in read_pairs(directory):
        if p["outcome"] in USED:
            for name in (p["first"], p["second"]):
                column, row = os.path.splitext(name)[0].split("_")
                cells.add((int(column), int(row)))
    return cells


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
        positions = read_tessera(directory)
        measured = measured_cells(directory) if positions is not None else None
        rows.append((kind, errors(positions, truth, measured), errors(peer(directory, ox, oy), truth)))
    print("\ntessera register\n")
    print("| content | median error (px) | max error (px) | max over measured tiles (px) | placed by the stage model |")
    print("|---|---:|---:|---:|---:|")
    for kind, scores, _ in rows:
        if scores is None:
            print(f"| {kind} | measured nothing | (no positions written) | | |")
            continue
        median, worst, worst_measured, left_out = scores
        shown = "–" if worst_measured is None else f"{worst_measured:.3f}"
        print(f"| {kind} | {median:.3f} | {worst:.3f} | {shown} | {left_out} |")
    print("\nscikit-image phase_cross_correlation + least squares\n")
    print("| content | median error (px) | max error (px) |")
    print("|---|---:|---:|")
    for kind, _, scores in rows:
        median, worst = scores
        print(f"| {kind} | {median:.3f} | {worst:.3f} |")


if __name__ == "__main__":
    main()
