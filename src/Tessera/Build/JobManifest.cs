using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tessera.Build;

/// <summary>
/// What a build makes, kept in its work folder so that shards, reruns and the finishing step can
/// check they belong to the same job: mixing settings would mix pyramids.
/// </summary>
public sealed record JobManifest(
    string Input,
    string Layout,
    int Columns,
    int Rows,
    int TileWidth,
    int TileHeight,
    int OverlapX,
    int OverlapY,
    string Background,
    int Width,
    int Height,
    int TileSize,
    int TileOverlap,
    string Format,
    int Quality,
    int BlockLevels,
    string PixelFormat,
    string Codec,
    bool SkipBlank,
    string PyramidLayout)
{
    public const string FileName = "job.json";

    /// <summary>How overlaps are blended (<c>--blend</c>).</summary>
    public string Blend { get; init; } = "seam";

    /// <summary>"grid" for tiles on their nominal grid, else the count and a digest of the positions given.</summary>
    public string Positions { get; init; } = "grid";

    /// <summary>The correction applied to every tile (flat-field), or "none".</summary>
    public string Correction { get; init; } = "none";

    /// <summary>How input tiles are read: the TIFF page and the 16-bit to 8-bit range (shards must map alike).</summary>
    public string Reading { get; init; } = "page=0 range=none";

    /// <summary>
    /// Writes this manifest into <paramref name="directory"/>, or, when one is there already, checks
    /// that it describes the same job.
    /// </summary>
    public void WriteOrCheck(string directory)
    {
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, FileName);
        string temporary = $"{path}.{Guid.NewGuid():N}.partial";
        File.WriteAllText(temporary, JsonSerializer.Serialize(this, JobManifestJson.Default.JobManifest));
        try
        {
            // Atomic: of several shards starting at once, exactly one manifest wins.
            File.Move(temporary, path, overwrite: false);
            return;
        }
        catch (IOException) when (File.Exists(path))
        {
            File.Delete(temporary);
        }

        CheckAgainst(ReadFrom(directory) ?? throw new TesseraException($"\"{path}\" is not a Tessera job file."), path);
    }

    /// <summary>The manifest in <paramref name="directory"/>, or null if there is none.</summary>
    public static JobManifest? ReadFrom(string directory)
    {
        string path = Path.Combine(directory, FileName);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            return JsonSerializer.Deserialize(File.ReadAllText(path), JobManifestJson.Default.JobManifest);
        }
        catch (JsonException e)
        {
            throw new TesseraException($"\"{path}\" is damaged ({e.Message}); remove the work folder and build again.", e);
        }
    }

    /// <summary>Throws, naming every setting that differs, unless <paramref name="existing"/> is this job.</summary>
    public void CheckAgainst(JobManifest existing, string where)
    {
        if (existing == this)
        {
            return;
        }

        var differences = new List<string>();
        foreach (var property in typeof(JobManifest).GetProperties())
        {
            object? mine = property.GetValue(this), theirs = property.GetValue(existing);
            if (!Equals(mine, theirs))
            {
                differences.Add($"{property.Name} {theirs} there, {mine} here");
            }
        }

        throw new TesseraException($"This output belongs to a build with other settings ({string.Join("; ", differences)}; see \"{where}\"). Use the same settings, or another output.");
    }
}

/// <summary>
/// The manifest's JSON, generated at compile time: the reflection-based serializer emits code at
/// run time, which cost every build tens of milliseconds before its first tile.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(JobManifest))]
internal sealed partial class JobManifestJson : JsonSerializerContext;
