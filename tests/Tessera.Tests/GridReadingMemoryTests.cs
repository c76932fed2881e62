using Tessera.Build;
using Tessera.Layout;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>
/// What reading a grid costs per tile: the bytes the scan and the input fingerprint allocate for
/// each tile added, and what the build keeps of them. Garbage by the hundred bytes a tile piles up
/// before the first collection (tens of MB on a 200×200 grid, the largest part of a Deep Zoom
/// build's peak there), and what is kept stays through the whole build.
/// </summary>
[Collection(AloneCollection.Name)]
public sealed class GridReadingMemoryTests : IDisposable
{
    private const int Small = 20, Large = 40;

    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Reading_a_grid_allocates_and_keeps_a_few_hundred_bytes_a_tile()
    {
        string small = Grid("small", Small), large = Grid("large", Large);
        Read(small);

        (long scanSmall, long fingerprintSmall, long keptSmall) = Read(small);
        (long scanLarge, long fingerprintLarge, long keptLarge) = Read(large);

        // Per tile added, so that what does not grow with the grid (the pattern, the buffers) cancels.
        double added = (Large * Large) - (Small * Small);
        double scan = (scanLarge - scanSmall) / added, fingerprint = (fingerprintLarge - fingerprintSmall) / added;
        double kept = (keptLarge - keptSmall) / added;

        // What is left: for the scan the folder's listing (a path string a file), for the fingerprint
        // a path and a FileInfo a file for its stat; 271 and 568 bytes a tile here. With a regex match
        // and its groups a name, and three strings and a relative path a line, they were 878 and 773.
        Assert.True(scan < 400, $"the scan allocated {scan:F0} bytes a tile");
        Assert.True(fingerprint < 680, $"the fingerprint allocated {fingerprint:F0} bytes a tile");
        Assert.True(kept < 64, $"the grid and fingerprint keep {kept:F0} bytes a tile");
    }

    /// <summary>A folder of <paramref name="side"/>×<paramref name="side"/> empty tiles (a scan and a fingerprint read only names and sizes).</summary>
    private string Grid(string name, int side)
    {
        string folder = _dir.Combine(name);
        Directory.CreateDirectory(folder);
        for (int y = 0; y < side; y++)
        {
            for (int x = 0; x < side; x++)
            {
                File.WriteAllBytes(Path.Combine(folder, $"{x}_{y}.jpg"), []);
            }
        }

        return folder;
    }

    /// <summary>The bytes the scan allocated, those the fingerprint allocated, and those live with both held.</summary>
    private static (long Scan, long Fingerprint, long Kept) Read(string folder)
    {
        long before = GC.GetTotalMemory(forceFullCollection: true);
        long start = GC.GetTotalAllocatedBytes(precise: true);
        TileGrid grid = GridScanner.Scan(folder, new LayoutOptions());
        long scanned = GC.GetTotalAllocatedBytes(precise: true);
        InputFingerprint fingerprint = InputFingerprint.Of(Path.GetFullPath(folder), grid.Files());
        long fingerprinted = GC.GetTotalAllocatedBytes(precise: true);
        long kept = GC.GetTotalMemory(forceFullCollection: true) - before;
        GC.KeepAlive(grid);
        GC.KeepAlive(fingerprint);
        return (scanned - start, fingerprinted - scanned, kept);
    }
}
