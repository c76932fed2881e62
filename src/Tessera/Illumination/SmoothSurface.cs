namespace Tessera.Illumination;

/// <summary>
/// A polynomial surface in u and v (each from −1 to 1 across the tile), fitted by least squares:
/// smooth by construction, so noise and specimen left in a raw illumination estimate do not come
/// through.
/// </summary>
internal sealed class SmoothSurface
{
    private readonly int _degree;
    private readonly double[] _coefficients;

    private SmoothSurface(int degree, double[] coefficients)
    {
        _degree = degree;
        _coefficients = coefficients;
    }

    /// <summary>Fits samples taken at the centres of a <paramref name="across"/>×<paramref name="down"/> grid of cells.</summary>
    public static SmoothSurface Fit(IReadOnlyList<double> samples, int across, int down, int degree)
    {
        int terms = (degree + 1) * (degree + 2) / 2;
        var normal = new double[terms, terms];
        var right = new double[terms];
        var basis = new double[terms];
        for (int j = 0; j < down; j++)
        {
            double v = (((j + 0.5) / down) * 2) - 1;
            for (int i = 0; i < across; i++)
            {
                double u = (((i + 0.5) / across) * 2) - 1;
                Basis(u, v, degree, basis);
                double value = samples[(j * across) + i];
                for (int a = 0; a < terms; a++)
                {
                    right[a] += basis[a] * value;
                    for (int b = 0; b <= a; b++)
                    {
                        normal[a, b] += basis[a] * basis[b];
                    }
                }
            }
        }

        for (int a = 0; a < terms; a++)
        {
            for (int b = a + 1; b < terms; b++)
            {
                normal[a, b] = normal[b, a];
            }
        }

        // Fewer cells than terms (a tiny tile) leaves the system singular: fall back to lower degrees.
        return SolveSymmetric(normal, right) is { } solution ? new SmoothSurface(degree, solution)
            : degree > 0 ? Fit(samples, across, down, degree - 1)
            : new SmoothSurface(0, [samples.Average()]);
    }

    public double At(double u, double v)
    {
        Span<double> basis = stackalloc double[_coefficients.Length];
        Basis(u, v, _degree, basis);
        double sum = 0;
        for (int i = 0; i < basis.Length; i++)
        {
            sum += basis[i] * _coefficients[i];
        }

        return sum;
    }

    /// <summary>u^p v^q for every p + q ≤ degree.</summary>
    private static void Basis(double u, double v, int degree, Span<double> basis)
    {
        Span<double> us = stackalloc double[degree + 1];
        Span<double> vs = stackalloc double[degree + 1];
        us[0] = vs[0] = 1;
        for (int p = 1; p <= degree; p++)
        {
            us[p] = us[p - 1] * u;
            vs[p] = vs[p - 1] * v;
        }

        int k = 0;
        for (int total = 0; total <= degree; total++)
        {
            for (int q = 0; q <= total; q++)
            {
                basis[k++] = us[total - q] * vs[q];
            }
        }
    }

    /// <summary>Cholesky solve of a symmetric positive definite system; null if it is not.</summary>
    private static double[]? SolveSymmetric(double[,] a, double[] b)
    {
        int n = b.Length;
        var l = new double[n, n];
        for (int i = 0; i < n; i++)
        {
            for (int j = 0; j <= i; j++)
            {
                double sum = a[i, j];
                for (int k = 0; k < j; k++)
                {
                    sum -= l[i, k] * l[j, k];
                }

                if (i == j)
                {
                    if (sum <= 1e-12 * Math.Max(1, a[i, i]))
                    {
                        return null;
                    }

                    l[i, i] = Math.Sqrt(sum);
                }
                else
                {
                    l[i, j] = sum / l[j, j];
                }
            }
        }

        var y = new double[n];
        for (int i = 0; i < n; i++)
        {
            double sum = b[i];
            for (int k = 0; k < i; k++)
            {
                sum -= l[i, k] * y[k];
            }

            y[i] = sum / l[i, i];
        }

        var x = new double[n];
        for (int i = n - 1; i >= 0; i--)
        {
            double sum = y[i];
            for (int k = i + 1; k < n; k++)
            {
                sum -= l[k, i] * x[k];
            }

            x[i] = sum / l[i, i];
        }

        return x;
    }
}
