using System.Globalization;
using Tessera.Codecs;
using Tessera.Imaging;

namespace Tessera.Samples;

/// <summary>How to cut a sample: grid size, tile size, overlap and file format.</summary>
public sealed record SampleOptions
{
    public int Across { get; init; } = 8;
    public int Down { get; init; } = 6;
    public int TileWidth { get; init; } = 800;
    public int TileHeight { get; init; } = 600;
    public int OverlapX { get; init; } = 80;
    public int OverlapY { get; init; } = 60;
    public EncodeSettings Encode { get; init; } = new(TileFormat.Jpeg, 90);
    public PixelFormat PixelFormat { get; init; } = PixelFormat.Rgbx8888;
    public int Seed { get; init; } = 1;

    public int StepX => TileWidth - OverlapX;
    public int StepY => TileHeight - OverlapY;
    public int PlaneWidth => ((Across - 1) * StepX) + TileWidth;
    public int PlaneHeight => ((Down - 1) * StepY) + TileHeight;
}

/// <summary>Cuts a <see cref="SyntheticSpecimen"/> into overlapping tiles named {x}_{y}, as a camera stepping over a grid would.</summary>
public static class SampleGrid
{
    public static SyntheticSpecimen Specimen(SampleOptions options) =>
        new(options.PlaneWidth, options.PlaneHeight, options.PixelFormat, options.Seed);

    /// <summary>Writes the tiles into <paramref name="directory"/> (created if needed) and returns their paths.</summary>
    public static IReadOnlyList<string> Write(string directory, SampleOptions options, ITileCodec? codec = null, int threads = 0)
    {
        codec ??= new SkiaTileCodec();
        Directory.CreateDirectory(directory);
        SyntheticSpecimen specimen = Specimen(options);
        string suffix = options.Encode.Format == TileFormat.Png ? "png" : "jpg";
        var paths = new string[options.Across * options.Down];
        Parallel.For(0, paths.Length, new ParallelOptions { MaxDegreeOfParallelism = threads > 0 ? threads : Environment.ProcessorCount }, i =>
        {
            int x = i % options.Across, y = i / options.Across;
            var rect = new PixelRect(x * options.StepX, y * options.StepY, options.TileWidth, options.TileHeight);
            using var pixels = new PixelBuffer(rect, options.PixelFormat);
            specimen.Render(pixels);
            using IEncodedImage encoded = codec.Encode(pixels, rect, options.Encode);
            string path = Path.Combine(directory, string.Create(CultureInfo.InvariantCulture, $"{x}_{y}.{suffix}"));
            File.WriteAllBytes(path, encoded.Bytes);
            paths[i] = path;
        });
        return paths;
    }
}
