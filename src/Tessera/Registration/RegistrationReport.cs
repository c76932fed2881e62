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

    public required TimeSpan Elapsed { get; init; }

    public int Count(PairOutcome outcome) => Outcomes.TryGetValue(outcome, out int n) ? n : 0;

    public string Format()
    {
        var inv = CultureInfo.InvariantCulture;
        var s = new StringBuilder();
        void Line(FormattableString text) => s.AppendLine(text.ToString(inv));
        Line($"grid              {Columns}×{Rows} cells, {Tiles} tiles, {MissingTiles} missing");
        Line($"decoded at        1/{DecodeScale} scale; {Elapsed.TotalSeconds:F2} s");
        Line($"pairs             {Pairs} neighbour pairs, {Count(PairOutcome.Measured)} measured and used, {PairsWithMissingTile} not tried (missing tile)");
        Line($"rejected          {Count(PairOutcome.Blank)} blank strip, {Count(PairOutcome.LowCorrelation)} low correlation (textureless or no overlap), {Count(PairOutcome.OutsideStageModel)} outside the stage model, {Count(PairOutcome.RemovedBySolve)} removed by the global solve");
        foreach (StageModel m in new[] { West, North })
        {
            string name = m.Direction == PairDirection.West ? "horizontal" : "vertical";
            string basis = m.FromNominal ? "nominal grid (too few pairs measured)" : $"{m.Pairs} pairs";
            Line($"{name + " step",-18}({m.OffsetX:F2}, {m.OffsetY:F2}) px: overlap {m.Overlap:F2} px, repeatability ±{m.Repeatability:F2} px (rejects beyond ±{m.Bound:F2}), from {basis}");
        }

        if (WorstResiduals.Count > 0)
        {
            s.AppendLine("worst residuals");
            foreach (LinkResidual r in WorstResiduals)
            {
                Line($"  {r.Residual,7:F3} px  {r.First} – {r.Second} ({(r.Direction == PairDirection.West ? "horizontal" : "vertical")}, correlation {r.Correlation:F3})");
            }
        }

        if (PlacedByModel.Count > 0)
        {
            const int Shown = 20;
            string names = string.Join(", ", PlacedByModel.Take(Shown)) + (PlacedByModel.Count > Shown ? $", … ({PlacedByModel.Count - Shown} more)" : string.Empty);
            Line($"placed by model   {PlacedByModel.Count} tiles without a measured link: {names}");
        }

        return s.ToString();
    }

    public override string ToString() => Format();
}
