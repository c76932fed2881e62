namespace Tessera.Numerics;

/// <summary>
/// Flexible preconditioned conjugate gradients for a symmetric positive definite system (the
/// Polak–Ribière β, which tolerates a preconditioner that changes a little from one step to the next,
/// as a K-cycle does), in a fixed order of operations: the same input gives the same bits.
/// </summary>
internal static class ConjugateGradients
{
    /// <summary>Solves A x = b from the start value in <paramref name="x"/> until |b − A x| ≤ <paramref name="tolerance"/> · |b|.</summary>
    public static SolveStats Solve(ISymmetricOperator a, IPreconditioner preconditioner, ReadOnlySpan<double> b, Span<double> x,
        double tolerance, int maxIterations) =>
        Solve(a, preconditioner, b, x, tolerance, maxIterations, new double[WorkLength(a.Size)]);

    /// <summary>The length of the work array of a system of <paramref name="size"/> unknowns: five vectors.</summary>
    public static int WorkLength(int size) => 5 * size;

    /// <summary>The same, with the iteration's vectors in <paramref name="work"/> (at least <see cref="WorkLength"/> long), so that solving again allocates nothing.</summary>
    public static SolveStats Solve(ISymmetricOperator a, IPreconditioner preconditioner, ReadOnlySpan<double> b, Span<double> x,
        double tolerance, int maxIterations, Span<double> work)
    {
        int n = a.Size;
        double normB = Math.Sqrt(Dot(b, b));
        if (normB == 0)
        {
            x.Clear();
            return new SolveStats(0, 0);
        }

        Span<double> r = work[..n], z = work.Slice(n, n), p = work.Slice(2 * n, n), q = work.Slice(3 * n, n), previous = work.Slice(4 * n, n);
        a.Multiply(x, r);
        for (int i = 0; i < n; i++)
        {
            r[i] = b[i] - r[i];
        }

        double relative = Math.Sqrt(Dot(r, r)) / normB;
        int iteration = 0;
        if (relative <= tolerance)
        {
            return new SolveStats(0, relative);
        }

        preconditioner.Apply(r, z);
        z.CopyTo(p);
        double rz = Dot(r, z);
        while (iteration < maxIterations)
        {
            a.Multiply(p, q);
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

            z.CopyTo(previous);
            preconditioner.Apply(r, z);
            double next = Dot(r, z), beta = (next - Dot(r, previous)) / rz;
            rz = next;
            for (int i = 0; i < n; i++)
            {
                p[i] = z[i] + (beta * p[i]);
            }
        }

        return new SolveStats(iteration, relative);
    }

    private static double Dot(ReadOnlySpan<double> a, ReadOnlySpan<double> b)
    {
        double sum = 0;
        for (int i = 0; i < a.Length; i++)
        {
            sum += a[i] * b[i];
        }

        return sum;
    }
}
