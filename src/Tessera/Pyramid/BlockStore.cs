using System.Globalization;
using Tessera.Imaging;

namespace Tessera.Pyramid;

/// <summary>
/// Where each first-round block leaves its share of the handover level (a 1/4^K-size core) once
/// all its tiles are written: one small file per block in the build's work folder, written under
/// a temporary name and renamed, so a file that exists is a block that is done. Shards on other
/// machines fill the same folder; the finishing step reads it back; a rerun skips what is there.
/// </summary>
public sealed class BlockStore
{
    private readonly PyramidPlan _plan;
    private readonly PixelFormat _format;

    public BlockStore(string directory, PyramidPlan plan, PixelFormat format)
    {
        Directory = directory;
        _plan = plan;
        _format = format;
    }

    public string Directory { get; }

    public bool IsDone(int block) => File.Exists(PathOf(block));

    /// <summary>The blocks of the plan not yet done.</summary>
    public List<int> Missing()
    {
        var missing = new List<int>();
        for (int block = 0; block < _plan.Blocks.Count; block++)
        {
            if (!IsDone(block))
            {
                missing.Add(block);
            }
        }

        return missing;
    }

    /// <summary>Stores <paramref name="core"/>, the block's handover core, and so marks the block done.</summary>
    public void Save(int block, PixelBuffer core)
    {
        if (core.Bounds != _plan.Core(block, _plan.BlockLevels))
        {
            throw new ArgumentException($"Block {block} hands over {_plan.Core(block, _plan.BlockLevels)}, not {core.Bounds}.", nameof(core));
        }

        string path = PathOf(block), temporary = path + ".partial";
        using (var stream = new FileStream(temporary, FileMode.Create, FileAccess.Write, FileShare.None, 1 << 16))
        {
            int rowBytes = core.Width * core.BytesPerPixel;
            for (int y = 0; y < core.Height; y++)
            {
                stream.Write(core.Data, core.OffsetOf(core.Bounds.X, core.Bounds.Y + y), rowBytes);
            }
        }

        File.Move(temporary, path, overwrite: true);
    }

    /// <summary>
    /// The blocks in runs that lie side by side (one row of a band of blocks), whose cores are
    /// copied into the handover level together (see <see cref="LoadRun"/>).
    /// </summary>
    internal List<(int Start, int End)> Runs()
    {
        var runs = new List<(int, int)>();
        for (int start = 0, end; start < _plan.Blocks.Count; start = end)
        {
            for (end = start + 1; end < _plan.Blocks.Count && _plan.Blocks[end].Y == _plan.Blocks[start].Y
                 && _plan.Blocks[end].X == _plan.Blocks[end - 1].Right; end++)
            {
            }

            runs.Add((start, end));
        }

        return runs;
    }

    /// <summary>
    /// Copies the cores of blocks [start, end), which lie side by side, into <paramref name="level"/>,
    /// the handover level, as one strip: its rows go to the level in long pieces, not one per block.
    /// </summary>
    internal void LoadRun(int start, int end, RasterStore level, PixelMemoryPool pool)
    {
        PixelRect strip = _plan.Core(start, _plan.BlockLevels);
        for (int block = start + 1; block < end; block++)
        {
            PixelRect core = _plan.Core(block, _plan.BlockLevels);
            strip = PixelRect.FromEdges(strip.X, strip.Y, core.Right, Math.Max(strip.Bottom, core.Bottom));
        }

        using var pixels = new PixelBuffer(strip, _format, pool);
        for (int block = start; block < end; block++)
        {
            PixelRect core = _plan.Core(block, _plan.BlockLevels);
            using var buffer = new PixelBuffer(core, _format, pool);
            string path = PathOf(block);
            int length = (int)core.Area * buffer.BytesPerPixel;
            using (var handle = File.OpenHandle(path))
            {
                if (RandomAccess.GetLength(handle) != length || FileReads.ReadAtMost(handle, buffer.Data.AsSpan(0, length), 0) != length)
                {
                    throw new TesseraException($"\"{path}\" is not the {length} bytes of block {block}; the work folder is damaged: remove it and build again.");
                }
            }

            for (int y = core.Y; y < core.Bottom; y++)
            {
                buffer.RowAt(core.X, y, core.Width).CopyTo(pixels.RowAt(core.X, y, core.Width));
            }
        }

        level.Write(pixels);
    }

    private string PathOf(int block)
    {
        PixelRect b = _plan.Blocks[block];
        return Path.Combine(Directory, string.Create(CultureInfo.InvariantCulture,
            $"block-{b.X / _plan.BlockSpan}_{b.Y / _plan.BlockSpan}.raw"));
    }
}
