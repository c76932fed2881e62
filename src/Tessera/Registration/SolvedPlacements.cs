using System.Collections;
using Tessera.Layout;

namespace Tessera.Registration;

/// <summary>
/// The placements of a registered grid, made as they are read from the grid and the solved
/// positions: one per present tile, row-major, shifted so that the smallest X and Y are 0.
/// </summary>
/// <remarks>
/// A list of placements held a path string per tile (about 140 bytes each with its entry, 50 MB at
/// 600×600) from the solve to the end of the run, beside the links and the gains' system; the grid
/// already holds its names compactly and the positions are the solve's own arrays.
/// </remarks>
internal sealed class SolvedPlacements : IReadOnlyList<TilePlacement>
{
    private readonly TileGrid _grid;
    private readonly double[] _x;
    private readonly double[] _y;
    private readonly double _minX;
    private readonly double _minY;

    /// <param name="x">Solved x per grid cell, row-major (held, not copied); cells without a tile are not read.</param>
    /// <param name="y">The same for y.</param>
    public SolvedPlacements(TileGrid grid, bool[] present, double[] x, double[] y)
    {
        (_grid, _x, _y) = (grid, x, y);
        (_minX, _minY) = (double.PositiveInfinity, double.PositiveInfinity);
        for (int i = 0; i < present.Length; i++)
        {
            if (present[i])
            {
                _minX = Math.Min(_minX, x[i]);
                _minY = Math.Min(_minY, y[i]);
            }
        }
    }

    public int Count => _grid.PresentCount;

    public TilePlacement this[int index]
    {
        get
        {
            int cell = _grid.CellOf(index), c = cell % _grid.Columns, r = cell / _grid.Columns;
            return new TilePlacement(_grid.PathOf(index), _x[cell] - _minX, _y[cell] - _minY, c, r);
        }
    }

    public IEnumerator<TilePlacement> GetEnumerator()
    {
        for (int i = 0; i < Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
