using System.Globalization;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Registration;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Tessera.Tests;

/// <summary>
/// A tile set whose tiles repeat byte for byte (a test pattern, a stage that revisits its places):
/// registration learns its significance bar from strips of tiles that do not touch, and a strip
/// whose partner is a copy of its true neighbour is no chance match.
/// </summary>
public sealed class RepeatedTileRegistrationTests(ITestOutputHelper output)
{
    private const int Width = 192, Height = 160, OverlapX = 64, OverlapY = 56, Period = 3, Across = 9, Down = 9;

    [Fact]
    public void A_grid_of_nine_distinct_tiles_repeated_still_measures_every_pair_at_its_true_place()
    {
        using var dir = new TempDirectory();
        WritePeriodicGrid(dir.Path);
        TileGrid grid = GridScanner.Scan(dir.Path, new LayoutOptions("{x}_{y}.jpg"));
        RegistrationResult result = GridRegistration.Run(grid, new OverlapSpec(OverlapX, OverlapY, false), new RegistrationOptions { Threads = 2 },
            TileCodecs.Create(CodecChoice.Auto, out _));
        output.WriteLine(result.Report.Format());

        int pairs = ((Across - 1) * Down) + (Across * (Down - 1));
        Assert.Equal(pairs, result.Report.Count(PairOutcome.Measured));

        // The overlaps match exactly: the true positions are the nominal grid.
        double worst = result.Placements.Max(p => Math.Max(Math.Abs(p.X - (p.Column * (Width - OverlapX))), Math.Abs(p.Y - (p.Row * (Height - OverlapY)))));
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"worst error {worst:F3} px"));
        Assert.True(worst <= 0.3, string.Create(CultureInfo.InvariantCulture, $"a tile is {worst:F3} px off the grid"));
    }

    /// <summary>
    /// Tile (c, r) shows the specimen's plane, wrapped every <see cref="Period"/> steps, at its
    /// nominal place: so it is the very file of tile (c mod 3, r mod 3), copied.
    /// </summary>
    private static void WritePeriodicGrid(string directory)
    {
        int stepX = Width - OverlapX, stepY = Height - OverlapY;
        int planeWidth = Period * stepX, planeHeight = Period * stepY;
        using var plane = new PixelBuffer(new PixelRect(0, 0, planeWidth, planeHeight), PixelFormat.Rgbx8888);
        new SyntheticSpecimen(planeWidth, planeHeight, PixelFormat.Rgbx8888, seed: 7).Render(plane);
        var codec = new SkiaTileCodec();
        for (int j = 0; j < Period; j++)
        {
            for (int i = 0; i < Period; i++)
            {
                using var tile = new PixelBuffer(new PixelRect(0, 0, Width, Height), PixelFormat.Rgbx8888);
                for (int y = 0; y < Height; y++)
                {
                    Span<byte> row = tile.Row(y);
                    ReadOnlySpan<byte> source = plane.Row(((j * stepY) + y) % planeHeight);
                    for (int x = 0; x < Width; x++)
                    {
                        int sx = ((i * stepX) + x) % planeWidth;
                        source.Slice(sx * 4, 4).CopyTo(row.Slice(x * 4, 4));
                    }
                }

                using IEncodedImage encoded = codec.Encode(tile, tile.Bounds, new EncodeSettings(TileFormat.Jpeg, 92));
                File.WriteAllBytes(Path.Combine(directory, Name(i, j)), encoded.Bytes.ToArray());
            }
        }

        for (int r = 0; r < Down; r++)
        {
            for (int c = 0; c < Across; c++)
            {
                if (c >= Period || r >= Period)
                {
                    File.Copy(Path.Combine(directory, Name(c % Period, r % Period)), Path.Combine(directory, Name(c, r)));
                }
            }
        }
    }

    private static string Name(int c, int r) => string.Create(CultureInfo.InvariantCulture, $"{c}_{r}.jpg");
}
