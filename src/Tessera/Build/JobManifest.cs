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

    /// <summary>
    /// Block columns per band (<see cref="Pyramid.PyramidPlan.BandBlocks"/>): blocks are numbered in
    /// band order, so the done blocks recorded in the work folder mean these blocks only with these
    /// bands. Job files from before bands were chosen per grid had 8.
    /// </summary>
    public int BandBlocks { get; init; } = Pyramid.PyramidPlan.MaxBandBlocks;

    /// <summary>How far from the background a left-out blank tile may be (<see cref="BuildRequest.SkipBlankTolerance"/>); 0 when none are left out.</summary>
    public int SkipBlankTolerance { get; init; }

    /// <summary>How overlaps are blended (<c>--blend</c>).</summary>
    public string Blend { get; init; } = "seam";

    /// <summary>"grid" for tiles on their nominal grid, else the count and a digest of the positions given.</summary>
    public string Positions { get; init; } = "grid";

    /// <summary>The correction applied to every tile (flat-field), or "none".</summary>
    public string Correction { get; init; } = "none";

    /// <summary>How input tiles are read: the TIFF page and the 16-bit to 8-bit range (shards must map alike).</summary>
    public string Reading { get; init; } = "page=0 range=none";

    /// <summary>The input files' <see cref="InputFingerprint.Digest"/>; builds from before fingerprints have none recorded.</summary>
    public string Inputs { get; init; } = Unrecorded;

    private const string Unrecorded = "not recorded";

    /// <summary>
    /// Writes this manifest, and the list of <paramref name="inputs"/> it fingerprints, into
    /// <paramref name="directory"/> (created as Tessera's), or, when one is there already, checks
    /// that it describes the same job on the same inputs.
    /// </summary>
    public void WriteOrCheck(string directory, InputFingerprint inputs)
    {
        Outputs.OutputFolder.Create(directory);
        string path = Path.Combine(directory, FileName);
        if (ReadFrom(directory) is { } existing)
        {
            CheckAgainst(existing, directory, inputs);
            return;
        }

        // The list first: a manifest that exists always has its list beside it.
        inputs.WriteTo(directory);
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

        CheckAgainst(ReadFrom(directory) ?? throw new TesseraException($"\"{path}\" is not a Tessera job file."), directory, inputs);
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

    /// <summary>
    /// Throws, naming every setting that differs, or the input files that changed, unless
    /// <paramref name="existing"/> (from the work folder <paramref name="directory"/>) is this job.
    /// </summary>
    public void CheckAgainst(JobManifest existing, string directory, InputFingerprint inputs)
    {
        List<string> differences = SettingsDifferences(existing);
        if (differences.Count > 0)
        {
            throw new TesseraException($"This output belongs to a build with other settings ({string.Join("; ", differences)}; see \"{Path.Combine(directory, FileName)}\"). Use the same settings, or another output.");
        }

        if (existing.Inputs != Inputs)
        {
            string what = existing.Inputs == Unrecorded
                ? "its job file, from an older Tessera, records no fingerprint of them"
                : inputs.DescribeChangesFrom(existing.Inputs, directory);
            throw new RequestException(
                $"The input files are not those this unfinished build began with ({what}): continuing would mix old tiles with new. Restore them, or use Overwrite to start over.",
                "Overwrite");
        }
    }

    /// <summary>Whether <paramref name="existing"/> describes this job on the same inputs.</summary>
    public bool IsSameJob(JobManifest existing) => existing.Inputs == Inputs && SettingsDifferences(existing).Count == 0;

    private List<string> SettingsDifferences(JobManifest existing)
    {
        var differences = new List<string>();
        foreach (var property in typeof(JobManifest).GetProperties())
        {
            object? mine = property.GetValue(this), theirs = property.GetValue(existing);
            if (property.Name != nameof(Inputs) && !Equals(mine, theirs))
            {
                differences.Add($"{property.Name} {theirs} there, {mine} here");
            }
        }

        return differences;
    }
}

/// <summary>
/// The manifest's JSON, generated at compile time: the reflection-based serializer emits code at
/// run time, which cost every build tens of milliseconds before its first tile.
/// </summary>
[JsonSourceGenerationOptions(WriteIndented = true)]
[JsonSerializable(typeof(JobManifest))]
internal sealed partial class JobManifestJson : JsonSerializerContext;
