using Tessera.Codecs;
using Tessera.Imaging;

namespace Tessera.Registration;

/// <summary>The four edge strips of one tile at the decode scale, grey, north and south ones transposed; and at full resolution where that refines.</summary>
internal sealed class TileStrips
{
    public byte[]? East { get; private set; }
    public byte[]? West { get; private set; }
    public byte[]? North { get; private set; }
    public byte[]? South { get; private set; }

    /// <summary>The same strips at full resolution, where the geometry refines there; else null.</summary>
    public TileStrips? Full { get; private set; }

    public static TileStrips Read(string path, ITileCodec codec, StripGeometry g, ImageHeader expected, PixelMemoryPool pool, StripPool strips)
    {
        if (g.Full is { } fullGeometry)
        {
            // One full decode serves both: the reduced strips find the shift, the full ones refine it.
            using PixelBuffer full = codec.Decode(path, PixelFormat.Gray8, pool);
            Check(full, fullGeometry, path, codec, expected);
            using PixelBuffer reduced = BoxReduce(full, g.Scale, pool);
            TileStrips result = Extract(reduced, g, strips);
            result.Full = Extract(full, fullGeometry, strips);
            return result;
        }

        using PixelBuffer image = Decode(path, codec, g.Scale, pool);
        Check(image, g, path, codec, expected);
        return Extract(image, g, strips);
    }

    private static void Check(PixelBuffer image, StripGeometry g, string path, ITileCodec codec, ImageHeader expected)
    {
        if (image.Width != g.Width || image.Height != g.Height)
        {
            ImageHeader h = codec.ReadHeader(path);
            throw new TesseraException($"Tile \"{path}\" is {h.Width}×{h.Height} px; the grid's tiles are {expected.Width}×{expected.Height}.");
        }
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static TileStrips Extract(PixelBuffer image, StripGeometry g, StripPool strips)
    {
        int w = g.Width, sx = g.StripX, sy = g.StripY;
        var result = new TileStrips
        {
            East = strips.Rent(sx * g.Height),
            West = strips.Rent(sx * g.Height),
            North = strips.Rent(sy * w),
            South = strips.Rent(sy * w),
        };
        for (int y = 0; y < g.Height; y++)
        {
            ReadOnlySpan<byte> row = image.Row(y)[..w];
            row[(w - sx)..].CopyTo(result.East.AsSpan(y * sx, sx));
            row[..sx].CopyTo(result.West.AsSpan(y * sx, sx));
            if (y < sy)
            {
                for (int x = 0; x < w; x++)
                {
                    result.North[(x * sy) + y] = row[x];
                }
            }

            int s = y - (g.Height - sy);
            if (s >= 0)
            {
                for (int x = 0; x < w; x++)
                {
                    result.South[(x * sy) + s] = row[x];
                }
            }
        }

        return result;
    }

    /// <summary>Gives back one strip, once the pair that needed it is aligned.</summary>
    public void Give(Edge edge, StripPool pool)
    {
        Full?.Give(edge, pool);
        switch (edge)
        {
            case Edge.East:
                pool.Return(East);
                East = null;
                break;
            case Edge.West:
                pool.Return(West);
                West = null;
                break;
            case Edge.North:
                pool.Return(North);
                North = null;
                break;
            default:
                pool.Return(South);
                South = null;
                break;
        }
    }

    private static PixelBuffer Decode(string path, ITileCodec codec, int scale, PixelMemoryPool pool)
    {
        if (scale == 1)
        {
            return codec.Decode(path, PixelFormat.Gray8, pool);
        }

        if (codec is IScaledDecoder scaled && scaled.TryDecodeScaled(path, PixelFormat.Gray8, scale, pool) is { } reduced)
        {
            return reduced;
        }

        using PixelBuffer full = codec.Decode(path, PixelFormat.Gray8, pool);
        return BoxReduce(full, scale, pool);
    }

    /// <summary>Mean of each scale × scale box (partial boxes at the right and bottom edges).</summary>
    private static PixelBuffer BoxReduce(PixelBuffer full, int scale, PixelMemoryPool pool)
    {
        int w = (full.Width + scale - 1) / scale, h = (full.Height + scale - 1) / scale;
        var reduced = new PixelBuffer(new PixelRect(0, 0, w, h), PixelFormat.Gray8, pool);
        var sums = new int[w];
        for (int y = 0; y < h; y++)
        {
            Array.Clear(sums);
            int y0 = y * scale, y1 = Math.Min(full.Height, y0 + scale);
            for (int fy = y0; fy < y1; fy++)
            {
                ReadOnlySpan<byte> row = full.Row(fy);
                for (int fx = 0; fx < full.Width; fx++)
                {
                    sums[fx / scale] += row[fx];
                }
            }

            Span<byte> target = reduced.Row(y);
            for (int x = 0; x < w; x++)
            {
                int count = (Math.Min(full.Width, (x + 1) * scale) - (x * scale)) * (y1 - y0);
                target[x] = (byte)((sums[x] + (count / 2)) / count);
            }
        }

        return reduced;
    }
}
