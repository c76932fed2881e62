namespace Tessera.Registration;

/// <summary>
/// The order in which <see cref="PairPass"/> reads a grid: bands of at most <see cref="Width"/>
/// columns, left to right, each read row by row; every band after the first reads the last column
/// of the band before it again, for the west pairs across its edge. A tile's south strip waits for
/// the tile below, so a pass row by row over the whole grid held a row of strips, 58 KB a grid
/// column (35 MB at 600 columns); within a band it holds a band's width of them, whatever the grid's.
/// </summary>
/// <remarks>
/// Reading that column again costs one decode in <see cref="Width"/> (1.5 % at 600 columns of bands
/// of 64). Keeping the band edge's east strips for the next band instead would hold all of them at
/// once when a band ends, one per grid row (64 KB each for 800×600 tiles at 1/2 scale and full
/// resolution, 38 MB at 600 rows): the growth moved from the columns to the rows.
/// </remarks>
internal sealed class PassBands
{
    /// <summary>Columns a band reads besides the one it repeats: 1/64 more decodes, and about 4 MB of strips at 800×600 tiles.</summary>
    public const int DefaultWidth = 64;

    private readonly int _columns;
    private readonly int[] _start;

    /// <param name="width">Columns of the grid a band owns, at least 1.</param>
    public PassBands(int columns, int rows, int width = DefaultWidth)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        (_columns, Width) = (columns, width);
        int bands = Math.Max(1, (columns + width - 1) / width);
        _start = new int[bands + 1];
        for (int b = 0; b < bands; b++)
        {
            _start[b + 1] = _start[b] + (Across(b) * rows);
        }
    }

    /// <summary>Columns of the grid each band owns; the last may own fewer.</summary>
    public int Width { get; }

    /// <summary>Slots: every cell once, and the repeated column of every band but the first once more.</summary>
    public int Count => _start[^1];

    /// <summary>Slot <paramref name="slot"/>, in the order the pass reads them.</summary>
    public PassSlot this[int slot]
    {
        get
        {
            int band = Array.BinarySearch(_start, slot);
            band = band >= 0 ? band : ~band - 1;
            int across = Across(band), local = slot - _start[band];
            int row = local / across, column = local % across;
            int lead = band > 0 ? 1 : 0;
            return new PassSlot((row * _columns) + (band * Width) - lead + column, row, column, across, band > 0 && column == 0);
        }
    }

    /// <summary>Slots a row of band <paramref name="band"/> spans: its own columns, and the repeated one.</summary>
    private int Across(int band) => Math.Min(Width, _columns - (band * Width)) + (band > 0 ? 1 : 0);
}
