using System.Diagnostics;
using Tessera.Build;
using Tessera.Codecs;
using Tessera.Layout;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>
/// A named pipe, a folder or a device named like a tile is refused at once, with what it is, at
/// the scan and again when it is opened; a build that waits on a pipe anyway still stops on signals.
/// </summary>
public sealed class NonRegularFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly SampleOptions _sample = Support.Samples.Small(TileFormat.Jpeg);

    public NonRegularFileTests() => SampleGrid.Write(Tiles, _sample);

    private string Tiles => _dir.Combine("tiles");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void A_pipe_named_like_a_tile_fails_the_build_at_once_with_exit_1()
    {
        string pipe = Path.Combine(Tiles, "2_1.jpg");
        File.Delete(pipe);
        TestImages.MakeFifo(pipe);

        using ChildProcess build = ChildProcess.Start("build", Tiles, _dir.Combine("p.dzi"), "--overlap", "16,12");
        CliRunner.Result result = build.WaitForExit(TimeSpan.FromSeconds(90));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"Cannot read tile \"{pipe}\": it is a named pipe (FIFO), not a regular file.", result.Error);
        Assert.False(File.Exists(_dir.Combine("p.dzi")));
    }

    [Fact]
    public void A_folder_named_like_a_tile_is_refused_rather_than_taken_for_a_missing_cell()
    {
        string folder = Path.Combine(Tiles, "1_2.jpg");
        File.Delete(folder);
        Directory.CreateDirectory(folder);
        var e = Assert.Throws<TileReadException>(() => GridScanner.Scan(Tiles, new LayoutOptions()));
        Assert.Equal(folder, e.TilePath);
        Assert.Contains("it is a folder, not a regular file", e.Message);

        // Numbered files in row-major order: the same.
        string numbered = _dir.Combine("numbered");
        Directory.CreateDirectory(numbered);
        for (int i = 0; i < 4; i++)
        {
            File.Copy(Path.Combine(Tiles, $"{i}_0.jpg"), Path.Combine(numbered, $"tile{i:D3}.jpg"));
        }

        File.Delete(Path.Combine(numbered, "tile002.jpg"));
        Directory.CreateDirectory(Path.Combine(numbered, "tile002.jpg"));
        var sequential = Assert.Throws<TileReadException>(() => GridScanner.Scan(numbered, new LayoutOptions(Order: TileOrder.RowMajor, Across: 4)));
        Assert.Contains("tile002.jpg\": it is a folder, not a regular file", sequential.Message);
    }

    [Fact]
    public async Task Every_read_refuses_a_pipe_without_waiting_for_a_writer()
    {
        // Past the scan (the pipe could take a tile's place after it): each way of opening a tile
        // checks the opened file, so none of them blocks.
        string pipe = _dir.Combine("late.png");
        TestImages.MakeFifo(pipe);
        var codec = new TileInputCodec(new SkiaTileCodec());
        Action[] reads =
        [
            () => FileBytes.Read(pipe).Dispose(),
            () => HeaderSize.Read(pipe),
            () => codec.ReadHeader(pipe),
            () => codec.Decode(pipe, Imaging.PixelFormat.Rgbx8888).Dispose(),
            () => VipsTileReader.ReadLayout(pipe, 0),
        ];

        foreach (Action read in reads)
        {
            Task<TileReadException> refused = Task.Run(() => Assert.Throws<TileReadException>(read));
            Assert.True(await Task.WhenAny(refused, Task.Delay(TimeSpan.FromSeconds(30))) == refused, "a read of a pipe waited for a writer");
            Assert.Contains("named pipe (FIFO), not a regular file", (await refused).Message);
        }

        Assert.False(InputKinds.NeedsVips(pipe));
    }

    [Fact]
    public void A_positions_file_naming_a_pipe_or_a_device_is_refused()
    {
        TestImages.MakeFifo(Path.Combine(Tiles, "pipe.jpg"));
        string positions = _dir.Combine("positions.txt");

        File.WriteAllText(positions, "dim = 2\n0_0.jpg; ; (0, 0)\npipe.jpg; ; (144, 0)\n");
        var pipe = Assert.Throws<PositionsFileException>(() => PositionsFile.Read(positions, Tiles));
        Assert.Contains("line 3: the tile \"pipe.jpg\"", pipe.Message);
        Assert.Contains("named pipe (FIFO), not a regular file", pipe.Message);

        File.WriteAllText(positions, "dim = 2\n/dev/null; ; (0, 0)\n");
        var device = Assert.Throws<PositionsFileException>(() => PositionsFile.Read(positions, Tiles));
        Assert.Contains("it is a character device, not a regular file", device.Message);
    }

    [Fact]
    public void A_build_held_by_a_read_no_token_reaches_ends_at_the_second_sigterm()
    {
        // A positions file that is a pipe with a silent writer: reading it waits, whatever is cancelled.
        string positions = _dir.Combine("positions.pipe");
        TestImages.MakeFifo(positions);
        using ChildProcess build = ChildProcess.Start("build", Tiles, _dir.Combine("p.dzi"), "--positions", positions);
        using (TestImages.OpenWhenRead(positions, TimeSpan.FromSeconds(90)))
        {
            build.Terminate();
            Thread.Sleep(200);
            Assert.False(build.HasExited, "the first signal ended the build at once");
            build.Terminate();
            var clock = Stopwatch.StartNew();
            CliRunner.Result result = build.WaitForExit(TimeSpan.FromSeconds(30));
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed} to stop");
            Assert.Equal(130, result.ExitCode);
            Assert.Contains("stopped at once (a second signal)", result.Error);
        }

        Assert.False(File.Exists(_dir.Combine("p.dzi")));
    }
}
