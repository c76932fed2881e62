using System.Globalization;

namespace Tessera.Build;

/// <summary>
/// One writer per output: a whole build or the finishing step holds the output exclusively, each
/// shard holds its own part exclusively and the output shared, so shards of one job run side by
/// side while a second copy of a shard, or a whole build beside shards, is refused at once.
/// </summary>
/// <remarks>
/// The locks are the operating system's (on Linux and macOS, .NET opens a file with
/// <see cref="FileShare.None"/> under <c>flock(LOCK_EX)</c> and with sharing under
/// <c>flock(LOCK_SH)</c>; on Windows the share mode itself), so they go with the process that
/// held them, however it ended: a killed writer leaves nothing that blocks the next run. They are
/// files beside the output (<c>NAME.tessera.lock</c>, <c>NAME.tessera.shard-I-of-N.lock</c>), each
/// with a text file saying who holds it (<c>….owner</c>: process id, host, start time), since a
/// locked file cannot be read by another .NET process; both are removed when the lock is let go.
/// </remarks>
public sealed class OutputLock : IDisposable
{
    private readonly List<Held> _held = [];
    private readonly string _output;

    private OutputLock(string output) => _output = output;

    /// <summary>
    /// Takes the locks a run on <paramref name="output"/> needs: of one shard, or of the whole
    /// output. They lie beside the build's work folder <paramref name="workDirectory"/>.
    /// </summary>
    /// <exception cref="TesseraException">Another process holds what this run needs; the message names it.</exception>
    public static OutputLock Acquire(string output, string workDirectory, ShardSpec? shard)
    {
        string job = workDirectory + ".lock";
        var held = new OutputLock(Path.GetFullPath(output));
        try
        {
            if (shard is not { } part)
            {
                held.Take(job, exclusive: true, () => held.BusyWhole(workDirectory, job));
                return held;
            }

            held.Take(job, exclusive: false, () => held.Busy(job, "a whole build or the finishing step"));
            string own = ShardLock(workDirectory, part.Index, part.Count);
            held.Take(own, exclusive: true, () => held.Busy(own, string.Create(CultureInfo.InvariantCulture, $"another copy of shard {part.Index}/{part.Count}")));
            return held;
        }
        catch
        {
            held.Dispose();
            throw;
        }
    }

    /// <summary>Lets the locks go and removes their files (the owner text first: a lock file without one is nobody's).</summary>
    public void Dispose()
    {
        if (_held.Count == 1 && _held[0].Exclusive)
        {
            // Holding the output alone, no shard can be running: lock files shards left when they were killed go too.
            RemoveStaleShardLocks(_held[0].Path);
        }

        for (int i = _held.Count - 1; i >= 0; i--)
        {
            Held held = _held[i];
            if (held.Exclusive)
            {
                TryDelete(OwnerFile(held.Path));
                TryDelete(held.Path);
            }

            held.Stream.Dispose();
        }

        _held.Clear();
    }

    private static void RemoveStaleShardLocks(string job)
    {
        string work = job[..^".lock".Length];
        foreach (string file in Directory.EnumerateFiles(Path.GetDirectoryName(job)!, Path.GetFileName(work) + ".shard-*-of-*.*"))
        {
            if (file.EndsWith(".lock", StringComparison.Ordinal) || file.EndsWith(".owner", StringComparison.Ordinal))
            {
                TryDelete(file);
            }
        }
    }

    private static string ShardLock(string workDirectory, int index, int count) =>
        string.Create(CultureInfo.InvariantCulture, $"{workDirectory}.shard-{index}-of-{count}.lock");

    private static string OwnerFile(string lockFile) => Path.ChangeExtension(lockFile, ".owner");

    private void Take(string lockFile, bool exclusive, Func<TesseraException> busy)
    {
        FileStream stream;
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(lockFile)!);
            stream = new FileStream(lockFile, FileMode.OpenOrCreate, exclusive ? FileAccess.ReadWrite : FileAccess.Read,
                exclusive ? FileShare.None : FileShare.ReadWrite | FileShare.Delete);
        }
        catch (IOException) when (File.Exists(lockFile))
        {
            throw busy();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TesseraException($"Cannot create the lock file \"{lockFile}\": {e.Message}", e);
        }

        _held.Add(new Held(lockFile, stream, exclusive));
        if (exclusive)
        {
            WriteOwner(lockFile);
        }
    }

    /// <summary>Says who holds the lock: written under a temporary name and renamed, so a reader sees all of it or the last holder's.</summary>
    private static void WriteOwner(string lockFile)
    {
        string owner = OwnerFile(lockFile), temporary = $"{owner}.{Guid.NewGuid():N}.partial";
        DateTimeOffset started = System.Diagnostics.Process.GetCurrentProcess().StartTime.ToUniversalTime();
        File.WriteAllText(temporary, string.Create(CultureInfo.InvariantCulture,
            $"process {Environment.ProcessId} on {Environment.MachineName}, started {started:yyyy-MM-dd HH:mm:ss} UTC\n"));
        File.Move(temporary, owner, overwrite: true);
    }

    private static string DescribeOwner(string lockFile)
    {
        try
        {
            string text = File.ReadAllText(OwnerFile(lockFile)).Trim();
            return text.Length > 0 && !text.Contains('\n') ? text : "a process that has not said who it is";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return "a process that has not said who it is yet";
        }
    }

    private TesseraException Busy(string lockFile, string what) => new(
        $"\"{_output}\" is being written by {what}: {DescribeOwner(lockFile)} (lock \"{lockFile}\"). Wait for it to end, or stop it, and run again.");

    /// <summary>Whole builds are kept out by another whole build (its owner is named) or by shards (the running ones are).</summary>
    private TesseraException BusyWhole(string workDirectory, string job)
    {
        string folder = Path.GetDirectoryName(job)!, prefix = Path.GetFileName(workDirectory) + ".shard-";
        var shards = Directory.EnumerateFiles(folder, prefix + "*.lock").Where(IsHeld).Order(StringComparer.Ordinal).ToList();
        if (shards.Count == 0)
        {
            return Busy(job, "another build");
        }

        string first = Path.GetFileNameWithoutExtension(shards[0])[prefix.Length..].Replace("-of-", "/", StringComparison.Ordinal);
        return new TesseraException(string.Create(CultureInfo.InvariantCulture,
            $"\"{_output}\" is being written by {shards.Count} shard(s) of a split build, shard {first} by {DescribeOwner(shards[0])} (lock \"{shards[0]}\"). Wait for them to end, then run the finishing step, or stop them."));
    }

    /// <summary>Whether another process holds this lock now (a lock file can outlive a holder that was killed before it removed it).</summary>
    private static bool IsHeld(string lockFile)
    {
        try
        {
            using var probe = new FileStream(lockFile, FileMode.Open, FileAccess.Read, FileShare.None);
            return false;
        }
        catch (FileNotFoundException)
        {
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }

    private static void TryDelete(string file)
    {
        try
        {
            File.Delete(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Left for the next holder, who takes it over: a lock file holds no state.
        }
    }

    private readonly record struct Held(string Path, FileStream Stream, bool Exclusive);
}
