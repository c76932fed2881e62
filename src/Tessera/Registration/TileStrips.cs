using System.Diagnostics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
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
            using PixelBuffer reduced = ReducedGreyDecode.BoxMean(full, g.Scale, pool, g.StripX, g.StripY);
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
            East = strips.Rent(sx * g.LengthX),
            West = strips.Rent(sx * g.LengthX),
            North = strips.Rent(sy * g.LengthY),
            South = strips.Rent(sy * g.LengthY),
        };
        for (int y = g.StartX; y < g.StartX + g.LengthX; y++)
        {
            ReadOnlySpan<byte> row = image.Row(y)[..w];
            int at = (y - g.StartX) * sx;
            row[(w - sx)..].CopyTo(result.East.AsSpan(at, sx));
            row[..sx].CopyTo(result.West.AsSpan(at, sx));
        }

        Transpose(image, 0, g, result.North);
        Transpose(image, g.Height - sy, g, result.South);
        return result;
    }

    /// <summary>
    /// Rows [y0, y0 + StripY) of the tile, columns [StartY, StartY + LengthY), transposed into a
    /// strip: tile column x becomes strip row x − StartY. A few columns at a time, so that both the
    /// rows read and the strip rows written stay in cache.
    /// </summary>
    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveOptimization)]
    private static void Transpose(PixelBuffer image, int y0, StripGeometry g, byte[] strip)
    {
        const int Block = 16;
        int sy = g.StripY;
        if (strip.Length < g.LengthY * sy || image.Width < g.StartY + g.LengthY || image.Height < y0 + sy)
        {
            throw new ArgumentException($"The strip of {strip.Length} bytes or the {image.Width}×{image.Height} tile does not fit the geometry.", nameof(strip));
        }

        // Through references: the strip and the rows are checked to hold every index above, not at every byte.
        ref byte target = ref MemoryMarshal.GetArrayDataReference(strip);
        for (int x0 = g.StartY; x0 < g.StartY + g.LengthY; x0 += Block)
        {
            int x1 = Math.Min(g.StartY + g.LengthY, x0 + Block);
            for (int y = 0; y < sy; y++)
            {
                ref byte row = ref MemoryMarshal.GetReference(image.Row(y0 + y));
                for (int x = x0; x < x1; x++)
                {
                    Unsafe.Add(ref target, ((x - g.StartY) * sy) + y) = Unsafe.Add(ref row, x);
                }
            }
        }
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
