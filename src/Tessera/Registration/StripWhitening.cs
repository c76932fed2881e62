using System.Runtime.CompilerServices;

namespace Tessera.Registration;

/// <summary>
/// Flattens a strip's spectrum before it is correlated: a fine blur minus a coarse one (a
/// difference of box-blurred copies) keeps the middle frequencies where texture lives and drops
/// what gradients add, so faint texture counts as much as strong edges; divided by the coarse
/// blur, it loses the tile's gain and vignetting too, whose slope across an overlap otherwise
/// pulls the correlation peak by a tenth of a pixel.
/// </summary>
/// <remarks>
/// Where a shift is first found (strips at the decode scale) the fine blur is wide (two 5-px
/// boxes, σ ≈ 2 px): fewer chance peaks, and the JPEG block grid damped. Where it is refined
/// (full resolution) it is narrow (one 3-px box), which keeps the fine detail the subpixel step
/// lives on. Measured on the generated sets of every kind: other widths lost either pairs or accuracy.
/// </remarks>
internal sealed class StripWhitening
{
    private const int CoarseRadius = 6;
    private readonly bool _refining;
    private readonly int _width;
    private readonly int _height;
    private readonly float[] _fine;
    private readonly float[] _coarse;
    private readonly float[] _line;

    /// <param name="refining">True for the full-resolution strips a shift found at the decode scale is refined on.</param>
    public StripWhitening(int width, int height, bool refining)
    {
        _refining = refining;
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
        if (_refining)
        {
            Blur(_fine, 1, 1);
        }
        else
        {
            Blur(_fine, 2, 2);
            Blur(_fine, 2, 2);
        }

        Blur(_coarse, CoarseRadius, CoarseRadius);
        Blur(_coarse, CoarseRadius, CoarseRadius);

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

    /// <summary>The mean over [i − left, i + right] in place, rows then columns; the box shrinks at the edges.</summary>
    private void Blur(float[] values, int left, int right)
    {
        for (int y = 0; y < _height; y++)
        {
            BoxLine(values, y * _width, 1, _width, left, right);
        }

        for (int x = 0; x < _width; x++)
        {
            BoxLine(values, x, _width, _height, left, right);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void BoxLine(float[] values, int start, int step, int count, int left, int right)
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
            int wantHi = Math.Min(count, i + right + 1), wantLo = Math.Max(0, i - left);
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
