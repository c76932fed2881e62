using Tessera.Numerics;

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
/// are a weighted graph Laplacian plus a diagonal, bordered by the offsets: symmetric positive
/// definite and sparse, solved by conjugate gradients with the multigrid of <see cref="AggregationMultigrid"/>
/// on the tiles (a Jacobi preconditioner took 48.9 s at 600×600 tiles).
/// </summary>
/// <remarks>
/// The pull only decides what the links cannot: tiles without any link stay at 1, and slow drifts
/// across very large grids, to which the links are nearly blind, are held back. Every loop runs in
/// a fixed order, so the same links give the same gains.
/// </remarks>
public static class GainSolver
{
    /// <summary>Solves for <paramref name="tiles"/> log-gains and <paramref name="biases"/> offsets; returns them with how the iteration ended.</summary>
    /// <param name="links">Read during the call only (not copied: at 600×600 they are 23 MB).</param>
    /// <param name="gridWidth">Where above 0, the tiles are a grid this wide, row-major, which the solve may store its matrix on (the same gains, less storage).</param>
    public static (double[] LogGains, double[] Biases, GainSolveStats Stats) Solve(int tiles, ReadOnlyMemory<GainLink> links, double pull,
        int biases = 0, double biasPull = 1, double tolerance = 1e-9, int maxIterations = 20_000, int gridWidth = 0)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(pull);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(biasPull);
        var b = new double[tiles + biases];
        foreach (GainLink link in links.Span)
        {
            b[link.First] += link.Weight * link.LogRatio;
            b[link.Second] -= link.Weight * link.LogRatio;
            if (link.Bias >= 0)
            {
                b[tiles + link.Bias] += link.Sign * link.Weight * link.LogRatio;
            }
        }

        var system = new GainSystem(tiles, links, pull, biases, biasPull, gridWidth);
        var x = new double[tiles + biases];
        SolveStats stats = ConjugateGradients.Solve(system, system.Preconditioner(), b, x, tolerance, maxIterations);
        return (x[..tiles], x[tiles..], new GainSolveStats(stats.Iterations, stats.RelativeResidual));
    }
}
