using System.Diagnostics;
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

    public static TileStrips Read(string path, ITileCodec codec, StripGeometry g, ImageHeader expected, PixelMemoryPool pool, StripPool strips, RegistrationTimings? timings)
    {
        if (g.Full is { } fullGeometry)
        {
            // One full decode serves both: the reduced strips find the shift, the full ones refine it.
            long start = RegistrationTimings.Start(timings);
            using PixelBuffer full = codec.Decode(path, PixelFormat.Gray8, pool);
            timings?.Add(RegistrationStage.DecodeFull, start);
            Check(full, fullGeometry, path, codec, expected);
            start = RegistrationTimings.Start(timings);
            using PixelBuffer reduced = ReducedGreyDecode.BoxMean(full, g.Scale, pool);
            timings?.Add(RegistrationStage.DecodeReduced, start);
            start = RegistrationTimings.Start(timings);
            TileStrips result = Extract(reduced, g, strips);
            result.Full = Extract(full, fullGeometry, strips);
            timings?.Add(RegistrationStage.Extract, start);
            return result;
        }

        long begin = RegistrationTimings.Start(timings);
        using PixelBuffer image = ReducedGreyDecode.Decode(path, codec, g.Scale, pool);
        timings?.Add(RegistrationStage.DecodeReduced, begin);
        Check(image, g, path, codec, expected);
        begin = RegistrationTimings.Start(timings);
        TileStrips strips1 = Extract(image, g, strips);
        timings?.Add(RegistrationStage.Extract, begin);
        return strips1;
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
}
