using System.Buffers;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Tessera.Codecs;
using Tessera.Imaging;

namespace Tessera.Illumination;

/// <summary>
/// A tile's luminance at 1/<see cref="Scale"/> scale, with the flat-field divided out; samples too
/// dark or too bright to carry a gain are NaN. The values are rented and given back by <see cref="Release"/>.
/// </summary>
internal sealed class ReducedTile
{
    private float[]? _values;

    private ReducedTile(float[] values, int width, int height, int scale)
    {
        _values = values;
        Width = width;
        Height = height;
        Scale = scale;
    }

    public int Width { get; }
    public int Height { get; }
    public int Scale { get; }

    public float this[int x, int y] => _values![(y * Width) + x];

    /// <summary>Decodes <paramref name="path"/> (grey, at the scale of <paramref name="field"/>) and corrects it.</summary>
    /// <exception cref="TesseraException">The tile is not the size it was placed with.</exception>
    public static ReducedTile Read(string path, PixelRect placed, ITileCodec codec, ReducedField field, GainBalanceOptions options, PixelMemoryPool pool)
    {
        int scale = field.Scale;
        using PixelBuffer image = ReducedGreyDecode.Decode(path, codec, scale, pool);
        int width = (placed.Width + scale - 1) / scale, height = (placed.Height + scale - 1) / scale;
        if (image.Width != width || image.Height != height || (field.HasField && (width != field.Width || height != field.Height)))
        {
            ImageHeader header = codec.ReadHeader(path);
            throw new TesseraException($"Tile \"{path}\" is {header.Width}×{header.Height} px but was placed as {placed.Width}×{placed.Height} px{(field.HasField ? " (and the flat-field is the tiles' size)" : "")}.");
        }

        float[] values = ArrayPool<float>.Shared.Rent(width * height);
        for (int y = 0; y < height; y++)
        {
            ReadOnlySpan<byte> row = image.Row(y)[..width];
            Span<float> target = values.AsSpan(y * width, width);
            for (int x = 0; x < width; x++)
            {
                byte v = row[x];
                target[x] = v <= options.Black || v >= options.Saturated ? float.NaN : field.Correct(v, x, y);
            }
        }

        return new ReducedTile(values, width, height, scale);
    }

    /// <summary>
    /// One edge strip of a tile at 1/<see cref="ReducedField.Scale"/> scale, as registration keeps it
    /// (<paramref name="transposed"/>: a north or south strip, tile columns as its rows), corrected
    /// as <see cref="Read"/> corrects a whole tile; (<paramref name="tileX"/>, <paramref name="tileY"/>)
    /// is its first sample's place in the reduced tile, where the flat-field is looked up.
    /// </summary>
    public static ReducedTile FromStrip(ReadOnlySpan<byte> strip, int stripWidth, int stripLength, bool transposed, int tileX, int tileY,
        ReducedField field, GainBalanceOptions options)
    {
        int width = transposed ? stripLength : stripWidth, height = transposed ? stripWidth : stripLength;
        float[] values = ArrayPool<float>.Shared.Rent(width * height);
        if (!field.HasField)
        {
            // Without a field a sample depends on its grey level alone: one table of the 256, not a
            // test and a call per sample (perf, 30×30 periodic bench grid: 4 % of register's processor time).
            Span<float> levels = stackalloc float[256];
            for (int v = 0; v < levels.Length; v++)
            {
                levels[v] = v <= options.Black || v >= options.Saturated ? float.NaN : field.Correct((byte)v, 0, 0);
            }

            // Through references, the layout chosen once: every index lies inside the strip (checked here).
            if (strip.Length < stripWidth * stripLength)
            {
                throw new ArgumentException($"The strip holds {strip.Length} bytes, not {stripWidth}×{stripLength}.", nameof(strip));
            }

            ref byte source = ref MemoryMarshal.GetReference(strip);
            ref float level = ref MemoryMarshal.GetReference(levels);
            int step = transposed ? stripWidth : 1, next = transposed ? 1 : stripWidth;
            for (int y = 0; y < height; y++)
            {
                Span<float> target = values.AsSpan(y * width, width);
                ref byte from = ref Unsafe.Add(ref source, y * next);
                for (int x = 0; x < width; x++)
                {
                    target[x] = Unsafe.Add(ref level, Unsafe.Add(ref from, x * step));
                }
            }

            return new ReducedTile(values, width, height, field.Scale);
        }

        for (int y = 0; y < height; y++)
        {
            Span<float> target = values.AsSpan(y * width, width);
            for (int x = 0; x < width; x++)
            {
                byte v = transposed ? strip[(x * stripWidth) + y] : strip[(y * stripWidth) + x];
                target[x] = v <= options.Black || v >= options.Saturated ? float.NaN : field.Correct(v, tileX + x, tileY + y);
            }
        }

        return new ReducedTile(values, width, height, field.Scale);
    }

    /// <summary>Bilinear value at (<paramref name="u"/>, <paramref name="v"/>), reduced pixel centres at whole numbers; NaN where a neighbour is.</summary>
    public float Sample(double u, double v)
    {
        int x0 = Math.Clamp((int)Math.Floor(u), 0, Width - 2), y0 = Math.Clamp((int)Math.Floor(v), 0, Height - 2);
        float fx = (float)Math.Clamp(u - x0, 0, 1), fy = (float)Math.Clamp(v - y0, 0, 1);
        float[] values = _values!;
        int o = (y0 * Width) + x0;
        float top = values[o] + (fx * (values[o + 1] - values[o]));
        float bottom = values[o + Width] + (fx * (values[o + Width + 1] - values[o + Width]));
        return top + (fy * (bottom - top));
    }

    public void Release()
    {
        if (Interlocked.Exchange(ref _values, null) is { } values)
        {
            ArrayPool<float>.Shared.Return(values);
        }
    }
}
