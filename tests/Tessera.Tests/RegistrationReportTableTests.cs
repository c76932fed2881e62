using System.Globalization;
using System.Runtime.CompilerServices;
using Tessera.Layout;
using Tessera.Registration;
using Xunit;

namespace Tessera.Tests;

/// <summary>
/// The report's pair table, written field by field from the registration's links: the same text
/// as the lines it was formatted from before, read back by <see cref="ReportPairs"/>, and without
/// a string per line.
/// </summary>
public sealed class RegistrationReportTableTests
{
    private const int Across = 7, Down = 5;

    [Fact]
    public void The_table_written_from_the_links_is_the_text_of_the_records_formatted_line_by_line()
    {
        var (grid, links) = Links();
        string written = Write(Report(new PairTable(grid, links)));

        // The lines as the report wrote them before: a string per line, from the pair records.
        var inv = CultureInfo.InvariantCulture;
        var expected = new StringWriter { NewLine = "\n" };
        expected.WriteLine("pairs");
        expected.WriteLine("first\tsecond\tdirection\tdx\tdy\tsigma_x\tsigma_y\tscore\toutcome");
        static string Sigma(double s) => double.IsFinite(s) ? s.ToString("F3", CultureInfo.InvariantCulture) : "-";
        foreach (PairRecord p in new PairTable(grid, links))
        {
            expected.WriteLine(string.Create(inv, $"{p.First}\t{p.Second}\t{(p.Direction == PairDirection.West ? "horizontal" : "vertical")}\t{p.Dx:F3}\t{p.Dy:F3}\t{Sigma(p.SigmaX)}\t{Sigma(p.SigmaY)}\t{p.Score:F3}\t{ReportPairs.OutcomeName(p.Outcome)}"));
        }

        Assert.Equal(expected.ToString(), written);

        // The same report holding the records themselves (as one read back or made by hand would) writes the same text.
        Assert.Equal(written, Write(Report(new PairTable(grid, links).ToList())));
    }

    [Fact]
    public void The_written_table_reads_back_as_the_links()
    {
        var (grid, links) = Links();
        using var dir = new Support.TempDirectory();
        string file = dir.Combine("a.report.txt");
        File.WriteAllText(file, "summary\n\n" + Write(Report(new PairTable(grid, links))));

        IReadOnlyList<PairRecord> read = ReportPairs.Read(file);
        Assert.Equal(links.Count, read.Count);
        for (int i = 0; i < links.Count; i++)
        {
            PairLink l = links[i];
            Assert.Equal($"{l.First % Across}_{l.First / Across}.jpg", read[i].First);
            Assert.Equal($"{l.Second % Across}_{l.Second / Across}.jpg", read[i].Second);
            Assert.Equal(l.Direction, read[i].Direction);
            Assert.Equal(l.Outcome, read[i].Outcome);
            Assert.Equal(l.Dx, read[i].Dx, 0.0005);
            Assert.Equal(l.Dy, read[i].Dy, 0.0005);
            Assert.Equal(float.IsFinite(l.SigmaX), double.IsFinite(read[i].SigmaX));
            Assert.Equal(l.Correlation, read[i].Score, 0.0005);
        }
    }

    [Fact]
    public void Writing_the_table_allocates_nothing_per_line()
    {
        var (grid, links) = Links(across: 200, down: 100);
        RegistrationReport report = Report(new PairTable(grid, links));
        using var writer = new StreamWriter(Stream.Null);
        report.WritePairs(writer); // compiles the writing, which is not counted
        long before = GC.GetAllocatedBytesForCurrentThread();
        report.WritePairs(writer);
        long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

        // A string per line and per name, as before, is over 150 bytes a line: 6 MB here.
        Assert.True(allocated < 4096, $"writing {links.Count} lines allocated {allocated:N0} bytes");
    }

    [Fact]
    public void A_link_takes_48_bytes()
    {
        // Two links a tile live from the pass to the report: at 600×600, 8 bytes a link are 5.8 MB.
        Assert.Equal(48, Unsafe.SizeOf<PairLink>());
    }

    /// <summary>A grid's west and north links with every outcome, unmeasured axes, negative zeros and offsets of every size.</summary>
    private static (TileGrid Grid, List<PairLink> Links) Links(int across = Across, int down = Down)
    {
        var cells = new string?[across * down];
        for (int i = 0; i < cells.Length; i++)
        {
            cells[i] = Path.Combine("/data", "a grid", $"{i % across}_{i / across}.jpg");
        }

        var grid = new TileGrid(across, down, cells);
        PairOutcome[] outcomes = Enum.GetValues<PairOutcome>();
        var links = new List<PairLink>();
        var random = new Random(7);
        for (int i = 0; i < cells.Length; i++)
        {
            foreach (var (first, direction) in new[] { (i % across > 0 ? i - 1 : -1, PairDirection.West), (i >= across ? i - across : -1, PairDirection.North) })
            {
                if (first < 0)
                {
                    continue;
                }

                int k = links.Count;
                double dx = k % 11 == 3 ? -0.0004 : (direction == PairDirection.West ? 720 : 0) + ((random.NextDouble() - 0.5) * Math.Pow(10, k % 5));
                double dy = k % 13 == 4 ? 1e9 / 3 : (direction == PairDirection.North ? 540 : 0) + ((random.NextDouble() - 0.5) * 30);
                float sx = k % 4 == 1 ? float.PositiveInfinity : (float)(random.NextDouble() * 2);
                float sy = k % 6 == 2 ? float.PositiveInfinity : (float)(random.NextDouble() * 0.01);
                links.Add(new PairLink(first, i, direction, dx, dy, (random.NextDouble() * 2) - 1, outcomes[k % outcomes.Length], sx, sy));
            }
        }

        return (grid, links);
    }

    private static RegistrationReport Report(IReadOnlyList<PairRecord> pairs)
    {
        var model = new StageModel(PairDirection.West, 720, 0, 80, 0, 3, pairs.Count, false);
        return new RegistrationReport
        {
            Columns = Across,
            Rows = Down,
            Tiles = Across * Down,
            MissingTiles = 0,
            DecodeScale = 2,
            Pairs = pairs.Count,
            PairsWithMissingTile = 0,
            Outcomes = new Dictionary<PairOutcome, int>(),
            West = model,
            North = model with { Direction = PairDirection.North },
            WestNoise = new NullModel(0.2, 0.05, 40),
            NorthNoise = new NullModel(0.2, 0.05, 40),
            WorstResiduals = [],
            PlacedByModel = [],
            WeakTiles = [],
            PairList = pairs,
            Elapsed = TimeSpan.Zero,
        };
    }

    private static string Write(RegistrationReport report)
    {
        var writer = new StringWriter { NewLine = "\n" };
        report.WritePairs(writer);
        return writer.ToString();
    }
}
