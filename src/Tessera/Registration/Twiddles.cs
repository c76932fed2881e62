using System.Runtime.Intrinsics;

namespace Tessera.Registration;

/// <summary>
/// The factors e^{2πi·k·s/n} of a matrix-multiply DFT (<see cref="UpsampledPeak"/>) for signed
/// frequencies k and a grid of points s = c + (j − m)·spacing around a centre c. The part that
/// depends on j alone, e^{2πi·k·(j − m)·spacing/n}, is worked out once per size and spacing; a new
/// centre costs one complex power series and a product, not a sine and cosine per entry.
/// </summary>
internal sealed class Twiddles
{
    private readonly int _n;
    private readonly int _points;
    private readonly float[][] _stepRe;
    private readonly float[][] _stepIm;
    private readonly double[] _centreRe;
    private readonly double[] _centreIm;

    public Twiddles(int n, int points, ReadOnlySpan<double> spacings)
    {
        _n = n;
        _points = points;
        Re = new float[n * points];
        Im = new float[n * points];
        _centreRe = new double[n];
        _centreIm = new double[n];
        _stepRe = new float[spacings.Length][];
        _stepIm = new float[spacings.Length][];
        for (int level = 0; level < spacings.Length; level++)
        {
            _stepRe[level] = new float[n * points];
            _stepIm[level] = new float[n * points];
            for (int j = 0; j < points; j++)
            {
                double s = (j - (points / 2)) * spacings[level];
                for (int k = 0; k < n; k++)
                {
                    (double sin, double cos) = Math.SinCos(2 * Math.PI * Signed(k) * s / n);
                    _stepRe[level][(j * n) + k] = (float)cos;
                    _stepIm[level][(j * n) + k] = (float)sin;
                }
            }
        }
    }

    /// <summary>Real parts of the last <see cref="Fill"/>, point j's row at <c>j · n</c>.</summary>
    public float[] Re { get; }

    /// <summary>Imaginary parts, laid out as <see cref="Re"/>.</summary>
    public float[] Im { get; }

    /// <summary>
    /// Sets <see cref="Re"/> and <see cref="Im"/> to the grid of spacing number <paramref name="level"/>
    /// around <paramref name="centre"/>: of each point's row the first <paramref name="count"/>
    /// frequencies (all where null; the rest keep what they held).
    /// </summary>
    public void Fill(double centre, int level, int? count = null)
    {
        int used = Math.Min(count ?? _n, _n);
        // e^{2πi·k·c/n} for k = 0 … n/2 by repeated multiplication (double: error ~k·1e-16), and
        // its conjugate for the negative frequencies.
        (double sin, double cos) = Math.SinCos(2 * Math.PI * centre / _n);
        double zr = 1, zi = 0;
        for (int m = 0; m <= _n / 2; m++)
        {
            if (m < (_n + 1) / 2)
            {
                _centreRe[m] = zr;
                _centreIm[m] = zi;
            }

            if (m > 0 && _n - m >= (_n + 1) / 2)
            {
                _centreRe[_n - m] = zr;
                _centreIm[_n - m] = -zi;
            }

            (zr, zi) = ((zr * cos) - (zi * sin), (zr * sin) + (zi * cos));
        }

        float[] stepRe = _stepRe[level], stepIm = _stepIm[level];
        for (int j = 0; j < _points; j++)
        {
            int row = j * _n, k = 0;

            // Four at a time where vectors of doubles are fast: the same double products, rounded to float the same.
            for (; Vector256.IsHardwareAccelerated && k + 4 <= used; k += 4)
            {
                Vector256<double> ar = Vector256.Create(_centreRe.AsSpan(k, 4)), ai = Vector256.Create(_centreIm.AsSpan(k, 4));
                Vector256<double> br = Vector256.WidenLower(Vector128.Create(stepRe.AsSpan(row + k, 4)).ToVector256Unsafe());
                Vector256<double> bi = Vector256.WidenLower(Vector128.Create(stepIm.AsSpan(row + k, 4)).ToVector256Unsafe());
                Vector256.Narrow((ar * br) - (ai * bi), Vector256<double>.Zero).GetLower().CopyTo(Re.AsSpan(row + k, 4));
                Vector256.Narrow((ar * bi) + (ai * br), Vector256<double>.Zero).GetLower().CopyTo(Im.AsSpan(row + k, 4));
            }

            for (; k < used; k++)
            {
                double ar = _centreRe[k], ai = _centreIm[k], br = stepRe[row + k], bi = stepIm[row + k];
                Re[row + k] = (float)((ar * br) - (ai * bi));
                Im[row + k] = (float)((ar * bi) + (ai * br));
            }
        }
    }

    /// <summary>Index k of an n-point DFT as a signed frequency: k below n/2, else k − n (the Nyquist index n/2 counts as negative for even n, as before).</summary>
    private int Signed(int k) => k < (_n + 1) / 2 ? k : k - _n;
}
