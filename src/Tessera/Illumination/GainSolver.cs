namespace Tessera.Illumination;

/// <summary>One measured neighbour pair: ln(gain of First) − ln(gain of Second) ≈ <see cref="LogRatio"/>, trusted as much as <see cref="Weight"/> says.</summary>
public readonly record struct GainLink(int First, int Second, double LogRatio, double Weight);

/// <summary>What the solve of the log-gains did.</summary>
/// <param name="Iterations">Conjugate-gradient iterations run.</param>
/// <param name="RelativeResidual">|b − A x| / |b| at the end (0 when there was nothing to solve).</param>
public readonly record struct GainSolveStats(int Iterations, double RelativeResidual);

/// <summary>
/// Least squares of log-gains over all links, pulled weakly towards 0 (gain 1):
/// minimise Σ w (l_a − l_b − r)² + pull · Σ l². The normal equations are a weighted graph
/// Laplacian plus pull · I, symmetric positive definite and sparse: solved by conjugate gradients
/// with a Jacobi preconditioner, in memory proportional to the tiles and links, without a matrix.
/// </summary>
/// <remarks>
/// The pull leaves the mean log-gain at exactly 0 (every link adds as much to one tile's equation
/// as it takes from the other's), so it only decides what the links cannot: tiles without any
/// link stay at 1, and slow drifts across very large grids, to which the links are nearly blind,
/// are held back. Every loop runs in a fixed order, so the same links give the same gains.
/// </remarks>
public static class GainSolver
{
    /// <summary>Solves for <paramref name="tiles"/> log-gains; returns them with how the iteration ended.</summary>
    public static (double[] LogGains, GainSolveStats Stats) Solve(int tiles, ReadOnlySpan<GainLink> links, double pull,
        double tolerance = 1e-9, int maxIterations = 20_000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pull);
        var diagonal = new double[tiles];
        var b = new double[tiles];
        Array.Fill(diagonal, pull);
        foreach (GainLink link in links)
        {
            diagonal[link.First] += link.Weight;
            diagonal[link.Second] += link.Weight;
            b[link.First] += link.Weight * link.LogRatio;
            b[link.Second] -= link.Weight * link.LogRatio;
        }

        var x = new double[tiles];
        double normB = Math.Sqrt(Dot(b, b));
        if (normB == 0)
        {
            return (x, new GainSolveStats(0, 0));
        }

        // x = 0, so the residual starts as b.
        double[] r = (double[])b.Clone();
        var z = new double[tiles];
        var p = new double[tiles];
        var q = new double[tiles];
        Precondition(r, diagonal, z);
        z.AsSpan().CopyTo(p);
        double rz = Dot(r, z);
        int iteration = 0;
        double relative = 1;
        while (iteration < maxIterations)
        {
            Multiply(p, diagonal, links, q);
            double alpha = rz / Dot(p, q);
            for (int i = 0; i < tiles; i++)
            {
                x[i] += alpha * p[i];
                r[i] -= alpha * q[i];
            }

            iteration++;
            relative = Math.Sqrt(Dot(r, r)) / normB;
            if (relative <= tolerance)
            {
                break;
            }

            Precondition(r, diagonal, z);
            double next = Dot(r, z);
            double beta = next / rz;
            rz = next;
            for (int i = 0; i < tiles; i++)
            {
                p[i] = z[i] + (beta * p[i]);
            }
        }

        return (x, new GainSolveStats(iteration, relative));
    }

    /// <summary>result = (L + pull · I) · v, with L the weighted Laplacian of the links.</summary>
    private static void Multiply(double[] v, double[] diagonal, ReadOnlySpan<GainLink> links, double[] result)
    {
        for (int i = 0; i < v.Length; i++)
        {
            result[i] = diagonal[i] * v[i];
        }

        foreach (GainLink link in links)
        {
            result[link.First] -= link.Weight * v[link.Second];
            result[link.Second] -= link.Weight * v[link.First];
        }
    }

    private static void Precondition(double[] r, double[] diagonal, double[] z)
    {
        for (int i = 0; i < r.Length; i++)
        {
            z[i] = r[i] / diagonal[i];
        }
    }

    private static double Dot(double[] a, double[] b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}
