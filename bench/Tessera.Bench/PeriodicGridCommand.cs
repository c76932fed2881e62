using System.Globalization;
using System.Runtime.InteropServices;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Tests.Support;

namespace Tessera.Bench;

/// <summary>
/// <c>periodic-grid DIR --across N --down M [--period 3] [--content photograph]</c>: an N×M grid of
/// 800×600 tiles (overlap 80,60) whose overlaps match exactly, from period² distinct files. An
/// image of period×step px each way, repeated, is cut at every cell's nominal place, so tile (c, r)
/// is the same picture as tile (c mod period, r mod period): those are written once, as JPEG, and
/// every other cell is a hard link (at most 65,000 per file on ext4: a period of 3 covers 600×600).
/// The true positions are the nominal grid.
/// </summary>
internal static partial class PeriodicGridCommand
{
    private const int Width = 800, Height = 600, OverlapX = 80, OverlapY = 60;

    public static void Run(CommandArguments args)
    {
        string directory = args.Positional(0, "DIR");
        int across = args.RequiredInt("across", 1), down = args.RequiredInt("down", 1), period = args.Int("period", 3, 1);
        var content = Enum.Parse<TileSetContent>(args.String("content", "photograph"), ignoreCase: true);
        args.EnsureAllUsed(1);
        string marker = Path.Combine(directory, ".complete");
        string expected = string.Create(CultureInfo.InvariantCulture, $"{across}x{down} period {period} {content}");
        if (File.Exists(marker) && File.ReadAllText(marker) == expected)
        {
            return;
        }

        Directory.CreateDirectory(directory);
        string distinct = Path.Combine(directory, ".distinct");
        Directory.CreateDirectory(distinct);
        WriteDistinct(distinct, period, content);
        for (int r = 0; r < down; r++)
        {
            for (int c = 0; c < across; c++)
            {
                string link = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{c}_{r}.jpg"));
                string source = Path.Combine(distinct, string.Create(CultureInfo.InvariantCulture, $"{c % period}_{r % period}.jpg"));
                if (!File.Exists(link) && Link(source, link) != 0)
                {
                    throw new BenchException($"cannot link {link}: errno {Marshal.GetLastPInvokeError()}");
                }
            }
        }

        File.WriteAllText(marker, expected);
        Console.WriteLine($"periodic-grid: {across}x{down} tiles from {period * period} files in {directory}");
    }

    /// <summary>The period² distinct tiles, cut with wrap-around from one image of the grid's period.</summary>
    private static void WriteDistinct(string directory, int period, TileSetContent content)
    {
        int stepX = Width - OverlapX, stepY = Height - OverlapY;
        int periodX = period * stepX, periodY = period * stepY;
        using PixelBuffer image = ContentImages.Render(content, periodX, periodY, seed: 3);
        var codec = new SkiaTileCodec();
        for (int j = 0; j < period; j++)
        {
            for (int i = 0; i < period; i++)
            {
                using var tile = new PixelBuffer(new PixelRect(0, 0, Width, Height), PixelFormat.Rgbx8888);
                for (int y = 0; y < Height; y++)
                {
                    ReadOnlySpan<byte> from = image.Row(((j * stepY) + y) % periodY);
                    Span<byte> to = tile.Row(y);
                    for (int x = 0; x < Width; x++)
                    {
                        int sx = ((i * stepX) + x) % periodX;
                        from.Slice(4 * sx, 4).CopyTo(to.Slice(4 * x, 4));
                    }
                }

                using IEncodedImage encoded = codec.Encode(tile, tile.Bounds, new EncodeSettings(TileFormat.Jpeg, 90));
                File.WriteAllBytes(Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{i}_{j}.jpg")), encoded.Bytes.ToArray());
            }
        }
    }

    [LibraryImport("libc", EntryPoint = "link", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Link(string existing, string link);
}
