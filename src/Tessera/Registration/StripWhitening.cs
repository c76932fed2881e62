using System.Runtime.CompilerServices;

namespace Tessera.Registration;

/// <summary>
/// Flattens a strip's spectrum before it is correlated: a difference of Gaussians (each two box
/// blurs, σ ≈ 1.6 and 5 px at the decode scale, as much more at full resolution) keeps the middle frequencies where texture lives and drops what
/// gradients add, so faint texture counts as much as strong edges; divided by the coarse blur, it
/// loses the tile's gain and vignetting too, whose slope across an overlap otherwise pulls the
/// correlation peak by a tenth of a pixel. The fine blur also damps the JPEG block grid (4 px at
/// half scale), which on near-flat images correlates better than the image itself.
/// </summary>
internal sealed class StripWhitening
{
    private const int FineRadius = 2;
    private const int CoarseRadius = 6;
    private readonly int _fineRadius;
    private readonly int _coarseRadius;
    private readonly int _width;
    private readonly int _height;
    private readonly float[] _fine;
    private readonly float[] _coarse;
    private readonly float[] _line;

    /// <param name="scale">Strip pixels per decode-scale pixel: the radii grow with it.</param>
    public StripWhitening(int width, int height, int scale = 1)
    {
        _fineRadius = FineRadius * scale;
        _coarseRadius = CoarseRadius * scale;
        _width = width;
        _height = height;
        _fine = new float[width * height];
        _coarse = new float[width * height];
        _line = new float[Math.Max(width, height)];
    }

    /// <summary>Writes the whitened strip to <paramref name="target"/> and returns its standard deviation (grey levels).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public double Apply(ReadOnlySpan<byte> source, float[] target)
    {
        int n = _width * _height;
        for (int i = 0; i < n; i++)
        {
            _fine[i] = source[i];
        }

        _fine.AsSpan(0, n).CopyTo(_coarse);
        for (int pass = 0; pass < 2; pass++)
        {
            Blur(_fine, _fineRadius);
            Blur(_coarse, _coarseRadius);
        }

        double level = 0;
        for (int i = 0; i < n; i++)
        {
            level += _coarse[i];
        }

        // In grey levels of the strip's mean brightness, so that MinTexture keeps its meaning.
        float mean = (float)(level / n) + 1;
        double sum = 0, sumSq = 0;
        for (int i = 0; i < n; i++)
        {
            float v = mean * (_fine[i] - _coarse[i]) / (_coarse[i] + 1);
            target[i] = v;
            sum += v;
            sumSq += v * v;
        }

        double average = sum / n;
        return Math.Sqrt(Math.Max(0, (sumSq / n) - (average * average)));
    }

    /// <summary>A (2r+1)² box mean in place, rows then columns; the box shrinks at the edges.</summary>
    private void Blur(float[] values, int r)
    {
        for (int y = 0; y < _height; y++)
        {
            BoxLine(values, y * _width, 1, _width, r);
        }

        for (int x = 0; x < _width; x++)
        {
            BoxLine(values, x, _width, _height, r);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BoxLine(float[] values, int start, int step, int count, int r)
    {
        Span<float> line = _line.AsSpan(0, count);
        for (int i = 0; i < count; i++)
        {
            line[i] = values[start + (i * step)];
        }

        float running = 0;
        int lo = 0, hi = 0; // the box is [lo, hi)
        for (int i = 0; i < count; i++)
        {
            int wantHi = Math.Min(count, i + r + 1), wantLo = Math.Max(0, i - r);
            while (hi < wantHi)
            {
                running += line[hi++];
            }

            while (lo < wantLo)
            {
                running -= line[lo++];
            }

            values[start + (i * step)] = running / (hi - lo);
        }
    }
}
