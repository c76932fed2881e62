using System.Globalization;
using System.IO.Compression;
using System.Net;
using System.Text.Json;
using Tessera.Compositing;
using Tessera.Illumination;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Registration;
using Tessera.Samples;
using Tessera.Serving;
using Tessera.Outputs;
using Tessera.Tests.Support;
using Tessera.Viewer;
using Xunit;

namespace Tessera.Tests;

/// <summary>
/// The viewer's files beside a Deep Zoom pyramid — the tile overlay NAME_overlay, the sidecar
/// NAME.dzi.json — how they are cut, written and removed with the pyramid, and how serve answers them.
/// </summary>
public sealed class ViewerOverlayTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    [Fact]
    public void Pair_table_reads_every_outcome_and_unmeasured_axes_and_names_a_bad_line()
    {
        PairOutcome[] outcomes = Enum.GetValues<PairOutcome>();
        var lines = new List<string> { "grid  2×1 cells", "", "pairs", "first\tsecond\tdirection\tdx\tdy\tsigma_x\tsigma_y\tscore\toutcome" };
        lines.AddRange(outcomes.Select((o, i) => string.Create(CultureInfo.InvariantCulture,
            $"{i}_0.jpg\t{i + 1}_0.jpg\t{(i % 2 == 0 ? "horizontal" : "vertical")}\t{i}.250\t-1.500\t{(i == 0 ? "-" : "0.125")}\t0.500\t0.900\t{ReportPairs.OutcomeName(o)}")));
        string report = _dir.Combine("a.report.txt");
        File.WriteAllLines(report, lines);

        IReadOnlyList<PairRecord> pairs = ReportPairs.Read(report);

        Assert.Equal(outcomes, pairs.Select(p => p.Outcome));
        Assert.Equal(new PairRecord("0_0.jpg", "1_0.jpg", PairDirection.West, 0.25, -1.5, double.PositiveInfinity, 0.5, 0.9, PairOutcome.Measured), pairs[0]);
        Assert.Equal(PairDirection.North, pairs[1].Direction);

        File.AppendAllLines(report, ["0_0.jpg\t1_0.jpg\tdiagonal\t1\t1\t1\t1\t1\tmeasured"]);
        var bad = Assert.Throws<TesseraException>(() => ReportPairs.Read(report));
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"\"{report}\", line {lines.Count + 1}"), bad.Message, StringComparison.Ordinal);
        File.WriteAllText(report, "grid  2×1 cells\n");
        Assert.Contains("no pair table", Assert.Throws<TesseraException>(() => ReportPairs.Read(report)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Overlay_files_each_tile_under_its_top_left_chunk_and_each_link_with_its_second_tile_with_quality_residual_and_gain()
    {
        // 70×40 tiles of 100×80 px at a step of 90×70 (6310×2810 px): chunks of 32×32 median tiles (3200×2560 px) make 2×2 chunks.
        const int Across = 70, Down = 40;
        string input = _dir.Combine("in");
        var tiles = new List<(string, PixelRect)>();
        var placements = new List<TilePlacement>();
        for (int r = 0; r < Down; r++)
        {
            for (int c = 0; c < Across; c++)
            {
                string path = Path.Combine(input, string.Create(CultureInfo.InvariantCulture, $"{c}_{r}.jpg"));
                tiles.Add((path, new PixelRect(c * 90, r * 70, 100, 80)));
                placements.Add(new TilePlacement(path, (c * 90) + 0.25, r * 70, c, r));
            }
        }

        // Tile 40_20 has no link that counts; its west neighbour 39_20 has one rejected link and a measured one.
        PairRecord[] pairs =
        [
            new("38_20.jpg", "39_20.jpg", PairDirection.West, 89.5, 0.5, 0.1, 0.1, 0.9, PairOutcome.Measured),
            new("39_20.jpg", "40_20.jpg", PairDirection.West, 95, 3, double.PositiveInfinity, double.PositiveInfinity, 0.1, PairOutcome.LowCorrelation),
            new("40_19.jpg", "40_20.jpg", PairDirection.North, 0, 70, 0.2, 0.2, 0.2, PairOutcome.OutsideStageModel),
            new("0_0.jpg", "1_0.jpg", PairDirection.West, 90, 0, 0.1, 0.1, 0.95, PairOutcome.Measured),
            new("1_0.jpg", "2_0.jpg", PairDirection.West, 90, 0, 0.1, 3, 0.6, PairOutcome.Bridged),
        ];
        var gains = new TileGains([tiles[0].Item1, tiles[1].Item1], [1.25, 0.8], "none");
        var content = new ViewerContent(new PlacedMosaic(tiles), input) { Placements = placements, Pairs = pairs, Gains = gains, PixelSize = new PixelSize(2) };
        string folder = _dir.Combine("slide_overlay");

        OverlayIndex index = TileOverlayWriter.Write(folder, content);

        Assert.Equal((3200, 2560, 2, 2, "1111"), (index.ChunkWidth, index.ChunkHeight, index.Columns, index.Rows, index.Present));
        Assert.True(OutputFolder.IsMarked(folder));
        var seen = new Dictionary<string, (int Chunk, JsonElement Tile)>();
        var links = new Dictionary<string, (int Chunk, JsonElement Link)>();
        for (int chunk = 0; chunk < 4; chunk++)
        {
            (int column, int row) = (chunk % 2, chunk / 2);
            JsonElement data = ReadChunk(Path.Combine(folder, TileOverlayWriter.ChunkFileName(column, row)), column, row);
            foreach (JsonElement tile in data.GetProperty("tiles").EnumerateArray())
            {
                Assert.Equal(column, tile[2].GetInt32() / 3200);
                Assert.Equal(row, tile[3].GetInt32() / 2560);
                seen.Add(tile[1].GetString()!, (chunk, tile));
            }

            foreach (JsonElement link in data.GetProperty("links").EnumerateArray())
            {
                links.Add(link[0].GetInt32() + "-" + link[1].GetInt32(), (chunk, link));
            }
        }

        Assert.Equal(Across * Down, seen.Count);
        Assert.Equal((int)TileQuality.Model, seen["40_20.jpg"].Tile[6].GetInt32());
        Assert.Equal((int)TileQuality.Rejected, seen["39_20.jpg"].Tile[6].GetInt32());
        Assert.Equal((int)TileQuality.Measured, seen["38_20.jpg"].Tile[6].GetInt32());
        Assert.Equal((int)TileQuality.Weak, seen["1_0.jpg"].Tile[6].GetInt32());
        Assert.Equal((int)TileQuality.Model, seen["5_5.jpg"].Tile[6].GetInt32());
        Assert.Equal(1.25, seen["0_0.jpg"].Tile[7].GetDouble());
        Assert.Equal(JsonValueKind.Null, seen["5_5.jpg"].Tile[7].ValueKind);

        Assert.Equal(5, links.Count);
        int id39 = (20 * Across) + 39, id40 = id39 + 1;
        (int linkChunk, JsonElement rejected) = links[id39 + "-" + id40];
        Assert.Equal(seen["40_20.jpg"].Chunk, linkChunk);
        Assert.Equal(("h", "not-significant"), (rejected[2].GetString(), rejected[8].GetString()));
        Assert.Equal(JsonValueKind.Null, rejected[5].ValueKind);
        // The final positions are 90 px apart across, 0 down; the pair measured (95, 3).
        Assert.Equal((-5.0, -3.0), (rejected[9].GetDouble(), rejected[10].GetDouble()));
    }

    [Fact]
    public void Build_writes_overlay_and_sidecar_before_the_dzi_with_grid_outlines_and_the_pixel_size()
    {
        SampleOptions sample = Support.Samples.Small();
        SampleGrid.Write(_dir.Combine("tiles"), sample);
        string dzi = _dir.Combine("slide.dzi");
        var build = CliRunner.Run("build", _dir.Combine("tiles"), dzi, "--overlap", "16,12", "--tile-size", "64", "--pixel-size", "325nm");
        Assert.True(build.ExitCode == 0, build.Error);

        ViewerMetadata metadata = ViewerFiles.ReadMetadata(dzi)!;
        Assert.Equal(0.325, metadata.PixelSizeMicrometres);
        Assert.False(metadata.Overlay!.Registered);
        Assert.Contains("\"pixelSize\":0.325", File.ReadAllText(_dir.Combine("slide.html")), StringComparison.Ordinal);
        JsonElement chunk = ReadChunk(_dir.Combine("slide_overlay", "c0_0.js"), 0, 0);
        var tiles = chunk.GetProperty("tiles").EnumerateArray().ToDictionary(t => t[1].GetString()!);
        Assert.Equal(12, tiles.Count);
        // On the nominal grid: cell (2, 1) at 2 steps across (144 px) and one down (108 px), no quality.
        Assert.Equal([288, 108, 160, 120, 0], tiles["2_1.jpg"].EnumerateArray().Skip(2).Take(5).Select(e => e.GetInt32()));
        Assert.Empty(chunk.GetProperty("links").EnumerateArray());
        Assert.True(OutputFolder.IsMarked(_dir.Combine("slide_overlay")));
        foreach (string file in new[] { "slide.dzi.json", "slide.html", Path.Combine("slide_overlay", "c0_0.js") })
        {
            Assert.True(File.GetLastWriteTimeUtc(_dir.Combine(file)) <= File.GetLastWriteTimeUtc(dzi), $"{file} was written after the .dzi");
        }

        CliRunner.Result verify = CliRunner.Run("verify", dzi);
        Assert.True(verify.ExitCode == 0, verify.Error);

        var again = CliRunner.Run("build", _dir.Combine("tiles"), dzi, "--overlap", "16,12", "--tile-size", "64", "--overwrite");
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Null(ViewerFiles.ReadMetadata(dzi)!.PixelSizeMicrometres);
    }

    [Fact]
    public void Positions_build_takes_the_report_beside_the_positions_and_an_unreadable_one_only_costs_a_warning()
    {
        SampleGrid.Write(_dir.Combine("tiles"), Support.Samples.Small() with { Across = 3, Down = 2 });
        string positions = _dir.Combine("tiles", "TileConfiguration.registered.txt");
        var register = CliRunner.Run("register", _dir.Combine("tiles"), "--overlap", "16,12");
        Assert.True(register.ExitCode == 0, register.Error);
        string dzi = _dir.Combine("slide.dzi");
        var build = CliRunner.Run("build", _dir.Combine("tiles"), dzi, "--positions", positions, "--tile-size", "64");
        Assert.True(build.ExitCode == 0, build.Error);
        OverlayIndex overlay = ViewerFiles.ReadMetadata(dzi)!.Overlay!;
        Assert.True(overlay.Registered && overlay.Gains, overlay.ToString());
        Assert.Contains("\"measured\"", File.ReadAllText(_dir.Combine("slide_overlay", "c0_0.js")), StringComparison.Ordinal);

        string report = Path.ChangeExtension(positions, ".report.txt");
        File.WriteAllText(report, "notes of mine\n");
        var again = CliRunner.Run("build", _dir.Combine("tiles"), dzi, "--positions", positions, "--tile-size", "64", "--overwrite");
        Assert.True(again.ExitCode == 0, again.Error);
        Assert.Contains($"tessera: warning: \"{report}\" is not a registration report", again.Error, StringComparison.Ordinal);
        Assert.False(ViewerFiles.ReadMetadata(dzi)!.Overlay!.Registered);
    }

    [Fact]
    public void Overlay_goes_with_the_pyramid_and_a_foreign_overlay_folder_is_refused_before_anything_is_written()
    {
        SampleGrid.Write(_dir.Combine("tiles"), Support.Samples.Small());
        File.WriteAllBytes(_dir.Combine("tiles", "1_1.jpg"), [0xFF, 0xD8, 0xFF]);
        var broken = CliRunner.Run("build", _dir.Combine("tiles"), _dir.Combine("broken.dzi"), "--overlap", "16,12", "--tile-size", "64");
        Assert.Equal(1, broken.ExitCode);
        Assert.False(Directory.Exists(_dir.Combine("broken_overlay")));
        Assert.False(File.Exists(_dir.Combine("broken.dzi.json")));

        SampleGrid.Write(_dir.Combine("tiles"), Support.Samples.Small());
        Directory.CreateDirectory(_dir.Combine("mine_overlay"));
        File.WriteAllText(_dir.Combine("mine_overlay", "notes.txt"), "keep me");
        var refused = CliRunner.Run("build", _dir.Combine("tiles"), _dir.Combine("mine.dzi"), "--overlap", "16,12", "--tile-size", "64");
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains(_dir.Combine("mine_overlay"), refused.Error, StringComparison.Ordinal);
        Assert.Single(refused.Error.Trim().Split('\n'));
        Assert.Equal("keep me", File.ReadAllText(_dir.Combine("mine_overlay", "notes.txt")));
        Assert.False(Directory.Exists(_dir.Combine("mine_files")));
        Assert.False(File.Exists(_dir.Combine("mine.dzi")));
    }

    [Fact]
    public async Task Serve_answers_overlay_chunks_beside_a_zip_and_compares_two_pyramids_under_their_own_prefixes()
    {
        SampleGrid.Write(_dir.Combine("tiles"), Support.Samples.Small());
        var zip = CliRunner.Run("build", _dir.Combine("tiles"), _dir.Combine("a.dzi"), "--overlap", "16,12", "--tile-size", "64", "--container", "zip", "--pixel-size", "0.5um");
        Assert.True(zip.ExitCode == 0, zip.Error);
        var folder = CliRunner.Run("build", _dir.Combine("tiles"), _dir.Combine("b.dzi"), "--overlap", "16,12", "--tile-size", "64");
        Assert.True(folder.ExitCode == 0, folder.Error);
        using (ZipArchive archive = ZipFile.OpenRead(_dir.Combine("a.zip")))
        {
            Assert.All(archive.Entries, e => Assert.True(e.FullName == "a.dzi" || e.FullName.StartsWith("a_files/", StringComparison.Ordinal), e.FullName));
        }

        using ServeProcess serve = ServeProcess.Start(_dir.Combine("a.zip"), _dir.Combine("b.dzi"));
        using var http = new HttpClient { BaseAddress = new Uri(serve.Address) };

        string page = await http.GetStringAsync("/");
        Assert.Contains("\"compare\":true", page, StringComparison.Ordinal);
        Assert.Contains("\"tilesUrl\":\"1/a_files/\"", page, StringComparison.Ordinal);
        Assert.Contains("\"tilesUrl\":\"2/b_files/\"", page, StringComparison.Ordinal);
        Assert.Contains("\"pixelSize\":0.5", page, StringComparison.Ordinal);

        using HttpResponseMessage chunk = await http.GetAsync("/1/a_overlay/c0_0.js");
        Assert.Equal(HttpStatusCode.OK, chunk.StatusCode);
        Assert.Equal("text/javascript", chunk.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("tesseraOverlayChunk(0,0,", await chunk.Content.ReadAsStringAsync(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/2/b_overlay/c0_0.js")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/2/b_files/0/0_0.jpeg")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/1/a_files/0/0_0.jpeg")).StatusCode);
        Assert.Contains("\"pixelSize\":0.5", await http.GetStringAsync("/1/"), StringComparison.Ordinal);
        foreach (string missing in new[] { "/1/a_overlay/c00_0.js", "/1/a_overlay/.tessera-output", "/1/a_overlay/c1_0.js", "/3/b_files/0/0_0.jpeg", "/b.dzi" })
        {
            Assert.Equal(HttpStatusCode.NotFound, (await http.GetAsync(missing)).StatusCode);
        }

        Assert.Equal(0, serve.Interrupt(TimeSpan.FromSeconds(15)));

        // As sent (an HTTP client would remove the dots first): each pyramid's own refusals hold under its prefix.
        using var site = new ComparisonSite(PyramidSite.Open(_dir.Combine("a.zip")), PyramidSite.Open(_dir.Combine("b.dzi")));
        Assert.Equal(400, site.Resolve("/1/a_overlay/%2e%2e/a.dzi.json").Status);
        Assert.Equal(400, site.Resolve("/2/../b.dzi").Status);
        Assert.Equal(200, site.Resolve("/2/b_overlay/c0_0.js").Status);
    }

    /// <summary>The data a chunk script hands to the page: the JSON between its callback's opening and closing.</summary>
    private static JsonElement ReadChunk(string file, int column, int row)
    {
        string text = File.ReadAllText(file);
        string prefix = string.Create(CultureInfo.InvariantCulture, $"{TileOverlayWriter.Callback}({column},{row},");
        Assert.StartsWith(prefix, text, StringComparison.Ordinal);
        Assert.EndsWith(");\n", text, StringComparison.Ordinal);
        using var document = JsonDocument.Parse(text[prefix.Length..^3]);
        return document.RootElement.Clone();
    }

    public void Dispose() => _dir.Dispose();
}
