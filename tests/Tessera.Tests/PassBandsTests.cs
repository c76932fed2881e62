using Tessera.Codecs;
using Tessera.Illumination;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Registration;
using Tessera.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Tessera.Tests;

/// <summary>
/// Registration's pass reads the grid in bands of columns: what it holds at once is a band's row
/// of strips, not a grid row's, and it measures every pair as a pass row by row over the grid did.
/// </summary>
public sealed class PassBandsTests(ITestOutputHelper output) : IDisposable
{
    private const int Down = 3, Band = 3, Wide = 16 * Band;
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Theory]
    [InlineData(1, 1, 64)]
    [InlineData(7, 3, 3)]
    [InlineData(9, 2, 3)]
    [InlineData(10, 4, 1)]
    public void Every_cell_is_read_once_and_each_band_edge_column_once_more(int columns, int rows, int width)
    {
        var bands = new PassBands(columns, rows, width);
        int[] reads = new int[columns * rows];
        for (int slot = 0; slot < bands.Count; slot++)
        {
            PassSlot s = bands[slot];
            reads[s.Cell]++;
            Assert.Equal(s.Row, s.Cell / columns);

            // The slot before lies west of it in the same row; the slot a row of the band before, north.
            if (s.Column > 0)
            {
                Assert.Equal(s.Cell - 1, bands[slot - 1].Cell);
            }

            if (s.Row > 0)
            {
                Assert.Equal(s.Cell - columns, bands[slot - s.Across].Cell);
            }

            // The first column of every band after the first repeats the last column of the band before.
            Assert.Equal(s.Column == 0 && slot >= Math.Min(width, columns) * rows, s.Repeat);
        }

        for (int cell = 0; cell < reads.Length; cell++)
        {
            int c = cell % columns;
            bool edge = c + 1 < columns && (c + 1) % width == 0;
            Assert.True(reads[cell] == (edge ? 2 : 1), $"cell ({c}, {cell / columns}) read {reads[cell]} times");
        }
    }

    [Fact]
    public void The_strips_held_stay_a_bands_worth_as_the_grid_widens_and_the_pairs_come_out_alike()
    {
        MeasuredPairs narrow = Measure(across: Wide / 2, Band);
        MeasuredPairs wide = Measure(across: Wide, Band);
        MeasuredPairs wideByRows = Measure(across: Wide, bandWidth: Wide);
        output.WriteLine($"strips made: {Wide / 2} columns in bands of {Band}: {narrow.StripsMade}; {Wide} columns: {wide.StripsMade}; "
            + $"{Wide} columns in one band (row by row): {wideByRows.StripsMade}");
        output.WriteLine($"tiles read: {wide.TilesRead} in bands, {wideByRows.TilesRead} row by row");

        // Four strips a tile at the decode scale and four at full resolution, beside those of the
        // null sample's 16 tiles, which both grids take. Row by row, a grid row of south strips
        // waits for the row below (two a column: 48 more on the wide grid than on the narrow one);
        // in bands, a band's row does, whatever the grid's width. Two threads may each be a tile ahead.
        Assert.True(wide.StripsMade <= narrow.StripsMade + 16, $"{wide.StripsMade} strips made across {Wide} columns, {narrow.StripsMade} across {Wide / 2}");
        Assert.True(wideByRows.StripsMade > wide.StripsMade + 48, $"row by row made {wideByRows.StripsMade} strips, in bands {wide.StripsMade}: the grid too narrow to tell");

        // Every tile once, and the column before each band but the first once more (cell (2, 1), in
        // the first such column, has no tile).
        int bandEdges = (Wide / Band) - 1;
        Assert.Equal((Wide * Down) - 1, wideByRows.TilesRead);
        Assert.Equal((Wide * Down) - 1 + (bandEdges * Down) - 1, wide.TilesRead);

        // The same links, to the last bit, in the same order.
        Assert.Equal(wideByRows.Links, wide.Links);
        Assert.Equal(wideByRows.MissingPairs, wide.MissingPairs);
    }

    [Fact]
    public void Gains_measured_in_bands_are_those_measured_row_by_row_and_solve_alike_when_asked_twice()
    {
        StripGains banded = MeasureGains(Band, out TileGrid grid, out JitteredTileSet set);
        StripGains byRows = MeasureGains(Wide / 2, out _, out _);

        // The tiles where they truly are, but every fifth 3 px off: the pairs it touches are read
        // again and measured there, the rest keep the ratio the pass measured.
        var present = new bool[grid.Columns * grid.Rows];
        var x = new double[present.Length];
        var y = new double[present.Length];
        for (int i = 0; i < present.Length; i++)
        {
            present[i] = grid[i % grid.Columns, i / grid.Columns] is not null;
            var (tx, ty) = set.Truth[(i % grid.Columns, i / grid.Columns)];
            (x[i], y[i]) = (tx + (i % 5 == 0 ? 3 : 0), ty);
        }

        var placements = new SolvedPlacements(grid, present, x, y);
        ITileCodec codec = TileCodecs.Create(CodecChoice.Auto, out _);
        GainMeasurement first = banded.Solve(grid, present, x, y, placements, codec, 2, CancellationToken.None);
        GainMeasurement again = banded.Solve(grid, present, x, y, placements, codec, 2, CancellationToken.None);
        GainMeasurement rows = byRows.Solve(grid, present, x, y, placements, codec, 2, CancellationToken.None);
        output.WriteLine($"{first.Pairs} pairs, {first.Reread} read again, {first.Used} used");

        Assert.True(first.Reread > 0 && first.Reread < first.Pairs, $"{first.Reread} of {first.Pairs} pairs read again: the test shows nothing");
        foreach (GainMeasurement other in (GainMeasurement[])[again, rows])
        {
            Assert.Equal((first.Pairs, first.Used, first.Reread, first.Gains.Count), (other.Pairs, other.Used, other.Reread, other.Gains.Count));
            for (int t = 0; t < first.Gains.Count; t++)
            {
                Assert.Equal(first.Gains.GainOf(t), other.Gains.GainOf(t));
            }
        }
    }

    private StripGains MeasureGains(int bandWidth, out TileGrid grid, out JitteredTileSet set)
    {
        string tiles = _dir.Combine("gains");
        set = JitteredTileSet.Write(tiles, Options(Wide / 2));
        grid = GridScanner.Scan(tiles, new LayoutOptions("{x}_{y}.jpg"));
        StripGains gains = null!;
        Measure(tiles, bandWidth, geometry => gains = new StripGains(geometry, new GainSampling(null, new GainBalanceOptions()), Wide / 2, Down, 56));
        return gains;
    }

    private static JitteredTileSetOptions Options(int across) => new()
    {
        Across = across, Down = Down, TileWidth = 192, TileHeight = 160, OverlapX = 64, OverlapY = 56, Jitter = 12, Seed = 5, Missing = [(2, 1)],
    };

    private MeasuredPairs Measure(int across, int bandWidth)
    {
        string tiles = _dir.Combine($"tiles-{across}");
        if (!Directory.Exists(tiles))
        {
            JitteredTileSet.Write(tiles, Options(across));
        }

        return Measure(tiles, bandWidth, _ => null);
    }

    private static MeasuredPairs Measure(string tiles, int bandWidth, Func<StripGeometry, StripGains?> gains)
    {
        TileGrid grid = GridScanner.Scan(tiles, new LayoutOptions("{x}_{y}.jpg"));
        var input = new TileInputCodec(TileCodecs.Create(CodecChoice.Auto, out _), files: grid.Files());
        ImageHeader header = input.ReadHeader(grid.FirstTile);
        ITileCodec codec = input.ForGrid(grid.FirstTile, header);
        var options = new RegistrationOptions { Threads = 2 };
        var geometry = new StripGeometry(header.Width, header.Height, 64, 56, GridRegistration.ChooseScale(56, options.MinScaledOverlap), options.SearchMargin);
        return PairPass.Measure(grid, geometry, header, codec, options, options.Threads, gains(geometry), progress: null, CancellationToken.None, bandWidth);
    }
}
