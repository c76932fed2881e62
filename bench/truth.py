"""What tessera-bench jittered wrote as the truth of a set, and what tessera register wrote as its
answer, both keyed by grid cell (column, row). One reader for the bench scripts that score
registrations (registration_quality.py, pair_errors.py)."""
import os
import re

POSITIONS = "TileConfiguration.registered.txt"
_POSITION = re.compile(r"^(\d+)_(\d+)\.jpg\s*;\s*;\s*\(([-\d.eE]+),\s*([-\d.eE]+)\)")


def tile_name(cell):
    """The file of a cell, as tessera-bench jittered names it ({x}_{y}.jpg)."""
    return f"{cell[0]}_{cell[1]}.jpg"


def read_truth(directory):
    """truth.tsv: each cell's true position, px."""
    truth = {}
    with open(os.path.join(directory, "truth.tsv")) as f:
        next(f)
        for line in f:
            c, r, x, y = line.split()
            truth[(int(c), int(r))] = (float(x), float(y))
    return truth


def read_tessera(directory):
    """The registered positions, or None where registration refused to write any."""
    path = os.path.join(directory, POSITIONS)
    if not os.path.exists(path):
        return None
    positions = {}
    with open(path) as f:
        for line in f:
            m = _POSITION.match(line.strip())
            if m:
                positions[(int(m.group(1)), int(m.group(2)))] = (float(m.group(3)), float(m.group(4)))
    return positions
