namespace Tessera.Numerics;

/// <summary>
/// A weighted graph Laplacian plus a non-negative diagonal (the pulls), A = diag(pull) + Σ w (eᵢ − eⱼ)(eᵢ − eⱼ)ᵀ,
/// stored by rows (CSR) with the off-diagonal weights w (A[i, j] = −w). Such matrices stay of this
/// form under aggregation (<see cref="Coarsen"/>), which is what lets one multigrid serve the tile
/// positions and the tile gains alike.
/// </summary>
internal sealed class LaplacianMatrix : ISymmetricOperator
{
    private readonly double[] _pull;
    private readonly double[] _diagonal;
    private readonly int[] _rowStart;
    private readonly int[] _column;
    private readonly double[] _weight;

    private LaplacianMatrix(double[] pull, int[] rowStart, int[] column, double[] weight)
    {
        _pull = pull;
        _rowStart = rowStart;
        _column = column;
        _weight = weight;
        _diagonal = new double[pull.Length];
        for (int i = 0; i < pull.Length; i++)
        {
            double d = pull[i];
            for (int k = rowStart[i]; k < rowStart[i + 1]; k++)
            {
                d += weight[k];
            }

            _diagonal[i] = d;
        }
    }

    public int Size => _pull.Length;

    /// <summary>Off-diagonal entries stored (each link twice).</summary>
    public int Entries => _column.Length;

    /// <summary>A[i, i].</summary>
    public double Diagonal(int i) => _diagonal[i];

    /// <summary>Whether unknown <paramref name="i"/> is joined to any other.</summary>
    public bool HasNeighbours(int i) => _rowStart[i + 1] > _rowStart[i];

    /// <summary>The matrix of <paramref name="pulls"/> (one per unknown, ≥ 0) and <paramref name="links"/> (weights ≥ 0; a link of a tile to itself counts nothing).</summary>
    public static LaplacianMatrix FromLinks(ReadOnlySpan<double> pulls, ReadOnlySpan<LaplacianLink> links)
    {
        int n = pulls.Length;
        var rowStart = new int[n + 1];
        foreach (LaplacianLink link in links)
        {
            if (link.First != link.Second && link.Weight > 0)
            {
                rowStart[link.First + 1]++;
                rowStart[link.Second + 1]++;
            }
        }

        for (int i = 0; i < n; i++)
        {
            rowStart[i + 1] += rowStart[i];
        }

        var fill = rowStart[..n];
        var column = new int[rowStart[n]];
        var weight = new double[rowStart[n]];
        foreach (LaplacianLink link in links)
        {
            if (link.First != link.Second && link.Weight > 0)
            {
                (column[fill[link.First]], weight[fill[link.First]++]) = (link.Second, link.Weight);
                (column[fill[link.Second]], weight[fill[link.Second]++]) = (link.First, link.Weight);
            }
        }

        return new LaplacianMatrix(pulls.ToArray(), rowStart, column, weight);
    }

    public void Multiply(ReadOnlySpan<double> v, Span<double> result)
    {
        for (int i = 0; i < _pull.Length; i++)
        {
            double s = _diagonal[i] * v[i];
            for (int k = _rowStart[i]; k < _rowStart[i + 1]; k++)
            {
                s -= _weight[k] * v[_column[k]];
            }

            result[i] = s;
        }
    }

    /// <summary>result = b − A x.</summary>
    public void Residual(ReadOnlySpan<double> b, ReadOnlySpan<double> x, Span<double> result)
    {
        Multiply(x, result);
        for (int i = 0; i < result.Length; i++)
        {
            result[i] = b[i] - result[i];
        }
    }

    /// <summary>One Gauss–Seidel sweep of A x = b in increasing order of the unknowns.</summary>
    public void SweepForward(ReadOnlySpan<double> b, Span<double> x)
    {
        for (int i = 0; i < _pull.Length; i++)
        {
            Relax(i, b, x);
        }
    }

    /// <summary>The same sweep in decreasing order: after <see cref="SweepForward"/> it makes the smoother symmetric.</summary>
    public void SweepBackward(ReadOnlySpan<double> b, Span<double> x)
    {
        for (int i = _pull.Length - 1; i >= 0; i--)
        {
            Relax(i, b, x);
        }
    }

    private void Relax(int i, ReadOnlySpan<double> b, Span<double> x)
    {
        double s = b[i];
        for (int k = _rowStart[i]; k < _rowStart[i + 1]; k++)
        {
            s += _weight[k] * x[_column[k]];
        }

        x[i] = s / _diagonal[i];
    }

    /// <summary>
    /// Pairs each unknown with its most strongly linked unpaired neighbour, in order (heavy-edge
    /// matching): aggregate numbers per unknown, −1 for an unknown without neighbours (the
    /// smoother solves it exactly, so the coarse levels need not carry it).
    /// </summary>
    public int[] PairwiseAggregates(out int count)
    {
        int n = _pull.Length;
        var aggregate = new int[n];
        Array.Fill(aggregate, int.MinValue);
        count = 0;
        for (int i = 0; i < n; i++)
        {
            if (aggregate[i] != int.MinValue)
            {
                continue;
            }

            if (!HasNeighbours(i))
            {
                aggregate[i] = -1;
                continue;
            }

            // (Leaving a weakly linked unknown unpaired, as some aggregation schemes do, made no
            // difference to the iterations on registration weights and coarsened less.)
            int best = -1;
            double strongest = 0;
            for (int k = _rowStart[i]; k < _rowStart[i + 1]; k++)
            {
                int j = _column[k];
                if (aggregate[j] == int.MinValue && _weight[k] > strongest)
                {
                    (best, strongest) = (j, _weight[k]);
                }
            }

            aggregate[i] = count;
            if (best >= 0)
            {
                aggregate[best] = count;
            }

            count++;
        }

        return aggregate;
    }

    /// <summary>
    /// Pᵀ A P for the piecewise-constant P of <paramref name="aggregate"/>: pulls add up, links
    /// between two aggregates add up, links inside one vanish.
    /// </summary>
    public LaplacianMatrix Coarsen(int[] aggregate, int count)
    {
        var pull = new double[count];
        var members = new int[count + 1];
        for (int i = 0; i < aggregate.Length; i++)
        {
            if (aggregate[i] >= 0)
            {
                pull[aggregate[i]] += _pull[i];
                members[aggregate[i] + 1]++;
            }
        }

        for (int a = 0; a < count; a++)
        {
            members[a + 1] += members[a];
        }

        var order = new int[members[count]];
        var fill = members[..count];
        for (int i = 0; i < aggregate.Length; i++)
        {
            if (aggregate[i] >= 0)
            {
                order[fill[aggregate[i]]++] = i;
            }
        }

        return new LaplacianMatrix(pull, CoarseRows(aggregate, count, members, order, out int[] column, out double[] weight), column, weight);
    }

    /// <summary>The coarse rows, one aggregate at a time, with a scratch row that gathers each neighbouring aggregate once.</summary>
    private int[] CoarseRows(int[] aggregate, int count, int[] members, int[] order, out int[] column, out double[] weight)
    {
        var rowStart = new int[count + 1];
        var columns = new List<int>(_column.Length / 2);
        var weights = new List<double>(_column.Length / 2);
        var slot = new int[count];
        Array.Fill(slot, -1);
        for (int a = 0; a < count; a++)
        {
            int start = columns.Count;
            for (int m = members[a]; m < members[a + 1]; m++)
            {
                int i = order[m];
                for (int k = _rowStart[i]; k < _rowStart[i + 1]; k++)
                {
                    int b = aggregate[_column[k]];
                    if (b < 0 || b == a)
                    {
                        continue;
                    }

                    if (slot[b] < start)
                    {
                        slot[b] = columns.Count;
                        columns.Add(b);
                        weights.Add(0);
                    }

                    weights[slot[b]] += _weight[k];
                }
            }

            rowStart[a + 1] = columns.Count;
        }

        column = [.. columns];
        weight = [.. weights];
        return rowStart;
    }

    /// <summary>The matrix as a dense row-major array, for the coarsest level's direct solve.</summary>
    public double[] ToDense()
    {
        int n = _pull.Length;
        var dense = new double[n * n];
        for (int i = 0; i < n; i++)
        {
            dense[(i * n) + i] = _diagonal[i];
            for (int k = _rowStart[i]; k < _rowStart[i + 1]; k++)
            {
                dense[(i * n) + _column[k]] -= _weight[k];
            }
        }

        return dense;
    }
}
