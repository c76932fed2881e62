namespace Tessera.Outputs;

/// <summary>
/// A folder Tessera made for an output (a tile folder, an IIIF folder, a build's work folder),
/// known by a marker file of its own inside it. An output path can name a folder of the user's —
/// results they keep, even the input tiles — so Tessera removes a folder, or writes into one that
/// already exists, only where the marker shows it made that folder. An empty folder counts as
/// Tessera's to use: there is nothing in it to lose.
/// </summary>
public static class OutputFolder
{
    /// <summary>The marker's name. Hidden, so listings of a pyramid show its tiles.</summary>
    public const string MarkerName = ".tessera-output";

    private const string Signature = "Made by Tessera.";

    private static readonly string MarkerText =
        $"{Signature}\nTessera replaces or removes this folder (an overwriting build, or the end of a build) only while this file is in it.\n";

    /// <summary>Whether <paramref name="folder"/> exists and carries Tessera's marker.</summary>
    public static bool IsMarked(string folder)
    {
        string marker = Path.Combine(folder, MarkerName);
        if (!File.Exists(marker))
        {
            return false;
        }

        using var reader = new StreamReader(marker);
        return reader.ReadLine() == Signature;
    }

    /// <summary>Whether <paramref name="folder"/> exists with something in it besides Tessera's marker.</summary>
    /// <remarks>
    /// A marker still under its temporary name counts as the marker: a shard that finds another
    /// one just creating the folder must not take it for someone else's.
    /// </remarks>
    public static bool HoldsAnything(string folder) =>
        Directory.Exists(folder) && Directory.EnumerateFileSystemEntries(folder).Any(e => !Path.GetFileName(e).StartsWith(MarkerName, StringComparison.Ordinal));

    /// <summary>Whether <paramref name="folder"/> exists, holds something and is not marked as Tessera's.</summary>
    public static bool IsForeign(string folder) => HoldsAnything(folder) && !IsMarked(folder);

    /// <summary>
    /// Creates <paramref name="folder"/> with the marker in it, or marks it where it is empty; a
    /// marked folder is kept as it is (shards and reruns share one output).
    /// </summary>
    public static void Create(string folder)
    {
        RefuseIfForeign(folder);
        Directory.CreateDirectory(folder);
        if (IsMarked(folder))
        {
            return;
        }

        // Under a temporary name and renamed: a marker that exists is whole, and shards starting at once agree.
        string marker = Path.Combine(folder, MarkerName);
        string temporary = $"{marker}.{Guid.NewGuid():N}.partial";
        File.WriteAllText(temporary, MarkerText);
        File.Move(temporary, marker, overwrite: true);
    }

    /// <summary>
    /// Removes <paramref name="folder"/> and everything in it, only if it is marked as Tessera's (or
    /// is empty); a missing folder is nothing to do. The marker goes last, so a removal that is cut
    /// short leaves a folder that is still known to be Tessera's.
    /// </summary>
    public static void Delete(string folder)
    {
        if (!Directory.Exists(folder))
        {
            return;
        }

        RefuseIfForeign(folder);
        foreach (string entry in Directory.EnumerateFileSystemEntries(folder).ToList())
        {
            if (Directory.Exists(entry) && !File.GetAttributes(entry).HasFlag(FileAttributes.ReparsePoint))
            {
                Directory.Delete(entry, recursive: true);
            }
            else if (Path.GetFileName(entry) != MarkerName)
            {
                File.Delete(entry);
            }
        }

        File.Delete(Path.Combine(folder, MarkerName));
        Directory.Delete(folder);
    }

    /// <summary>Throws where <paramref name="folder"/> holds something and is not marked as Tessera's.</summary>
    public static void RefuseIfForeign(string folder)
    {
        if (File.Exists(folder))
        {
            throw new TesseraException($"\"{folder}\" is a file, where the output needs a folder of its own: choose another output.");
        }

        if (IsForeign(folder))
        {
            throw new TesseraException(
                $"\"{folder}\" exists and was not made by Tessera (it has no {MarkerName} file), so Tessera will neither write into it nor remove it: " +
                "choose another output, or move that folder out of the way. Pyramids made by Tessera versions before this marker are refused the same way.");
        }
    }
}
