namespace Tessera.Numerics;

/// <summary>A = L Lᵀ of a small symmetric positive definite matrix, for the coarsest level of the multigrid.</summary>
internal sealed class DenseCholesky
{
    private readonly int _n;
    private readonly double[] _l;

    /// <param name="dense">Row-major n×n; overwritten with the factor.</param>
    public DenseCholesky(double[] dense, int n)
    {
        _n = n;
        _l = dense;
        for (int j = 0; j < n; j++)
        {
            double d = _l[(j * n) + j];
            for (int k = 0; k < j; k++)
            {
                d -= _l[(j * n) + k] * _l[(j * n) + k];
            }

            // The pulls keep every aggregate's matrix positive definite; rounding alone could make a pivot vanish.
            d = Math.Sqrt(Math.Max(d, double.Epsilon));
            _l[(j * n) + j] = d;
            for (int i = j + 1; i < n; i++)
            {
                double s = _l[(i * n) + j];
                for (int k = 0; k < j; k++)
                {
                    s -= _l[(i * n) + k] * _l[(j * n) + k];
                }

                _l[(i * n) + j] = s / d;
            }
        }
    }

    /// <summary>x = A⁻¹ b.</summary>
    public void Solve(ReadOnlySpan<double> b, Span<double> x)
    {
        for (int i = 0; i < _n; i++)
        {
            double s = b[i];
            for (int k = 0; k < i; k++)
            {
                s -= _l[(i * _n) + k] * x[k];
            }

            x[i] = s / _l[(i * _n) + i];
        }

        for (int i = _n - 1; i >= 0; i--)
        {
            double s = x[i];
            for (int k = i + 1; k < _n; k++)
            {
                s -= _l[(k * _n) + i] * x[k];
            }

            x[i] = s / _l[(i * _n) + i];
        }
    }
}
