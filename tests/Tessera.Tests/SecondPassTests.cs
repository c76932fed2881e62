using System.Globalization;
using Tessera.Codecs;
using Tessera.Layout;
using Tessera.Registration;
using Tessera.Tests.Support;
using Xunit;
using Xunit.Abstractions;

namespace Tessera.Tests;

/// <summary>
/// The second pass (<see cref="SecondPass"/>): pairs the first pass found not significant, searched
/// again around the shifts their accepted neighbours predict, against what unrelated strips reach
/// in a window that size.
/// </summary>
public sealed class SecondPassTests(ITestOutputHelper output)
{
    private static JitteredTileSetOptions Set(TileSetContent content, IReadOnlyList<(int, int)>? textureless = null) => new()
    {
        Content = content, Across = 8, Down = 8, TileWidth = 192, TileHeight = 160, OverlapX = 64, OverlapY = 56,
        Jitter = 16, GainSpread = 0.1, Seed = 5, Textureless = textureless ?? [],
    };

    private (RegistrationResult Result, JitteredTileSet Set) Register(JitteredTileSetOptions options, TempDirectory temp)
    {
        JitteredTileSet set = JitteredTileSet.Write(temp.Path, options);
        TileGrid grid = GridScanner.Scan(temp.Path, new LayoutOptions("{x}_{y}.jpg"));
        RegistrationResult result = GridRegistration.Run(grid, new OverlapSpec(options.OverlapX, options.OverlapY, false),
            new RegistrationOptions { Threads = 2, SecondPass = true }, TileCodecs.Create(CodecChoice.Auto, out _), CancellationToken.None);
        output.WriteLine(result.Report.Format());
        return (result, set);
    }

    private static (int, int) Cell(string name)
    {
        string[] parts = Path.GetFileNameWithoutExtension(name).Split('_');
        return (int.Parse(parts[0], CultureInfo.InvariantCulture), int.Parse(parts[1], CultureInfo.InvariantCulture));
    }

    [Fact]
    public void A_faint_gradient_the_first_pass_refuses_is_measured_by_the_second_near_the_truth()
    {
        using var temp = new TempDirectory();
        var (result, set) = Register(Set(TileSetContent.FaintGradient), temp);
        RegistrationReport report = result.Report;

        // The first pass measures none of this set's pairs (docs/BENCHMARKS.md, 2026-12-02): what is used is the second pass's.
        Assert.Equal(0, report.Count(PairOutcome.Measured));
        PairRecord[] confirmed = report.PairList.Where(p => p.Outcome == PairOutcome.Confirmed).ToArray();
        var errors = new List<double>();
        foreach (PairRecord p in confirmed)
        {
            var a = set.Truth[Cell(p.First)];
            var b = set.Truth[Cell(p.Second)];
            double e = Math.Sqrt(Math.Pow(p.Dx - (b.X - a.X), 2) + Math.Pow(p.Dy - (b.Y - a.Y), 2));
            errors.Add(e);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{p.First}-{p.Second} confirmed, {e:F2} px off, σ ({p.SigmaX:F2}, {p.SigmaY:F2}) score {p.Score:F3}"));
        }

        double right = errors.Count(e => e <= 3) / (double)Math.Max(1, errors.Count);
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{confirmed.Length} confirmed, {right:P0} within 3 px"));
        Assert.True(confirmed.Length >= 20, $"only {confirmed.Length} pairs confirmed");
        Assert.True(right >= 0.85, string.Create(CultureInfo.InvariantCulture, $"only {right:P0} of the confirmed pairs within 3 px of the truth"));

        // Each group of tiles the confirmed links join, against the truth after that group's own
        // translation (groups no link joins are placed relative to each other by the stage model).
        var group = new Dictionary<string, string>();
        string Root(string t)
        {
            while (group.TryGetValue(t, out string? up) && up != t)
            {
                t = up;
            }

            return t;
        }

        foreach (PairRecord p in confirmed)
        {
            group.TryAdd(p.First, p.First);
            group.TryAdd(p.Second, p.Second);
            group[Root(p.Second)] = Root(p.First);
        }

        var tileErrors = new List<double>();
        foreach (var members in result.Placements.Where(p => group.ContainsKey(Path.GetFileName(p.Path))).GroupBy(p => Root(Path.GetFileName(p.Path))))
        {
            var raw = members.Select(p => (X: p.X - set.Truth[(p.Column, p.Row)].X, Y: p.Y - set.Truth[(p.Column, p.Row)].Y)).ToArray();
            double mx = raw.Select(e => e.X).Order().ElementAt(raw.Length / 2), my = raw.Select(e => e.Y).Order().ElementAt(raw.Length / 2);
            double[] e = raw.Select(e => Math.Sqrt(Math.Pow(e.X - mx, 2) + Math.Pow(e.Y - my, 2))).ToArray();
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"group of {raw.Length} tiles: max {e.Max():F2} px off"));
            tileErrors.AddRange(e);
        }

        tileErrors.Sort();
        double median = tileErrors[tileErrors.Count / 2];
        double share = tileErrors.Count(e => e <= 3) / (double)tileErrors.Count;
        output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{tileErrors.Count} tiles joined, median {median:F2} px, {share:P0} within 3 px"));
        Assert.True(median <= 1.5, string.Create(CultureInfo.InvariantCulture, $"the joined tiles are {median:F2} px off their group's truth at the median"));
        Assert.True(share >= 0.85, string.Create(CultureInfo.InvariantCulture, $"only {share:P0} of the joined tiles within 3 px of their group's truth"));
    }

    [Fact]
    public void Tiles_of_pure_noise_stay_refused_by_the_second_pass_too()
    {
        var all = Enumerable.Range(0, 64).Select(i => (i % 8, i / 8)).ToArray();
        using var temp = new TempDirectory();
        var (result, _) = Register(Set(TileSetContent.Photograph, all), temp);
        Assert.NotNull(result.Report.SecondPass);
        Assert.True(result.Report.SecondPass!.Tried > 0, "the second pass searched no pair");
        Assert.Equal(0, result.Report.Count(PairOutcome.Measured));
        Assert.Equal(0, result.Report.Count(PairOutcome.Confirmed));
        Assert.Equal(0, result.Report.Count(PairOutcome.Bridged));
        Assert.Equal(64, result.Report.PlacedByModel.Count);
    }
}
