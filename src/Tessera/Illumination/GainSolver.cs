namespace Tessera.Illumination;

/// <summary>
/// One measured neighbour pair: ln(gain of First) − ln(gain of Second) + Sign × bias[Bias] ≈
/// <see cref="LogRatio"/>, trusted as much as <see cref="Weight"/> says. <see cref="Bias"/> names
/// the shared offset of the pair's direction (−1 for none).
/// </summary>
public readonly record struct GainLink(int First, int Second, double LogRatio, double Weight, int Bias = -1, int Sign = 1);

/// <summary>What the solve of the log-gains did.</summary>
/// <param name="Iterations">Conjugate-gradient iterations run.</param>
/// <param name="RelativeResidual">|b − A x| / |b| at the end (0 when there was nothing to solve).</param>
public readonly record struct GainSolveStats(int Iterations, double RelativeResidual);

/// <summary>
/// Least squares of log-gains over all links, pulled weakly towards 0 (gain 1), with optional
/// shared offsets per link direction pulled towards 0 too:
/// minimise Σ w (l_a − l_b + s·β_k − r)² + pull · Σ l² + biasPull · Σ β². The normal equations
/// are a weighted graph Laplacian plus a diagonal, symmetric positive definite and sparse: solved
/// by conjugate gradients with a Jacobi preconditioner, in memory proportional to the tiles and
/// links, without forming a matrix.
/// </summary>
/// <remarks>
/// The pull only decides what the links cannot: tiles without any link stay at 1, and slow drifts
/// across very large grids, to which the links are nearly blind, are held back. Every loop runs in
/// a fixed order, so the same links give the same gains.
/// </remarks>
public static class GainSolver
{
    /// <summary>Solves for <paramref name="tiles"/> log-gains and <paramref name="biases"/> offsets; returns them with how the iteration ended.</summary>
    public static (double[] LogGains, double[] Biases, GainSolveStats Stats) Solve(int tiles, ReadOnlySpan<GainLink> links, double pull,
        int biases = 0, double biasPull = 1, double tolerance = 1e-9, int maxIterations = 20_000)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pull);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(biasPull);
        int n = tiles + biases;
        var diagonal = new double[n];
        var b = new double[n];
        diagonal.AsSpan(0, tiles).Fill(pull);
        diagonal.AsSpan(tiles).Fill(biasPull);
        foreach (GainLink link in links)
        {
            diagonal[link.First] += link.Weight;
            diagonal[link.Second] += link.Weight;
            b[link.First] += link.Weight * link.LogRatio;
            b[link.Second] -= link.Weight * link.LogRatio;
            if (link.Bias >= 0)
            {
                diagonal[tiles + link.Bias] += link.Weight;
                b[tiles + link.Bias] += link.Sign * link.Weight * link.LogRatio;
            }
        }

        double[] x = ConjugateGradients(b, diagonal, links, tiles, tolerance, maxIterations, out GainSolveStats stats);
        return (x[..tiles], x[tiles..], stats);
    }

    private static double[] ConjugateGradients(double[] b, double[] diagonal, ReadOnlySpan<GainLink> links, int tiles,
        double tolerance, int maxIterations, out GainSolveStats stats)
    {
        int n = b.Length;
        var x = new double[n];
        double normB = Math.Sqrt(Dot(b, b));
        if (normB == 0)
        {
            stats = new GainSolveStats(0, 0);
            return x;
        }

        // x = 0, so the residual starts as b.
        double[] r = (double[])b.Clone();
        var z = new double[n];
        var q = new double[n];
        Precondition(r, diagonal, z);
        double[] p = (double[])z.Clone();
        double rz = Dot(r, z), relative = 1;
        int iteration = 0;
        while (iteration < maxIterations)
        {
            Multiply(p, diagonal, links, tiles, q);
            double alpha = rz / Dot(p, q);
            for (int i = 0; i < n; i++)
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
            double next = Dot(r, z), beta = next / rz;
            rz = next;
            for (int i = 0; i < n; i++)
            {
                p[i] = z[i] + (beta * p[i]);
            }
        }

        stats = new GainSolveStats(iteration, relative);
        return x;
    }

    /// <summary>result = A · v: the pulls on the diagonal, and each link's w · (v_a − v_b + s·v_β) added back to its unknowns.</summary>
    private static void Multiply(double[] v, double[] diagonal, ReadOnlySpan<GainLink> links, int tiles, double[] result)
    {
        for (int i = 0; i < v.Length; i++)
        {
            result[i] = diagonal[i] * v[i];
        }

        foreach (GainLink link in links)
        {
            result[link.First] -= link.Weight * v[link.Second];
            result[link.Second] -= link.Weight * v[link.First];
            if (link.Bias >= 0)
            {
                int k = tiles + link.Bias;
                double coupling = link.Sign * link.Weight;
                result[link.First] += coupling * v[k];
                result[link.Second] -= coupling * v[k];
                result[k] += coupling * (v[link.First] - v[link.Second]);
            }
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
