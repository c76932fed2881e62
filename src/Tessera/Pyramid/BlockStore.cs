using System.Buffers.Binary;
using Microsoft.Win32.SafeHandles;
using Tessera.Imaging;

namespace Tessera.Pyramid;

/// <summary>
/// Where each first-round block leaves its share of the handover level (a 1/4^K-size core) once
/// all its tiles are written, in the build's work folder. Each writer (a whole build, or one shard)
/// has two files: NAME.raw, where block b's core goes to slot b (a sparse file of fixed-size
/// slots), and NAME.log, to which b is appended once its core is written: a block in a log is done.
/// Shards on other machines fill the same folder under their own names; the finishing step reads
/// them all back; a rerun skips what is there. Two files per writer rather than one per block, so
/// that removing the folder at the end frees a handful of inodes, not thousands (on ext4 without a
/// journal, every freshly freed inode slows the next few minutes' file creation, which a pyramid
/// is made of).
/// </summary>
public sealed class BlockStore : IDisposable
{
    private const string DataSuffix = ".raw", LogSuffix = ".log";

    private readonly PyramidPlan _plan;
    private readonly PixelFormat _format;
    private readonly string _writer;
    private readonly long _slotBytes;
    private readonly object _gate = new();
    private (string? Data, long Offset)[]? _done;
    private SafeFileHandle? _data;
    private SafeFileHandle? _log;
    private long _logLength;

    /// <param name="writer">Names this writer's files: one name per shard, so shards never share a file.</param>
    public BlockStore(string directory, PyramidPlan plan, PixelFormat format, string writer = "blocks")
    {
        Directory = directory;
        _plan = plan;
        _format = format;
        _writer = writer;
        _slotBytes = (long)(plan.BlockSpan >> plan.BlockLevels) * (plan.BlockSpan >> plan.BlockLevels) * format.BytesPerPixel();
    }

    public string Directory { get; }

    /// <summary>The writer name of shard <paramref name="index"/> of <paramref name="count"/>.</summary>
    public static string ShardWriter(int index, int count) => $"blocks-{index}-of-{count}";

    public bool IsDone(int block) => Done()[block].Data is not null;

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

        var (data, log) = Files();
        int rowBytes = core.Width * core.BytesPerPixel;
        long slot = block * _slotBytes;
        if (core.Stride == rowBytes)
        {
            RandomAccess.Write(data, core.Data.AsSpan(core.OffsetOf(core.Bounds.X, core.Bounds.Y), rowBytes * core.Height), slot);
        }
        else
        {
            for (int y = 0; y < core.Height; y++)
            {
                RandomAccess.Write(data, core.Data.AsSpan(core.OffsetOf(core.Bounds.X, core.Bounds.Y + y), rowBytes), slot + ((long)y * rowBytes));
            }
        }

        Span<byte> entry = stackalloc byte[4];
        BinaryPrimitives.WriteInt32LittleEndian(entry, block);
        lock (_gate)
        {
            RandomAccess.Write(log, entry, _logLength);
            _logLength += entry.Length;
            Done()[block] = (DataPath(_writer), slot);
        }
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
        SafeFileHandle? handle = null;
        string? handlePath = null;
        try
        {
            for (int block = start; block < end; block++)
            {
                PixelRect core = _plan.Core(block, _plan.BlockLevels);
                using var buffer = new PixelBuffer(core, _format, pool);
                var (path, offset) = Done()[block];
                if (path is null)
                {
                    throw new InvalidOperationException($"Block {block} is not done.");
                }

                if (path != handlePath)
                {
                    handle?.Dispose();
                    handle = File.OpenHandle(path);
                    handlePath = path;
                }

                int length = (int)core.Area * buffer.BytesPerPixel;
                if (FileReads.ReadAtMost(handle!, buffer.Data.AsSpan(0, length), offset) != length)
                {
                    throw new TesseraException($"\"{path}\" ends before block {block}'s {length} bytes; the work folder is damaged: remove it and build again.");
                }

                for (int y = core.Y; y < core.Bottom; y++)
                {
                    buffer.RowAt(core.X, y, core.Width).CopyTo(pixels.RowAt(core.X, y, core.Width));
                }
            }
        }
        finally
        {
            handle?.Dispose();
        }

        level.Write(pixels);
    }

    public void Dispose()
    {
        lock (_gate)
        {
            _data?.Dispose();
            _log?.Dispose();
            _data = _log = null;
        }
    }

    /// <summary>
    /// Which file and offset hold each done block: read from every writer's log the first time it is
    /// asked (so after a run that starts afresh has removed the folder), kept up to date by
    /// <see cref="Save"/> after that.
    /// </summary>
    private (string? Data, long Offset)[] Done()
    {
        lock (_gate)
        {
            if (_done is not null)
            {
                return _done;
            }

            var done = new (string? Data, long Offset)[_plan.Blocks.Count];
            if (System.IO.Directory.Exists(Directory))
            {
                foreach (string log in System.IO.Directory.GetFiles(Directory, "*" + LogSuffix))
                {
                    string data = Path.ChangeExtension(log, DataSuffix);
                    byte[] entries = File.ReadAllBytes(log);
                    for (int i = 0; i + 4 <= entries.Length; i += 4)
                    {
                        int block = BinaryPrimitives.ReadInt32LittleEndian(entries.AsSpan(i));
                        if (block < 0 || block >= done.Length)
                        {
                            throw new TesseraException($"\"{log}\" names block {block}, which this job does not have; the work folder is damaged: remove it and build again.");
                        }

                        done[block] = (data, block * _slotBytes);
                    }
                }
            }

            _done = done;
            return done;
        }
    }

    private (SafeFileHandle Data, SafeFileHandle Log) Files()
    {
        lock (_gate)
        {
            if (_data is null || _log is null)
            {
                System.IO.Directory.CreateDirectory(Directory);
                _data = File.OpenHandle(DataPath(_writer), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);
                _log = File.OpenHandle(Path.Combine(Directory, _writer + LogSuffix), FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.ReadWrite);

                // A log cut short in the middle of an entry (a crash) continues at the last whole one.
                _logLength = RandomAccess.GetLength(_log) / 4 * 4;
            }

            return (_data, _log);
        }
    }

    private string DataPath(string writer) => Path.Combine(Directory, writer + DataSuffix);
}
