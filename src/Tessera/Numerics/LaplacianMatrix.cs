namespace Tessera.Numerics;

/// <summary>
/// A weighted graph Laplacian plus a non-negative diagonal (the pulls), A = diag(pull) + Σ w (eᵢ − eⱼ)(eᵢ − eⱼ)ᵀ,
/// stored by rows (CSR) with the off-diagonal weights w (A[i, j] = −w). Such matrices stay of this
/// form under aggregation (<see cref="CoarsenInto"/>), which is what lets one multigrid serve the tile
/// positions and the tile gains alike.
/// </summary>
/// <remarks>
/// The arrays may be longer than the matrix needs: a coarse matrix is rebuilt in the storage of the
/// one before it (<see cref="CoarsenInto"/>), so that a solve repeated with new link weights, as
/// each round of the registration's solve is, allocates nothing. Every loop stops at
/// <see cref="Size"/> and <see cref="Entries"/>, never at an array's length.
/// </remarks>
internal sealed class LaplacianMatrix : ISymmetricOperator
{
    /// <summary>In <see cref="_slots"/>: a link of a tile to itself, which counts nothing whatever its weight.</summary>
    private const int SelfLink = -1;

    /// <summary>In <see cref="_slots"/>: a link without weight, left out of the rows.</summary>
    private const int NoWeight = -2;

    private double[] _pull = [];
    private double[] _diagonal = [];
    private int[] _rowStart = [0];
    private int[] _column = [];
    private double[] _weight = [];
    private int _size;

    /// <summary>For a matrix made from links: where link l's two entries are (2l in its first row, 2l + 1 in its second), so that it can be reweighted.</summary>
    private int[]? _slots;

    /// <summary>
    /// For a matrix on a grid (<see cref="OnGrid"/>): the grid's width, else 0. Its rows are not
    /// stored: unknown i's neighbours are i − 1, i − width, i + 1 and i + width, in that order (the
    /// order rows made from links sorted by their second unknown have), each where its weight is
    /// positive; the weights are the caller's arrays, one per unknown and direction, and every
    /// unknown has one pull.
    /// </summary>
    private int _gridWidth;
    private double[] _west = [];
    private double[] _north = [];
    private int _gridLinks;

    public int Size => _size;

    /// <summary>Off-diagonal entries (each link twice).</summary>
    public int Entries => _gridWidth > 0 ? 2 * _gridLinks : _rowStart[_size];

    /// <summary>A[i, i].</summary>
    public double Diagonal(int i) => _diagonal[i];

    /// <summary>Whether unknown <paramref name="i"/> is joined to any other.</summary>
    public bool HasNeighbours(int i) => _gridWidth > 0 ? GridRow(i, stackalloc int[4], stackalloc double[4]) > 0 : _rowStart[i + 1] > _rowStart[i];

    /// <summary>
    /// The matrix of a grid <paramref name="width"/> unknowns wide: <paramref name="pull"/> on every
    /// unknown, <paramref name="west"/>[i] the weight of the link of i − 1 and i, <paramref name="north"/>[i]
    /// that of i − width and i (0 where there is none; a west weight at a row's first unknown is
    /// never read as one). The arrays are kept, not copied: the caller rewrites them and calls
    /// <see cref="WeightsChanged"/>. It costs the diagonal beside them, where rows made from the
    /// same links (<see cref="FromLinks"/>) cost ten numbers a link and a copy of the links besides;
    /// in the order of such rows, every result is the same to the bit.
    /// </summary>
    public static LaplacianMatrix OnGrid(double pull, int width, double[] west, double[] north)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(width, 1);
        if (west.Length != north.Length)
        {
            throw new ArgumentException($"{west.Length} west weights and {north.Length} north ones.", nameof(north));
        }

        var matrix = new LaplacianMatrix { _size = west.Length, _gridWidth = width, _west = west, _north = north, _uniformPull = pull };
        matrix.WeightsChanged();
        return matrix;
    }

    /// <summary>
    /// One link's step in telling whether links come as <see cref="OnGrid"/> lays them out: each the
    /// west (<paramref name="west"/>) or north pair of its <paramref name="second"/> unknown, on a grid
    /// <paramref name="width"/> wide of <paramref name="size"/> unknowns, in increasing order of that
    /// unknown, west before north, none twice. <paramref name="last"/> carries the order from one
    /// link to the next (−1 before the first).
    /// </summary>
    public static bool IsNextOnGrid(int first, int second, bool west, int width, int size, ref long last)
    {
        bool neighbours = west ? first == second - 1 && second % width > 0 : first == second - width && first >= 0;
        long key = (2L * second) + (west ? 0 : 1);
        if (!neighbours || second >= size || key <= last)
        {
            return false;
        }

        last = key;
        return true;
    }

    /// <summary>After the caller rewrote a grid matrix's weights (<see cref="OnGrid"/>): its diagonal and links again.</summary>
    public void WeightsChanged()
    {
        if (_gridWidth == 0)
        {
            throw new InvalidOperationException("Only a matrix on a grid reads its caller's weights.");
        }

        int links = 0;
        for (int i = 0; i < _size; i++)
        {
            links += (_west[i] > 0 && i % _gridWidth > 0 ? 1 : 0) + (_north[i] > 0 && i >= _gridWidth ? 1 : 0);
        }

        _gridLinks = links;
        SumDiagonal();
    }

    /// <summary>Every unknown's pull where <see cref="_pull"/> holds none: a matrix on a grid, or of links given one by one.</summary>
    private double _uniformPull;

    /// <summary>Unknown i's pull.</summary>
    private double Pull(int i) => _pull.Length > 0 ? _pull[i] : _uniformPull;

    /// <summary>A grid matrix's row i (its neighbours and their weights, in the rows' order) into the spans (4 long); how many.</summary>
    private int GridRow(int i, Span<int> column, Span<double> weight)
    {
        int k = 0, width = _gridWidth;
        double w;
        if (i % width > 0 && (w = _west[i]) > 0)
        {
            (column[k], weight[k++]) = (i - 1, w);
        }

        if (i >= width && (w = _north[i]) > 0)
        {
            (column[k], weight[k++]) = (i - width, w);
        }

        if ((i + 1) % width > 0 && i + 1 < _size && (w = _west[i + 1]) > 0)
        {
            (column[k], weight[k++]) = (i + 1, w);
        }

        if (i + width < _size && (w = _north[i + width]) > 0)
        {
            (column[k], weight[k++]) = (i + width, w);
        }

        return k;
    }

    /// <summary>The matrix of <paramref name="pulls"/> (one per unknown, ≥ 0) and <paramref name="links"/> (weights ≥ 0; a link of a tile to itself counts nothing).</summary>
    public static LaplacianMatrix FromLinks(ReadOnlySpan<double> pulls, ReadOnlySpan<LaplacianLink> links)
    {
        var matrix = new LaplacianMatrix { _pull = pulls.ToArray() };
        matrix.Rows(pulls.Length, links.Length, links, link: null, reweightable: true);
        return matrix;
    }

    /// <summary>
    /// The matrix of <paramref name="count"/> links, link l given by <paramref name="link"/>(l)
    /// (weights ≥ 0; a link of a tile to itself counts nothing), every one of <paramref name="size"/>
    /// unknowns pulled by <paramref name="pull"/>: the same matrix as the one of an array of those
    /// links and pulls, without the array, the pulls' copy, or what reweighting it would need.
    /// </summary>
    public static LaplacianMatrix FromLinks(int size, double pull, int count, Func<int, LaplacianLink> link)
    {
        var matrix = new LaplacianMatrix { _uniformPull = pull };
        matrix.Rows(size, count, [], link, reweightable: false);
        return matrix;
    }

    /// <summary>The rows of <paramref name="count"/> links, from <paramref name="links"/> where it holds them, else from <paramref name="link"/>; then the diagonal.</summary>
    private void Rows(int n, int count, ReadOnlySpan<LaplacianLink> links, Func<int, LaplacianLink>? link, bool reweightable)
    {
        LaplacianLink Link(int l, ReadOnlySpan<LaplacianLink> links) => link is null ? links[l] : link(l);
        var rowStart = new int[n + 1];
        for (int l = 0; l < count; l++)
        {
            LaplacianLink a = Link(l, links);
            if (a.First != a.Second && a.Weight > 0)
            {
                rowStart[a.First + 1]++;
                rowStart[a.Second + 1]++;
            }
        }

        for (int i = 0; i < n; i++)
        {
            rowStart[i + 1] += rowStart[i];
        }

        var fill = rowStart[..n];
        var column = new int[rowStart[n]];
        var weight = new double[rowStart[n]];
        int[]? slots = reweightable ? new int[2 * count] : null;
        for (int l = 0; l < count; l++)
        {
            LaplacianLink a = Link(l, links);
            if (a.First == a.Second || !(a.Weight > 0))
            {
                if (slots is not null)
                {
                    slots[2 * l] = slots[(2 * l) + 1] = a.First == a.Second ? SelfLink : NoWeight;
                }

                continue;
            }

            if (slots is not null)
            {
                (slots[2 * l], slots[(2 * l) + 1]) = (fill[a.First], fill[a.Second]);
            }

            (column[fill[a.First]], weight[fill[a.First]++]) = (a.Second, a.Weight);
            (column[fill[a.Second]], weight[fill[a.Second]++]) = (a.First, a.Weight);
        }

        (_size, _rowStart, _column, _weight, _slots) = (n, rowStart, column, weight, slots);
        SumDiagonal();
    }

    /// <summary>
    /// Gives the links of <see cref="FromLinks"/> new weights, in the same order: the rows stay as
    /// they are, so a link must keep a positive weight (one that had none cannot be given one).
    /// </summary>
    public void SetWeights(ReadOnlySpan<double> weights)
    {
        int[] slots = _slots ?? throw new InvalidOperationException("Only a matrix made from links can be given new link weights.");
        if (2 * weights.Length != slots.Length)
        {
            throw new ArgumentException($"{weights.Length} weights for {slots.Length / 2} links.", nameof(weights));
        }

        for (int l = 0; l < weights.Length; l++)
        {
            int a = slots[2 * l];
            if (a == SelfLink)
            {
                continue;
            }

            if (a == NoWeight || !(weights[l] > 0))
            {
                throw new ArgumentOutOfRangeException(nameof(weights), weights[l], $"Link {l} must keep a positive weight: the matrix's rows were laid out for it.");
            }

            _weight[a] = _weight[slots[(2 * l) + 1]] = weights[l];
        }

        SumDiagonal();
    }

    /// <summary>The diagonal: each pull plus its row's weights, in the rows' order.</summary>
    private void SumDiagonal()
    {
        double[] diagonal = Scratch.AtLeast(ref _diagonal, _size);
        if (_gridWidth > 0)
        {
            Span<int> columns = stackalloc int[4];
            Span<double> weights = stackalloc double[4];
            for (int i = 0; i < _size; i++)
            {
                double d = _uniformPull;
                int count = GridRow(i, columns, weights);
                for (int k = 0; k < count; k++)
                {
                    d += weights[k];
                }

                diagonal[i] = d;
            }

            return;
        }

        for (int i = 0; i < _size; i++)
        {
            double d = Pull(i);
            for (int k = _rowStart[i]; k < _rowStart[i + 1]; k++)
            {
                d += _weight[k];
            }

            diagonal[i] = d;
        }
    }

    public void Multiply(ReadOnlySpan<double> v, Span<double> result)
    {
        if (_gridWidth > 0)
        {
            Span<int> columns = stackalloc int[4];
            Span<double> weights = stackalloc double[4];
            for (int i = 0; i < _size; i++)
            {
                double s = _diagonal[i] * v[i];
                int count = GridRow(i, columns, weights);
                for (int k = 0; k < count; k++)
                {
                    s -= weights[k] * v[columns[k]];
                }

                result[i] = s;
            }

            return;
        }

        for (int i = 0; i < _size; i++)
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
        for (int i = 0; i < _size; i++)
        {
            result[i] = b[i] - result[i];
        }
    }

    /// <summary>One Gauss–Seidel sweep of A x = b in increasing order of the unknowns.</summary>
    public void SweepForward(ReadOnlySpan<double> b, Span<double> x)
    {
        if (_gridWidth > 0)
        {
            Span<int> columns = stackalloc int[4];
            Span<double> weights = stackalloc double[4];
            for (int i = 0; i < _size; i++)
            {
                RelaxOnGrid(i, b, x, columns, weights);
            }

            return;
        }

        for (int i = 0; i < _size; i++)
        {
            Relax(i, b, x);
        }
    }

    /// <summary>The same sweep in decreasing order: after <see cref="SweepForward"/> it makes the smoother symmetric.</summary>
    public void SweepBackward(ReadOnlySpan<double> b, Span<double> x)
    {
        if (_gridWidth > 0)
        {
            Span<int> columns = stackalloc int[4];
            Span<double> weights = stackalloc double[4];
            for (int i = _size - 1; i >= 0; i--)
            {
                RelaxOnGrid(i, b, x, columns, weights);
            }

            return;
        }

        for (int i = _size - 1; i >= 0; i--)
        {
            Relax(i, b, x);
        }
    }

    private void RelaxOnGrid(int i, ReadOnlySpan<double> b, Span<double> x, Span<int> columns, Span<double> weights)
    {
        double s = b[i];
        int count = GridRow(i, columns, weights);
        for (int k = 0; k < count; k++)
        {
            s += weights[k] * x[columns[k]];
        }

        x[i] = s / _diagonal[i];
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
    /// matching): writes the aggregate number of each unknown into <paramref name="aggregate"/>
    /// (its first <see cref="Size"/> elements), −1 for an unknown without neighbours (the smoother
    /// solves it exactly, so the coarse levels need not carry it); returns how many there are.
    /// </summary>
    public int PairwiseAggregates(Span<int> aggregate)
    {
        aggregate = aggregate[.._size];
        aggregate.Fill(int.MinValue);
        Span<int> rowColumns = stackalloc int[4];
        Span<double> rowWeights = stackalloc double[4];
        int count = 0;
        for (int i = 0; i < _size; i++)
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
            if (_gridWidth > 0)
            {
                int entries = GridRow(i, rowColumns, rowWeights);
                for (int k = 0; k < entries; k++)
                {
                    int j = rowColumns[k];
                    if (aggregate[j] == int.MinValue && rowWeights[k] > strongest)
                    {
                        (best, strongest) = (j, rowWeights[k]);
                    }
                }
            }
            else
            {
                for (int k = _rowStart[i]; k < _rowStart[i + 1]; k++)
                {
                    int j = _column[k];
                    if (aggregate[j] == int.MinValue && _weight[k] > strongest)
                    {
                        (best, strongest) = (j, _weight[k]);
                    }
                }
            }

            aggregate[i] = count;
            if (best >= 0)
            {
                aggregate[best] = count;
            }

            count++;
        }

        return count;
    }

    /// <summary>
    /// Pᵀ A P for the piecewise-constant P of <paramref name="aggregate"/> (<paramref name="count"/>
    /// aggregates), written into <paramref name="target"/>, whose arrays are reused where they are
    /// long enough: pulls add up, links between two aggregates add up, links inside one vanish.
    /// </summary>
    public void CoarsenInto(ReadOnlySpan<int> aggregate, int count, LaplacianMatrix target, CoarseningScratch scratch)
    {
        target._size = count;
        target._slots = null;
        target._gridWidth = 0;
        double[] pull = Scratch.AtLeast(ref target._pull, count);
        Array.Clear(pull, 0, count);
        int[] members = Scratch.AtLeast(ref scratch.Members, count + 1);
        Array.Clear(members, 0, count + 1);
        for (int i = 0; i < _size; i++)
        {
            if (aggregate[i] >= 0)
            {
                pull[aggregate[i]] += Pull(i);
                members[aggregate[i] + 1]++;
            }
        }

        for (int a = 0; a < count; a++)
        {
            members[a + 1] += members[a];
        }

        int[] order = Scratch.AtLeast(ref scratch.Order, members[count]);
        int[] fill = Scratch.AtLeast(ref scratch.Fill, count);
        Array.Copy(members, fill, count);
        for (int i = 0; i < _size; i++)
        {
            if (aggregate[i] >= 0)
            {
                order[fill[aggregate[i]]++] = i;
            }
        }

        CoarseRows(aggregate, count, members, order, target, scratch);
        target.SumDiagonal();
    }

    /// <summary>The coarse rows, one aggregate at a time, with a scratch row that gathers each neighbouring aggregate once.</summary>
    private void CoarseRows(ReadOnlySpan<int> aggregate, int count, int[] members, int[] order, LaplacianMatrix target, CoarseningScratch scratch)
    {
        int[] rowStart = Scratch.AtLeast(ref target._rowStart, count + 1);
        int[] column = Scratch.AtLeast(ref target._column, Entries / 2);
        double[] weight = Scratch.AtLeast(ref target._weight, Entries / 2);
        int[] slot = Scratch.AtLeast(ref scratch.Slot, count);
        Array.Fill(slot, -1, 0, count);
        Span<int> rowColumns = stackalloc int[4];
        Span<double> rowWeights = stackalloc double[4];
        int entries = 0;
        rowStart[0] = 0;
        for (int a = 0; a < count; a++)
        {
            int start = entries;
            for (int m = members[a]; m < members[a + 1]; m++)
            {
                int i = order[m];
                if (_gridWidth > 0)
                {
                    int n = GridRow(i, rowColumns, rowWeights);
                    for (int k = 0; k < n; k++)
                    {
                        Add(aggregate[rowColumns[k]], rowWeights[k], ref column, ref weight);
                    }
                }
                else
                {
                    for (int k = _rowStart[i]; k < _rowStart[i + 1]; k++)
                    {
                        Add(aggregate[_column[k]], _weight[k], ref column, ref weight);
                    }
                }
            }

            rowStart[a + 1] = entries;

            void Add(int b, double w, ref int[] column, ref double[] weight)
            {
                if (b < 0 || b == a)
                {
                    return;
                }

                if (slot[b] < start)
                {
                    column = Scratch.Keeping(ref target._column, entries + 1, entries);
                    weight = Scratch.Keeping(ref target._weight, entries + 1, entries);
                    slot[b] = entries;
                    column[entries] = b;
                    weight[entries++] = 0;
                }

                weight[slot[b]] += w;
            }
        }
    }

    /// <summary>The matrix as a dense row-major array (into the first Size² elements of <paramref name="dense"/>), for the coarsest level's direct solve.</summary>
    public void ToDense(double[] dense)
    {
        int n = _size;
        Array.Clear(dense, 0, n * n);
        Span<int> columns = stackalloc int[4];
        Span<double> weights = stackalloc double[4];
        for (int i = 0; i < n; i++)
        {
            dense[(i * n) + i] = _diagonal[i];
            if (_gridWidth > 0)
            {
                int count = GridRow(i, columns, weights);
                for (int k = 0; k < count; k++)
                {
                    dense[(i * n) + columns[k]] -= weights[k];
                }

                continue;
            }

            for (int k = _rowStart[i]; k < _rowStart[i + 1]; k++)
            {
                dense[(i * n) + _column[k]] -= _weight[k];
            }
        }
    }
}
