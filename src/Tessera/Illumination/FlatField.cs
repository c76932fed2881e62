using System.Globalization;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using System.Security.Cryptography;
using Tessera.Codecs;
using Tessera.Compositing;
using Tessera.Imaging;
using Tessera.Layout;

namespace Tessera.Illumination;

/// <summary>
/// Uneven illumination of every tile: a gain field S (mean 1) and an optional dark offset D, both
/// the size of a tile, with a tile seen as <c>S × true + D</c>. Applying it gives
/// <c>(tile − D) / S</c>, which removes the darker corners that otherwise leave a grid of stripes
/// across the stitched image. One field serves all channels (vignetting is a property of the
/// optics, much the same in every colour).
/// </summary>
public sealed class FlatField : ITileCorrection
{
    /// <summary>Tiles read to estimate the field: spread evenly over the tile set.</summary>
    public const int DefaultSamples = 200;

    /// <summary>The estimate averages blocks of this many pixels a side before fitting.</summary>
    private const int Cell = 8;

    /// <summary>Degree of the polynomial surface fitted to the estimate: smooth, yet follows a cos⁴ falloff closely.</summary>
    private const int Degree = 6;

    private readonly float[] _gain;
    private readonly float[]? _dark;
    private readonly string _description;
    private readonly Lock _layoutLock = new();
    private ChannelLayout? _gray;
    private ChannelLayout? _colour;
    private WideLayout? _wide;

    private FlatField(int width, int height, float[] gain, float[]? dark, string source, bool sixteenBit = false)
    {
        Width = width;
        Height = height;
        _gain = gain;
        _dark = dark;
        MaxValue = sixteenBit ? ushort.MaxValue : byte.MaxValue;

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(gain.AsSpan()));
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes((dark ?? new float[gain.Length]).AsSpan()));
        string digest = Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
        _description = string.Create(CultureInfo.InvariantCulture,
            $"flat-field {source}, {width}×{height}, gain {gain.Min():F3}–{gain.Max():F3}{(dark is null ? "" : ", dark offset")}, sha256 {digest}");
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>The gain at each pixel of a tile, row by row; its mean is 1.</summary>
    public IReadOnlyList<float> Gain => _gain;

    /// <summary>The dark offset at each pixel of a tile, in the units of the tiles it corrects (0–<see cref="MaxValue"/>), or null for none.</summary>
    public IReadOnlyList<float>? Dark => _dark;

    /// <summary>The full scale of the tiles the field corrects: 255, or 65535 for 16-bit pixels.</summary>
    public int MaxValue { get; }

    public string Describe() => _description;

    /// <summary>
    /// Estimates the gain field from the tiles themselves, in the spirit of BaSiC: over many tiles
    /// the specimen averages out and what stays at each pixel is the illumination. Each sampled
    /// tile is reduced to 8×8-pixel means and divided by its own mean (so brighter and darker
    /// tiles count alike); the median over the tiles at each cell is the raw estimate, and a
    /// smooth polynomial surface fitted to it is the field. Blank tiles (mean below 4 of 255) are
    /// left out.
    /// </summary>
    /// <exception cref="TesseraException">No sampled tile has any signal, or the tiles differ in size.</exception>
    /// <param name="darkFile">An image taken with no light, subtracted from every tile first; null for none.</param>
    /// <param name="cancellationToken">Stops the reading of the sampled tiles.</param>
    public static FlatField Estimate(IReadOnlyList<string> tiles, ITileCodec codec, PixelFormat format, int samples = DefaultSamples, string? darkFile = null,
        CancellationToken cancellationToken = default)
    {
        List<string> chosen = TileSample.Spread(tiles, samples);
        int count = chosen.Count;
        ImageHeader first = codec.ReadHeader(chosen[0]);
        int width = first.Width, height = first.Height;
        int cellsX = (width + Cell - 1) / Cell, cellsY = (height + Cell - 1) / Cell;
        bool wide = format.IsSixteenBit();
        float[]? dark = darkFile is null ? null : ReadPlane(darkFile, codec, width, height, "dark-field", wide);
        float[]? darkCells = dark is null ? null : CellMeans(dark, width, height, cellsX, cellsY);

        var reduced = new float[count][];
        WorkerThreads.For(count, Environment.ProcessorCount, i =>
        {
            // The header first: a tile of another size is refused before it is decoded.
            ImageHeader header = i == 0 ? first : codec.ReadHeader(chosen[i]);
            if (header.Width != width || header.Height != height)
            {
                throw SizesDiffer(chosen[i], header.Width, header.Height, chosen[0], width, height);
            }

            using PixelBuffer tile = codec.Decode(chosen[i], format);
            if (tile.Width != width || tile.Height != height)
            {
                throw SizesDiffer(chosen[i], tile.Width, tile.Height, chosen[0], width, height);
            }

            float[] cells = CellMeans(tile, cellsX, cellsY);
            for (int c = 0; darkCells is not null && c < cells.Length; c++)
            {
                cells[c] -= darkCells[c];
            }

            reduced[i] = cells;
        }, "flat-field", cancellationToken);

        float blank = 4f * format.MaxValue() / byte.MaxValue;
        float[][] lit = reduced.Where(r => r.Average() >= blank).Select(r => Normalised(r)).ToArray();
        if (lit.Length == 0)
        {
            throw new TesseraException($"Cannot estimate a flat-field: none of the {count} tiles sampled has any signal.");
        }

        var median = new double[cellsX * cellsY];
        var column = new float[lit.Length];
        for (int c = 0; c < median.Length; c++)
        {
            for (int t = 0; t < lit.Length; t++)
            {
                column[t] = lit[t][c];
            }

            Array.Sort(column);
            median[c] = lit.Length % 2 == 1 ? column[lit.Length / 2] : (column[(lit.Length / 2) - 1] + column[lit.Length / 2]) / 2.0;
        }

        var surface = SmoothSurface.Fit(median, cellsX, cellsY, Degree);
        var gain = new float[width * height];
        for (int y = 0; y < height; y++)
        {
            double v = ((y + 0.5) / Cell / cellsY * 2) - 1;
            for (int x = 0; x < width; x++)
            {
                double u = ((x + 0.5) / Cell / cellsX * 2) - 1;
                gain[(y * width) + x] = (float)surface.At(u, v);
            }
        }

        return new FlatField(width, height, NormaliseGain(gain, "the estimated field"), dark,
            string.Create(CultureInfo.InvariantCulture, $"estimated from {lit.Length} of {count} sampled tiles"), wide);
    }

    /// <summary>
    /// A measured field: <paramref name="gainFile"/> is an image of the illumination (a blank-field
    /// shot, or an average of many), any brightness; <paramref name="darkFile"/>, if given, an image
    /// taken with no light, in the same units as the tiles. Both are read at 16 bits for
    /// <paramref name="sixteenBit"/> tiles, so that the dark offset keeps their precision.
    /// </summary>
    public static FlatField Load(string gainFile, string? darkFile, ITileCodec codec, int tileWidth, int tileHeight, bool sixteenBit = false)
    {
        float[] gain = ReadPlane(gainFile, codec, tileWidth, tileHeight, "flat-field", sixteenBit);
        float[]? dark = darkFile is null ? null : ReadPlane(darkFile, codec, tileWidth, tileHeight, "dark-field", sixteenBit);
        if (dark is not null)
        {
            for (int i = 0; i < gain.Length; i++)
            {
                gain[i] -= dark[i];
            }
        }

        return new FlatField(tileWidth, tileHeight, NormaliseGain(gain, $"\"{gainFile}\""), dark,
            $"from \"{Path.GetFileName(gainFile)}\"{(darkFile is null ? "" : $" and \"{Path.GetFileName(darkFile)}\"")}", sixteenBit);
    }

    /// <summary>
    /// Corrects a tile in place: max(value − dark, 0) / gain, rounded half up, at most 255 (65535
    /// for 16-bit pixels); alpha is left alone. In fixed point, the same on every path: for 8-bit
    /// pixels 1/gain with 10 fraction bits (within 0.05 % of the field, below half a level),
    /// round(((v − d) · 32 · G) / 32768) with G = round(1024 / gain); for 16-bit pixels, where 0.05 %
    /// would be 30 levels, with 16: ⌊((v − d) · G + 2^15) / 2^16⌋ with G = round(65536 / gain).
    /// </summary>
    public void Apply(PixelBuffer tile)
    {
        if (tile.Width != Width || tile.Height != Height)
        {
            throw new TesseraException($"The flat-field is {Width}×{Height} px but a tile is {tile.Width}×{tile.Height} px.");
        }

        if (tile.Format.IsSixteenBit())
        {
            ApplyWide(tile);
            return;
        }

        var (scale, offset) = PerChannel(tile.BytesPerPixel);
        int length = tile.Stride;
        for (int y = 0; y < Height; y++)
        {
            Span<byte> row = tile.Row(y);
            ReadOnlySpan<short> scaleRow = scale.AsSpan(y * length, length);
            ReadOnlySpan<byte> offsetRow = offset.AsSpan(y * length, length);
            int i = Avx2.IsSupported ? CorrectAvx2(row, scaleRow, offsetRow) : 0;
            for (; i < length; i++)
            {
                int v = Math.Max(row[i] - offsetRow[i], 0);
                row[i] = (byte)Math.Min((((v << 5) * scaleRow[i]) + 0x4000) >> 15, 255);
            }
        }
    }

    /// <summary>The 16-bit form of <see cref="Apply"/>: one scale and offset per pixel.</summary>
    private void ApplyWide(PixelBuffer tile)
    {
        WideLayout layout = Wide();
        int samples = tile.Format.SamplesPerPixel(), colours = Math.Min(samples, 3);
        for (int y = 0; y < Height; y++)
        {
            Span<ushort> row = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(tile.Row(y));
            ReadOnlySpan<int> scaleRow = layout.Scale.AsSpan(y * Width, Width);
            ReadOnlySpan<int> offsetRow = layout.Offset.AsSpan(y * Width, Width);
            for (int x = 0; x < Width; x++)
            {
                int g = scaleRow[x], d = offsetRow[x];
                for (int c = 0, i = x * samples; c < colours; c++, i++)
                {
                    long v = Math.Max(row[i] - d, 0);
                    row[i] = (ushort)Math.Min(((v * g) + (1 << 15)) >> 16, ushort.MaxValue);
                }
            }
        }
    }

    /// <summary>G = round(65536 / gain) and the dark offset per pixel, for 16-bit tiles, made once.</summary>
    private WideLayout Wide()
    {
        if (_wide is { } ready)
        {
            return ready;
        }

        lock (_layoutLock)
        {
            var scale = new int[_gain.Length];
            var offset = new int[_gain.Length];
            for (int p = 0; p < _gain.Length; p++)
            {
                scale[p] = (int)Math.Round(65536.0 / _gain[p]);
                offset[p] = _dark is null ? 0 : (int)Math.Clamp(Math.Round(_dark[p]), 0, ushort.MaxValue);
            }

            return _wide = new WideLayout(scale, offset);
        }
    }

    /// <summary>The vectorised body of <see cref="Apply"/> (pmulhrsw is exactly the scalar formula); returns how far it got.</summary>
    private static unsafe int CorrectAvx2(Span<byte> row, ReadOnlySpan<short> scale, ReadOnlySpan<byte> offset)
    {
        int i = 0;
        fixed (byte* r = row, o = offset)
        fixed (short* g = scale)
        {
            for (; i <= row.Length - 32; i += 32)
            {
                Vector256<byte> v = Avx2.SubtractSaturate(Avx.LoadVector256(r + i), Avx.LoadVector256(o + i));
                Vector256<short> low = Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int16(v.GetLower()), 5);
                Vector256<short> high = Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int16(v.GetUpper()), 5);
                low = Avx2.MultiplyHighRoundScale(low, Avx.LoadVector256(g + i));
                high = Avx2.MultiplyHighRoundScale(high, Avx.LoadVector256(g + i + 16));
                Vector256<byte> packed = Avx2.PackUnsignedSaturate(low, high);
                Avx.Store(r + i, Avx2.Permute4x64(packed.AsUInt64(), 0b11_01_10_00).AsByte());
            }
        }

        return i;
    }

    /// <summary>G = round(1024 / gain) and the dark offset laid out like a tile's bytes (alpha: G = 1024, offset 0), made once per layout.</summary>
    private (short[] Scale, byte[] Offset) PerChannel(int bytesPerPixel)
    {
        if ((bytesPerPixel == 1 ? _gray : _colour) is { } ready)
        {
            return (ready.Scale, ready.Offset);
        }

        lock (_layoutLock)
        {
            var scale = new short[_gain.Length * bytesPerPixel];
            var offset = new byte[scale.Length];
            for (int p = 0; p < _gain.Length; p++)
            {
                short g = (short)Math.Round(1024.0 * (1f / _gain[p]));
                byte d = _dark is null ? (byte)0 : (byte)Math.Clamp(Math.Round(_dark[p]), 0, 255);
                for (int c = 0; c < bytesPerPixel; c++)
                {
                    bool alpha = bytesPerPixel == 4 && c == 3;
                    scale[(p * bytesPerPixel) + c] = alpha ? (short)1024 : g;
                    offset[(p * bytesPerPixel) + c] = alpha ? (byte)0 : d;
                }
            }

            if (bytesPerPixel == 1)
            {
                _gray = new ChannelLayout(scale, offset);
            }
            else
            {
                _colour = new ChannelLayout(scale, offset);
            }

            return (scale, offset);
        }
    }

    private static float[] CellMeans(PixelBuffer tile, int cellsX, int cellsY)
    {
        var sums = new double[cellsX * cellsY];
        var counts = new int[cellsX * cellsY];
        int spp = tile.Format.SamplesPerPixel();
        bool wide = tile.Format.IsSixteenBit();
        for (int y = 0; y < tile.Height; y++)
        {
            Span<byte> row = tile.Row(y);
            Span<ushort> row16 = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(row);
            int cy = (y / Cell) * cellsX;
            for (int x = 0; x < tile.Width; x++)
            {
                int o = x * spp;
                double luminance = wide
                    ? spp == 1 ? row16[o] : ((299 * row16[o]) + (587 * row16[o + 1]) + (114 * row16[o + 2])) / 1000.0
                    : spp == 1 ? row[o] : ((299 * row[o]) + (587 * row[o + 1]) + (114 * row[o + 2])) / 1000.0;
                sums[cy + (x / Cell)] += luminance;
                counts[cy + (x / Cell)]++;
            }
        }

        var means = new float[sums.Length];
        for (int i = 0; i < means.Length; i++)
        {
            means[i] = (float)(sums[i] / counts[i]);
        }

        return means;
    }

    private static float[] CellMeans(float[] plane, int width, int height, int cellsX, int cellsY)
    {
        var sums = new double[cellsX * cellsY];
        var counts = new int[sums.Length];
        for (int y = 0; y < height; y++)
        {
            for (int x = 0; x < width; x++)
            {
                int c = ((y / Cell) * cellsX) + (x / Cell);
                sums[c] += plane[(y * width) + x];
                counts[c]++;
            }
        }

        return sums.Select((s, i) => (float)(s / counts[i])).ToArray();
    }

    private static float[] Normalised(float[] cells)
    {
        double mean = cells.Average();
        return cells.Select(c => (float)(c / mean)).ToArray();
    }

    private static TesseraException SizesDiffer(string tile, int tileWidth, int tileHeight, string first, int width, int height) =>
        new($"Cannot estimate a flat-field: \"{tile}\" is {tileWidth}×{tileHeight} px, \"{first}\" {width}×{height} px; it needs tiles of one size.");

    private static float[] NormaliseGain(float[] gain, string what)
    {
        double mean = gain.Average(g => (double)g);
        if (!(mean > 0) || !double.IsFinite(mean))
        {
            throw new TesseraException($"The flat-field from {what} has no positive mean: it cannot be divided out.");
        }

        for (int i = 0; i < gain.Length; i++)
        {
            // Clamp: a gain near zero would blow noise up without bound (and 1/gain must fit the fixed point).
            gain[i] = (float)Math.Clamp(gain[i] / mean, 0.05, 20);
        }

        return gain;
    }

    private static float[] ReadPlane(string path, ITileCodec codec, int width, int height, string what, bool sixteenBit = false)
    {
        if (!File.Exists(path))
        {
            throw new TesseraException($"The {what} image \"{path}\" does not exist.");
        }

        // Read through the tiles' codec, but it is not a tile: its errors say what it is. Its size is
        // checked from its header, before it is decoded.
        PixelBuffer image;
        try
        {
            ImageHeader header = codec.ReadHeader(path);
            if (header.Width != width || header.Height != height)
            {
                throw WrongSize(path, what, header.Width, header.Height, width, height);
            }

            image = codec.Decode(path, sixteenBit ? PixelFormat.Gray16 : PixelFormat.Gray8);
        }
        catch (TileReadException e)
        {
            throw new TesseraException($"Cannot read the {what} image \"{path}\": {e.Problem}.", e);
        }

        using PixelBuffer decoded = image;
        if (image.Width != width || image.Height != height)
        {
            throw WrongSize(path, what, image.Width, image.Height, width, height);
        }

        var plane = new float[width * height];
        for (int y = 0; y < height; y++)
        {
            Span<float> to = plane.AsSpan(y * width, width);
            if (sixteenBit)
            {
                ReadOnlySpan<ushort> row = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(image.Row(y));
                for (int x = 0; x < width; x++)
                {
                    to[x] = row[x];
                }
            }
            else
            {
                ReadOnlySpan<byte> row = image.Row(y);
                for (int x = 0; x < width; x++)
                {
                    to[x] = row[x];
                }
            }
        }

        return plane;
    }

    private static TesseraException WrongSize(string path, string what, int imageWidth, int imageHeight, int width, int height) =>
        new($"The {what} image \"{path}\" is {imageWidth}×{imageHeight} px but the tiles are {width}×{height} px.");

    private sealed record ChannelLayout(short[] Scale, byte[] Offset);

    private sealed record WideLayout(int[] Scale, int[] Offset);
}
