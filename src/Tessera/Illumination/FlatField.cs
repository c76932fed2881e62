using System.Globalization;
using System.Numerics;
using System.Security.Cryptography;
using Tessera.Codecs;
using Tessera.Compositing;
using Tessera.Imaging;

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

    private readonly float[] _gainInverse;
    private readonly float[] _dark;
    private readonly string _description;
    private ChannelLayout? _gray;
    private ChannelLayout? _colour;

    private FlatField(int width, int height, float[] gain, float[]? dark, string source)
    {
        Width = width;
        Height = height;
        Gain = gain;
        Dark = dark;
        _gainInverse = new float[gain.Length];
        _dark = dark ?? new float[gain.Length];
        for (int i = 0; i < gain.Length; i++)
        {
            _gainInverse[i] = 1f / gain[i];
        }

        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(gain.AsSpan()));
        hash.AppendData(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_dark.AsSpan()));
        string digest = Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
        _description = string.Create(CultureInfo.InvariantCulture,
            $"flat-field {source}, {width}×{height}, gain {gain.Min():F3}–{gain.Max():F3}{(dark is null ? "" : ", dark offset")}, sha256 {digest}");
    }

    public int Width { get; }
    public int Height { get; }

    /// <summary>The gain at each pixel of a tile, row by row; its mean is 1.</summary>
    public IReadOnlyList<float> Gain { get; }

    /// <summary>The dark offset at each pixel of a tile (0–255 units), or null for none.</summary>
    public IReadOnlyList<float>? Dark { get; }

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
    public static FlatField Estimate(IReadOnlyList<string> tiles, ITileCodec codec, PixelFormat format, int samples = DefaultSamples, string? darkFile = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(samples, 1);
        int count = Math.Min(samples, tiles.Count);
        string[] chosen = Enumerable.Range(0, count).Select(i => tiles[(int)((long)i * tiles.Count / count)]).ToArray();
        ImageHeader first = codec.ReadHeader(chosen[0]);
        int width = first.Width, height = first.Height;
        int cellsX = (width + Cell - 1) / Cell, cellsY = (height + Cell - 1) / Cell;
        float[]? dark = darkFile is null ? null : ReadPlane(darkFile, codec, width, height, "dark-field");
        float[]? darkCells = dark is null ? null : CellMeans(dark, width, height, cellsX, cellsY);

        var reduced = new float[count][];
        Parallel.For(0, count, i =>
        {
            using PixelBuffer tile = codec.Decode(chosen[i], format);
            if (tile.Width != width || tile.Height != height)
            {
                throw new TesseraException($"Cannot estimate a flat-field: \"{chosen[i]}\" is {tile.Width}×{tile.Height} px, \"{chosen[0]}\" {width}×{height} px; it needs tiles of one size.");
            }

            float[] cells = CellMeans(tile, cellsX, cellsY);
            for (int c = 0; darkCells is not null && c < cells.Length; c++)
            {
                cells[c] -= darkCells[c];
            }

            reduced[i] = cells;
        });

        float[][] lit = reduced.Where(r => r.Average() >= 4f).Select(r => Normalised(r)).ToArray();
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
            string.Create(CultureInfo.InvariantCulture, $"estimated from {lit.Length} of {count} sampled tiles"));
    }

    /// <summary>
    /// A measured field: <paramref name="gainFile"/> is an image of the illumination (a blank-field
    /// shot, or an average of many), any brightness; <paramref name="darkFile"/>, if given, an image
    /// taken with no light, in the same units as the tiles.
    /// </summary>
    public static FlatField Load(string gainFile, string? darkFile, ITileCodec codec, int tileWidth, int tileHeight)
    {
        float[] gain = ReadPlane(gainFile, codec, tileWidth, tileHeight, "flat-field");
        float[]? dark = darkFile is null ? null : ReadPlane(darkFile, codec, tileWidth, tileHeight, "dark-field");
        if (dark is not null)
        {
            for (int i = 0; i < gain.Length; i++)
            {
                gain[i] -= dark[i];
            }
        }

        return new FlatField(tileWidth, tileHeight, NormaliseGain(gain, $"\"{gainFile}\""), dark,
            $"from \"{Path.GetFileName(gainFile)}\"{(darkFile is null ? "" : $" and \"{Path.GetFileName(darkFile)}\"")}");
    }

    /// <summary>Corrects a tile in place: (value − dark) / gain, rounded, kept within 0–255; alpha is left alone.</summary>
    public void Apply(PixelBuffer tile)
    {
        if (tile.Width != Width || tile.Height != Height)
        {
            throw new TesseraException($"The flat-field is {Width}×{Height} px but a tile is {tile.Width}×{tile.Height} px.");
        }

        var (scale, offset) = PerChannel(tile.BytesPerPixel);
        int length = tile.Stride;
        for (int y = 0; y < Height; y++)
        {
            Span<byte> row = tile.Row(y);
            ReadOnlySpan<float> scaleRow = scale.AsSpan(y * length, length), offsetRow = offset.AsSpan(y * length, length);
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                int n = Vector<float>.Count;
                for (; i <= length - Vector<byte>.Count; i += Vector<byte>.Count)
                {
                    Vector.Widen(new Vector<byte>(row.Slice(i)), out Vector<ushort> low, out Vector<ushort> high);
                    Vector.Widen(low, out Vector<uint> a, out Vector<uint> b);
                    Vector.Widen(high, out Vector<uint> c, out Vector<uint> d);
                    a = Correct(a, scaleRow.Slice(i), offsetRow.Slice(i));
                    b = Correct(b, scaleRow.Slice(i + n), offsetRow.Slice(i + n));
                    c = Correct(c, scaleRow.Slice(i + (2 * n)), offsetRow.Slice(i + (2 * n)));
                    d = Correct(d, scaleRow.Slice(i + (3 * n)), offsetRow.Slice(i + (3 * n)));
                    Vector.Narrow(Vector.Narrow(a, b), Vector.Narrow(c, d)).CopyTo(row.Slice(i));
                }
            }

            for (; i < length; i++)
            {
                float v = ((row[i] - offsetRow[i]) * scaleRow[i]) + 0.5f;
                row[i] = v <= 0 ? (byte)0 : v >= 255 ? (byte)255 : (byte)v;
            }
        }
    }

    /// <summary>Same arithmetic as the scalar tail: (v − offset) × scale + 0.5, clamped, truncated.</summary>
    private static Vector<uint> Correct(Vector<uint> values, ReadOnlySpan<float> scale, ReadOnlySpan<float> offset)
    {
        Vector<float> v = ((Vector.ConvertToSingle(values) - new Vector<float>(offset)) * new Vector<float>(scale)) + new Vector<float>(0.5f);
        v = Vector.Min(Vector.Max(v, Vector<float>.Zero), new Vector<float>(255f));
        return Vector.AsVectorUInt32(Vector.ConvertToInt32(v));
    }

    /// <summary>1 / gain and the dark offset laid out like a tile's bytes (alpha: scale 1, offset 0), made once per layout.</summary>
    private (float[] Scale, float[] Offset) PerChannel(int bytesPerPixel)
    {
        if ((bytesPerPixel == 1 ? _gray : _colour) is { } ready)
        {
            return (ready.Scale, ready.Offset);
        }

        lock (_gainInverse)
        {
            var scale = new float[_gainInverse.Length * bytesPerPixel];
            var offset = new float[scale.Length];
            for (int p = 0; p < _gainInverse.Length; p++)
            {
                for (int c = 0; c < bytesPerPixel; c++)
                {
                    bool alpha = bytesPerPixel == 4 && c == 3;
                    scale[(p * bytesPerPixel) + c] = alpha ? 1f : _gainInverse[p];
                    offset[(p * bytesPerPixel) + c] = alpha ? 0f : _dark[p];
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
        int bpp = tile.BytesPerPixel;
        for (int y = 0; y < tile.Height; y++)
        {
            Span<byte> row = tile.Row(y);
            int cy = (y / Cell) * cellsX;
            for (int x = 0; x < tile.Width; x++)
            {
                int o = x * bpp;
                double luminance = bpp == 1 ? row[o] : ((299 * row[o]) + (587 * row[o + 1]) + (114 * row[o + 2])) / 1000.0;
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

    private static float[] NormaliseGain(float[] gain, string what)
    {
        double mean = gain.Average(g => (double)g);
        if (!(mean > 0) || !double.IsFinite(mean))
        {
            throw new TesseraException($"The flat-field from {what} has no positive mean: it cannot be divided out.");
        }

        for (int i = 0; i < gain.Length; i++)
        {
            // Clamp: a gain near zero would blow noise up without bound.
            gain[i] = (float)Math.Clamp(gain[i] / mean, 0.05, 20);
        }

        return gain;
    }

    private static float[] ReadPlane(string path, ITileCodec codec, int width, int height, string what)
    {
        if (!File.Exists(path))
        {
            throw new TesseraException($"The {what} image \"{path}\" does not exist.");
        }

        using PixelBuffer image = codec.Decode(path, PixelFormat.Gray8);
        if (image.Width != width || image.Height != height)
        {
            throw new TesseraException($"The {what} image \"{path}\" is {image.Width}×{image.Height} px but the tiles are {width}×{height} px.");
        }

        var plane = new float[width * height];
        for (int y = 0; y < height; y++)
        {
            Span<byte> row = image.Row(y);
            for (int x = 0; x < width; x++)
            {
                plane[(y * width) + x] = row[x];
            }
        }

        return plane;
    }

    private sealed record ChannelLayout(float[] Scale, float[] Offset);
}
