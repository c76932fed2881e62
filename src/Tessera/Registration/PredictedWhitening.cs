namespace Tessera.Registration;

/// <summary>
/// The whitening of the second pass (<see cref="SecondPass"/>): a difference of Gaussians of σ 1.15
/// and 3.65 decoded px divided by the coarse blur plus <see cref="DarkFloor"/>, the strip continued
/// beyond its ends as its point reflection. On the 8×8 faint-gradient set (bench/pair_signal.py,
/// docs/BENCHMARKS.md 2026-12-02) it lifts the true match from about 0 (the first pass's clipped
/// boxes, whose tile border every strip shares) to 0.31 at a score noise of ±0.05.
/// </summary>
internal sealed class PredictedWhitening
{
    public const double FineSigma = 1.15;
    public const double CoarseSigma = 3.65;
    private const float DarkFloor = 16;

    private readonly int _width;
    private readonly int _length;
    private readonly float[] _fineKernel = Kernel(FineSigma);
    private readonly float[] _coarseKernel = Kernel(CoarseSigma);
    private readonly float[] _line;
    private readonly float[] _out;
    private readonly float[] _fine;
    private readonly float[] _coarse;
    private readonly float[] _temp;

    /// <param name="width">Strip width (across the seam).</param>
    /// <param name="length">Strip length (along the seam).</param>
    public PredictedWhitening(int width, int length)
    {
        (_width, _length) = (width, length);
        _line = new float[Math.Max(width, length)];
        _out = new float[Math.Max(width, length)];
        _fine = new float[width * length];
        _coarse = new float[width * length];
        _temp = new float[width * length];
    }

    /// <summary>Whitens a strip of grey levels (width × length, row-major) into a new array.</summary>
    public float[] Apply(ReadOnlySpan<byte> strip)
    {
        int n = _width * _length;
        var source = new float[n];
        for (int i = 0; i < n; i++)
        {
            source[i] = strip[i];
        }

        Blur(source, _fineKernel, _fine);
        Blur(source, _coarseKernel, _coarse);
        double level = 0;
        for (int i = 0; i < n; i++)
        {
            level += _coarse[i];
        }

        float mean = (float)(level / n) + DarkFloor;
        for (int i = 0; i < n; i++)
        {
            source[i] = mean * (_fine[i] - _coarse[i]) / (_coarse[i] + DarkFloor);
        }

        return source;
    }

    private static float[] Kernel(double sigma)
    {
        int radius = (int)Math.Ceiling(4 * sigma);
        var k = new float[(2 * radius) + 1];
        double sum = 0;
        for (int i = -radius; i <= radius; i++)
        {
            sum += k[i + radius] = (float)Math.Exp(-(i * i) / (2 * sigma * sigma));
        }

        for (int i = 0; i < k.Length; i++)
        {
            k[i] = (float)(k[i] / sum);
        }

        return k;
    }

    // Rows first (along the width), then columns (along the length), each line point-reflected at its ends.
    private void Blur(float[] source, float[] kernel, float[] target)
    {
        int w = _width, h = _length;
        for (int y = 0; y < h; y++)
        {
            source.AsSpan(y * w, w).CopyTo(_line);
            Line(_line.AsSpan(0, w), kernel, _out.AsSpan(0, w));
            _out.AsSpan(0, w).CopyTo(_temp.AsSpan(y * w, w));
        }

        for (int x = 0; x < w; x++)
        {
            for (int y = 0; y < h; y++)
            {
                _line[y] = _temp[(y * w) + x];
            }

            Line(_line.AsSpan(0, h), kernel, _out.AsSpan(0, h));
            for (int y = 0; y < h; y++)
            {
                target[(y * w) + x] = _out[y];
            }
        }
    }

    private static void Line(ReadOnlySpan<float> line, float[] kernel, Span<float> target)
    {
        int n = line.Length, radius = kernel.Length / 2;
        for (int i = 0; i < n; i++)
        {
            float sum = 0;
            for (int k = -radius; k <= radius; k++)
            {
                sum += kernel[k + radius] * At(line, i + k);
            }

            target[i] = sum;
        }
    }

    /// <summary>Sample j of a line continued beyond its ends as its point reflection: s(−k) = 2·s(0) − s(k).</summary>
    private static float At(ReadOnlySpan<float> line, int j)
    {
        int n = line.Length;
        return j < 0 ? (2 * line[0]) - line[Math.Min(-j, n - 1)]
            : j >= n ? (2 * line[n - 1]) - line[Math.Max((2 * n) - 2 - j, 0)]
            : line[j];
    }
}
