using NetVips;
using Xunit;

namespace Tessera.Tests.Support;

/// <summary>Compares two DZI pyramids tile by tile; failures name the level and tile.</summary>
public static class PyramidComparison
{
    /// <summary>Files libvips writes that are not part of the pyramid a viewer reads.</summary>
    // libvips' properties file, and the marker Tessera leaves in the folders it makes.
    private static readonly HashSet<string> VipsExtras = ["vips-properties.xml", Tessera.Outputs.OutputFolder.MarkerName];

    public static void AssertSameTree(string expectedDzi, string actualDzi)
    {
        Assert.Equal(File.ReadAllText(expectedDzi), File.ReadAllText(actualDzi));
        string[] expected = TileNames(expectedDzi);
        string[] actual = TileNames(actualDzi);
        Assert.Equal(expected, actual);
    }

    /// <summary>
    /// Same files, same tile sizes and bands, and no pixel differing by more than <paramref name="maxDifference"/>;
    /// for lossy tiles, the mean absolute difference over every pixel of the pyramid stays under <paramref name="maxMeanDifference"/>.
    /// </summary>
    public static void AssertSamePixels(string expectedDzi, string actualDzi, int maxDifference, double maxMeanDifference = double.MaxValue)
    {
        AssertSameTree(expectedDzi, actualDzi);
        string expectedFiles = FilesDirectory(expectedDzi), actualFiles = FilesDirectory(actualDzi);
        long sum = 0, count = 0;
        foreach (string name in TileNames(expectedDzi))
        {
            using Image e = Image.NewFromFile(Path.Combine(expectedFiles, name), access: Enums.Access.Sequential);
            using Image a = Image.NewFromFile(Path.Combine(actualFiles, name), access: Enums.Access.Sequential);
            Assert.True(e.Width == a.Width && e.Height == a.Height && e.Bands == a.Bands,
                $"Tile {name}: expected {e.Width}×{e.Height}×{e.Bands}, got {a.Width}×{a.Height}×{a.Bands}");
            byte[] ep = e.WriteToMemory<byte>(), ap = a.WriteToMemory<byte>();
            int worst = 0;
            for (int i = 0; i < ep.Length; i++)
            {
                int d = Math.Abs(ep[i] - ap[i]);
                worst = Math.Max(worst, d);
                sum += d;
            }

            count += ep.Length;
            Assert.True(worst <= maxDifference, $"Tile {name}: a pixel differs by {worst} (allowed {maxDifference})");
        }

        double mean = (double)sum / count;
        Assert.True(mean <= maxMeanDifference, $"Mean difference over the pyramid {mean:F2} (allowed {maxMeanDifference})");
    }

    /// <summary>The same .dzi and the same tile files, byte for byte.</summary>
    public static void AssertIdenticalFiles(string expectedDzi, string actualDzi)
    {
        Assert.Equal(File.ReadAllText(expectedDzi), File.ReadAllText(actualDzi));
        string[] names = TileNames(expectedDzi);
        Assert.Equal(names, TileNames(actualDzi));
        foreach (string name in names)
        {
            Assert.True(
                File.ReadAllBytes(Path.Combine(FilesDirectory(expectedDzi), name)).AsSpan()
                    .SequenceEqual(File.ReadAllBytes(Path.Combine(FilesDirectory(actualDzi), name))),
                $"Tile {name} differs");
        }
    }

    public static string FilesDirectory(string dzi) => dzi[..^4] + "_files";

    /// <summary>Every tile as LEVEL/COLUMN_ROW.SUFFIX, sorted.</summary>
    public static string[] TileNames(string dzi)
    {
        string root = FilesDirectory(dzi);
        return Directory.GetFiles(root, "*", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f))
            .Where(f => !VipsExtras.Contains(f))
            .Order(StringComparer.Ordinal)
            .ToArray();
    }
}
