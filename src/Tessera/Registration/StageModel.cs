namespace Tessera.Registration;

/// <summary>Which neighbour a pair links a tile to.</summary>
public enum PairDirection
{
    /// <summary>The tile and the one on its left (one column less).</summary>
    West,

    /// <summary>The tile and the one above it (one row less).</summary>
    North,
}

/// <summary>
/// What the stage does between neighbours in one direction, estimated from every measured pair
/// (full-resolution pixels): the typical offset from one tile to the next, the overlap that
/// implies, and how far pairs stray from it.
/// </summary>
/// <param name="Direction">West pairs (horizontal neighbours) or north pairs (vertical ones).</param>
/// <param name="OffsetX">Median x offset from the first tile of a pair to the second.</param>
/// <param name="OffsetY">Median y offset.</param>
/// <param name="Overlap">Estimated overlap: tile width (west) or height (north) minus the offset along.</param>
/// <param name="Repeatability">Largest deviation from the median offset, along either axis, among the pairs kept: how far the stage strays.</param>
/// <param name="Bound">Deviation beyond which a measured pair is rejected (3 robust σ, at least 3 px).</param>
/// <param name="Pairs">Measured pairs the model rests on.</param>
/// <param name="FromNominal">True where too few pairs were measured and the nominal grid stands in.</param>
public sealed record StageModel(
    PairDirection Direction, double OffsetX, double OffsetY, double Overlap, double Repeatability, double Bound, int Pairs, bool FromNominal)
{
    private const int MinPairs = 3;
    private const double MinBound = 3.0;

    /// <summary>Located values an axis needs before its spread is read from them: fewer say too little of the stage to pull on anything.</summary>
    internal const int MinSpreadValues = 8;

    /// <summary>
    /// The least spread a pull towards the model assumes, px: the measurement noise of good links
    /// (a few hundredths of a pixel) makes any estimate at least this, and a pull stronger than it
    /// would outweigh links that measure better than the stage repeats.
    /// </summary>
    internal const double MinSpread = 0.05;

    /// <summary>
    /// How far this direction's pairs typically stray from the model along x, px: 1.4826 × the median
    /// absolute deviation of the measured pairs that locate x (a robust σ, which the wrong matches
    /// the model rejects do not move); infinite where fewer than <see cref="MinSpreadValues"/> located it.
    /// A stage whose pairs agree to a few hundredths of a pixel (an exact grid, a piezo stage) thus says
    /// so, and the solve lets it hold the tiles whose own links locate them only weakly.
    /// </summary>
    public double SpreadX { get; init; } = double.PositiveInfinity;

    /// <summary>The same as <see cref="SpreadX"/> along y.</summary>
    public double SpreadY { get; init; } = double.PositiveInfinity;

    /// <summary>Fits the model to the measured pairs of one direction and rejects those outside it.</summary>
    internal static StageModel Fit(PairDirection direction, List<PairLink> links, double nominalX, double nominalY, int tileSize, int searchMargin)
    {
        var measured = new List<int>();
        for (int i = 0; i < links.Count; i++)
        {
            if (links[i].Direction == direction && links[i].Outcome == PairOutcome.Measured)
            {
                measured.Add(i);
            }
        }

        bool west = direction == PairDirection.West;
        if (measured.Count < MinPairs)
        {
            double along = west ? nominalX : nominalY;
            return new StageModel(direction, nominalX, nominalY, tileSize - along, searchMargin, searchMargin, measured.Count, FromNominal: true);
        }

        // Each axis from the pairs that located it: an edge seen along itself says little there.
        double[] xs = measured.Where(i => PairJudgement.Located(links[i].SigmaX, searchMargin)).Select(i => links[i].Dx).ToArray();
        double[] ys = measured.Where(i => PairJudgement.Located(links[i].SigmaY, searchMargin)).Select(i => links[i].Dy).ToArray();
        double mx = xs.Length > 0 ? Median(xs) : nominalX, my = ys.Length > 0 ? Median(ys) : nominalY;
        double spreadX = 1.4826 * Median(xs.Select(v => Math.Abs(v - mx)).DefaultIfEmpty(0).ToArray());
        double spreadY = 1.4826 * Median(ys.Select(v => Math.Abs(v - my)).DefaultIfEmpty(0).ToArray());
        double boundX = Math.Max(MinBound, 3 * spreadX), boundY = Math.Max(MinBound, 3 * spreadY);
        double repeatability = 0;
        int kept = 0;
        foreach (int i in measured)
        {
            PairLink link = links[i];
            double ex = Deviation(link.Dx - mx, link.SigmaX), ey = Deviation(link.Dy - my, link.SigmaY);
            if (ex > boundX || ey > boundY)
            {
                links[i] = link with { Outcome = PairOutcome.OutsideStageModel };
            }
            else
            {
                repeatability = Math.Max(repeatability, Math.Max(ex, ey));
                kept++;
            }
        }

        return new StageModel(direction, mx, my, tileSize - (west ? mx : my), repeatability, Math.Max(boundX, boundY), kept, FromNominal: false)
        {
            SpreadX = xs.Length >= MinSpreadValues ? Math.Max(MinSpread, spreadX) : double.PositiveInfinity,
            SpreadY = ys.Length >= MinSpreadValues ? Math.Max(MinSpread, spreadY) : double.PositiveInfinity,
        };
    }

    /// <summary>
    /// The model as the final solution leaves it: repeatability and pair count over the links still
    /// measured after the solve dropped the ones it disagreed with (offsets and bound as fitted).
    /// </summary>
    internal StageModel AfterSolve(List<PairLink> links)
    {
        if (FromNominal)
        {
            return this;
        }

        double repeatability = 0;
        int kept = 0;
        foreach (PairLink link in links)
        {
            if (link.Direction == Direction && link.Outcome == PairOutcome.Measured)
            {
                repeatability = Math.Max(repeatability, Math.Max(Deviation(link.Dx - OffsetX, link.SigmaX), Deviation(link.Dy - OffsetY, link.SigmaY)));
                kept++;
            }
        }

        return this with { Repeatability = repeatability, Pairs = kept };
    }

    /// <summary>How far a measured value lies from the model, beyond 3 of its own σ; 0 on an axis it does not measure.</summary>
    private static double Deviation(double difference, float sigma) =>
        float.IsFinite(sigma) ? Math.Max(0, Math.Abs(difference) - (3 * sigma)) : 0;

    private static double Median(double[] values)
    {
        Array.Sort(values);
        int n = values.Length;
        return n % 2 == 1 ? values[n / 2] : 0.5 * (values[(n / 2) - 1] + values[n / 2]);
    }
}

