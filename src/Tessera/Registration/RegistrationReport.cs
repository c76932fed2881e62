using System.Globalization;
using System.Text;

namespace Tessera.Registration;

/// <summary>A link of the final solution and how far the solved positions are from its measurement.</summary>
public readonly record struct LinkResidual(string First, string Second, PairDirection Direction, double Residual, double Correlation);

/// <summary>What registration measured, rejected and solved; <see cref="Format"/> gives the text a person reads.</summary>
public sealed class RegistrationReport
{
    public required int Columns { get; init; }
    public required int Rows { get; init; }
    public required int Tiles { get; init; }
    public required int MissingTiles { get; init; }

    /// <summary>Tiles were decoded at 1/DecodeScale for the correlation.</summary>
    public required int DecodeScale { get; init; }

    /// <summary>Neighbour pairs with both tiles present (west and north).</summary>
    public required int Pairs { get; init; }

    /// <summary>Neighbour pairs not tried because one of the two cells has no tile.</summary>
    public required int PairsWithMissingTile { get; init; }

    /// <summary>How many pairs ended in each <see cref="PairOutcome"/>.</summary>
    public required IReadOnlyDictionary<PairOutcome, int> Outcomes { get; init; }

    public required StageModel West { get; init; }
    public required StageModel North { get; init; }

    /// <summary>How far the stage strays from its mean step: the larger of the two directions' figures.</summary>
    public double Repeatability => Math.Max(West.Repeatability, North.Repeatability);

    /// <summary>The measured links the solution fits worst, worst first.</summary>
    public required IReadOnlyList<LinkResidual> WorstResiduals { get; init; }

    /// <summary>Tiles without a single measured link: placed by the stage model alone (textureless, blank, or not overlapping).</summary>
    public required IReadOnlyList<string> PlacedByModel { get; init; }

    /// <summary>Tiles whose every link is weak (σ over 1 px) on some axis, with how sure their position is.</summary>
    public required IReadOnlyList<TileUncertainty> WeakTiles { get; init; }

    /// <summary>What non-overlapping strips score on this tile set, per direction: the significance bar.</summary>
    public required NullModel WestNoise { get; init; }
    public required NullModel NorthNoise { get; init; }

    /// <summary>Every pair tried, in row-major order of the second tile, each west pair before its north one.</summary>
    public required IReadOnlyList<PairRecord> PairList { get; init; }

    public required TimeSpan Elapsed { get; init; }

    /// <summary>What the second pass over the pairs the first found not significant learnt and accepted; null where it did not run.</summary>
    public SecondPassSummary? SecondPass { get; init; }

    public int Count(PairOutcome outcome) => Outcomes.TryGetValue(outcome, out int n) ? n : 0;

    public string Format()
    {
        var inv = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        void Line(FormattableString text) => s.AppendLine(text.ToString(inv));
        Line($"grid              {Columns}×{Rows} cells, {Tiles} tiles, {MissingTiles} missing");
        Line($"decoded at        1/{DecodeScale} scale; {Elapsed.TotalSeconds:F2} s");
        Line($"pairs             {Pairs} neighbour pairs, {Count(PairOutcome.Measured)} measured and used, {Count(PairOutcome.Confirmed)} confirmed by the second pass, {Count(PairOutcome.Bridged)} weak ones used as the only link between groups, {PairsWithMissingTile} not tried (missing tile)");
        Line($"rejected          {Count(PairOutcome.Blank)} blank strip, {Count(PairOutcome.LowCorrelation)} not significant (textureless or no overlap), {Count(PairOutcome.Ambiguous)} ambiguous (repetitive), {Count(PairOutcome.OutsideStageModel)} outside the stage model, {Count(PairOutcome.RemovedBySolve)} removed by the global solve");
        foreach (var (name, noise) in new[] { ("horizontal", WestNoise), ("vertical", NorthNoise) })
        {
            string basis = noise.Pairs > 0 ? $"from {noise.Pairs} pairs of strips that do not overlap (score noise ±{noise.Noise:F3})" : "fixed (too few tiles to learn it)";
            Line($"{name + " bar",-18}score above {noise.Threshold:F3} to count, {basis}");
        }

        if (SecondPass is { } second)
        {
            Line($"second pass       {second.Tried} pairs not significant searched again ({second.Rounds} rounds), {second.Confirmed} confirmed: a match anywhere counts above {second.WestWindow:F3} / {second.NorthWindow:F3} (horizontal / vertical), within ±{Registration.SecondPass.LocalRadius} decoded px of the shift the neighbours predict above {second.WestLocal:F3} / {second.NorthLocal:F3}");
        }

        foreach (StageModel m in new[] { West, North })
        {
            string name = m.Direction == PairDirection.West ? "horizontal" : "vertical";
            string basis = m.FromNominal ? "nominal grid (too few pairs measured)" : $"{m.Pairs} pairs";
            Line($"{name + " step",-18}({m.OffsetX:F2}, {m.OffsetY:F2}) px: overlap {m.Overlap:F2} px, repeatability ±{m.Repeatability:F2} px (rejects beyond ±{m.Bound:F2}), spread {Spread(m.SpreadX)} × {Spread(m.SpreadY)} px, from {basis}");
        }

        if (WorstResiduals.Count > 0)
        {
            s.AppendLine("worst residuals");
            foreach (LinkResidual r in WorstResiduals)
            {
                Line($"  {r.Residual,7:F3} px  {r.First} – {r.Second} ({(r.Direction == PairDirection.West ? "horizontal" : "vertical")}, correlation {r.Correlation:F3})");
            }
        }

        const int Shown = 20;
        if (PlacedByModel.Count > 0)
        {
            string names = string.Join(", ", PlacedByModel.Take(Shown)) + (PlacedByModel.Count > Shown ? $", … ({PlacedByModel.Count - Shown} more)" : string.Empty);
            Line($"placed by model   {PlacedByModel.Count} tiles without a measured link: {names}");
        }

        if (WeakTiles.Count > 0)
        {
            Line($"weakly placed     {WeakTiles.Count} tiles whose every link is weak on some axis (σ from their own links; \"model\": that axis is the stage model's, ±{Repeatability:F1} px)");
            foreach (TileUncertainty t in WeakTiles.Take(Shown))
            {
                Line($"  {t.Tile}  σx {Sigma(t.SigmaX)}, σy {Sigma(t.SigmaY)}");
            }

            if (WeakTiles.Count > Shown)
            {
                Line($"  … ({WeakTiles.Count - Shown} more in the pair table)");
            }
        }

        return s.ToString();
    }

    /// <summary>
    /// Every pair, one line each, tab-separated under a header line: the tiles, the direction, the
    /// measured offset and its uncertainty per axis (px; "-" where that axis was not measured),
    /// the score and the outcome. Written into the report file after <see cref="Format"/>.
    /// </summary>
    /// <remarks>
    /// Written piece by piece into <paramref name="writer"/>: a line, its numbers and, for the
    /// registration's own table, its tiles' names are never strings of their own (a 600×600 grid
    /// has 718,800 lines, which as strings were the last stage's largest garbage).
    /// </remarks>
    public void WritePairs(TextWriter writer)
    {
        writer.WriteLine("pairs");
        writer.WriteLine("first\tsecond\tdirection\tdx\tdy\tsigma_x\tsigma_y\tscore\toutcome");
        var line = new PairLineWriter(writer);
        if (PairList is PairTable table)
        {
            table.Write(line);
            return;
        }

        foreach (PairRecord p in PairList)
        {
            line.Write(p.First, p.Second, p.Direction, p.Dx, p.Dy, p.SigmaX, p.SigmaY, p.Score, p.Outcome);
        }
    }

    /// <summary>A stage spread as the report prints it: "±0.05", or "unknown" where too few pairs located the axis.</summary>
    private static string Spread(double spread) =>
        double.IsFinite(spread) ? "±" + spread.ToString("F2", CultureInfo.InvariantCulture) : "unknown";

    private static string Sigma(double sigma) =>
        double.IsFinite(sigma) ? sigma.ToString("F3", CultureInfo.InvariantCulture) : "model";

    public override string ToString() => Format();
}
