using System.Buffers;
using System.Collections.Concurrent;
using System.Globalization;
using System.Text.Json;
using Tessera.Outputs;

namespace Tessera.Verification;

/// <summary>
/// Checks an OME-Zarr as Tessera writes it (see <see cref="Outputs.Zarr.ZarrPyramidWriter"/>):
/// <c>.zgroup</c> (written last, so a folder without it was never completed), the NGFF 0.4
/// multiscales in <c>.zattrs</c> (axes, one dataset per level, the scale doubling), every level's
/// <c>.zarray</c> half the one before down to the first that fits in one chunk, and every chunk
/// present and inflating to a whole chunk. Tessera writes every chunk, so a missing one is damage
/// here, where zarr itself would read it as the fill value.
/// </summary>
public static class OmeZarrVerifier
{
    /// <param name="folder">NAME.ome.zarr.</param>
    /// <param name="threads">Chunks decoded at once.</param>
    public static RasterVerifyReport Verify(string folder, int threads)
    {
        string full = Path.GetFullPath(folder.TrimEnd('/', Path.DirectorySeparatorChar));
        if (!Directory.Exists(full))
        {
            return Failed(full, File.Exists(full) ? $"\"{full}\" is a file, not an OME-Zarr folder." : $"\"{full}\" does not exist.");
        }

        string group = Path.Combine(full, ".zgroup");
        if (!File.Exists(group))
        {
            return Failed(full, $"\"{group}\" is missing: the OME-Zarr was never completed (Tessera writes it last).");
        }

        var problems = new ConcurrentBag<string>();
        if (ReadJson(group, problems) is { } zgroup && !(zgroup.RootElement.TryGetProperty("zarr_format", out JsonElement format) && format.ValueKind == JsonValueKind.Number && format.GetInt32() == 2))
        {
            problems.Add($"\"{group}\" does not say zarr_format 2.");
        }

        if (Multiscales(full, problems) is not { } datasets || ArrayOf(full, datasets[0], problems) is not { } top)
        {
            return new RasterVerifyReport(full, null, "zlib", 0, Sorted(problems));
        }

        RasterPyramid raster = top.Raster;
        if (datasets.Count != raster.LevelCount)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"The multiscales list {datasets.Count} levels, and {raster.Width}×{raster.Height} px in {raster.TileSize}-px chunks takes {raster.LevelCount}."));
        }

        var chunks = new List<(int Level, string Name, string File)>();
        for (int level = 0; level < Math.Min(datasets.Count, raster.LevelCount); level++)
        {
            if ((level == 0 ? top : ArrayOf(full, datasets[level], problems)) is { } array && SameShape(array, level, raster, problems))
            {
                AddChunks(Path.Combine(full, datasets[level]), level, raster, chunks, problems);
            }
        }

        Parallel.ForEach(chunks, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, threads) }, chunk =>
        {
            if (DecodeProblem(chunk.File, raster) is { } problem)
            {
                problems.Add($"Level {chunk.Level}: chunk {chunk.Name} does not decode: {problem}.");
            }
        });

        return new RasterVerifyReport(full, raster, "zlib", chunks.Count, Sorted(problems));
    }

    /// <summary>The dataset paths of the NGFF multiscales, after checking its version, axes and scales; null when there are none.</summary>
    private static List<string>? Multiscales(string folder, ConcurrentBag<string> problems)
    {
        string file = Path.Combine(folder, ".zattrs");
        if (!File.Exists(file))
        {
            problems.Add($"\"{file}\" is missing: there are no OME-NGFF multiscales.");
            return null;
        }

        using JsonDocument? attributes = ReadJson(file, problems);
        if (attributes is null)
        {
            return null;
        }

        if (!attributes.RootElement.TryGetProperty("multiscales", out JsonElement all) || all.ValueKind != JsonValueKind.Array || all.GetArrayLength() == 0
            || all[0].ValueKind != JsonValueKind.Object || !all[0].TryGetProperty("datasets", out JsonElement datasets) || datasets.ValueKind != JsonValueKind.Array
            || datasets.GetArrayLength() == 0)
        {
            problems.Add($"\"{file}\" has no multiscales with datasets.");
            return null;
        }

        JsonElement multiscale = all[0];
        if (!multiscale.TryGetProperty("version", out JsonElement version) || version.ValueKind != JsonValueKind.String || version.GetString() != "0.4")
        {
            problems.Add($"\"{file}\": the multiscales are not OME-NGFF version 0.4.");
        }

        int spatial = CheckAxes(multiscale, file, problems);
        var paths = new List<string>();
        double? firstScale = null;
        foreach (JsonElement dataset in datasets.EnumerateArray())
        {
            int level = paths.Count;
            if (dataset.ValueKind != JsonValueKind.Object || !dataset.TryGetProperty("path", out JsonElement path) || path.ValueKind != JsonValueKind.String
                || path.GetString() is not { Length: > 0 } name || name.Contains("..", StringComparison.Ordinal) || Path.IsPathRooted(name))
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"\"{file}\": dataset {level} has no path inside the folder."));
                return null;
            }

            paths.Add(name);
            double? scale = Scale(dataset, spatial);
            firstScale ??= scale;
            if (scale is null || firstScale is null || Math.Abs(scale.Value - (firstScale.Value * (1L << level))) > 1e-9 * scale.Value)
            {
                problems.Add(string.Create(CultureInfo.InvariantCulture, $"\"{file}\": the scale of dataset {level} (\"{name}\") is not 2^{level} times that of level 0."));
            }
        }

        return paths;
    }

    /// <summary>Checks the axes (c, y, x or y, x) and returns where the spatial ones start in a scale.</summary>
    private static int CheckAxes(JsonElement multiscale, string file, ConcurrentBag<string> problems)
    {
        string[] names = multiscale.TryGetProperty("axes", out JsonElement axes) && axes.ValueKind == JsonValueKind.Array
            ? [.. axes.EnumerateArray().Select(a => a.ValueKind == JsonValueKind.Object && a.TryGetProperty("name", out JsonElement n) ? n.GetString() ?? "" : "")]
            : [];
        string joined = string.Join(", ", names);
        if (joined is not ("c, y, x" or "y, x"))
        {
            problems.Add($"\"{file}\": the axes are ({joined}), not (c, y, x) or (y, x).");
        }

        return names.Length == 3 ? 1 : 0;
    }

    /// <summary>The y scale of a dataset (equal to its x scale), or null.</summary>
    private static double? Scale(JsonElement dataset, int spatial)
    {
        if (!dataset.TryGetProperty("coordinateTransformations", out JsonElement transforms) || transforms.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        foreach (JsonElement transform in transforms.EnumerateArray())
        {
            if (transform.ValueKind == JsonValueKind.Object && transform.TryGetProperty("type", out JsonElement type) && type.GetString() == "scale"
                && transform.TryGetProperty("scale", out JsonElement scale) && scale.ValueKind == JsonValueKind.Array && scale.GetArrayLength() == spatial + 2
                && scale[spatial].ValueKind == JsonValueKind.Number && scale[spatial + 1].ValueKind == JsonValueKind.Number
                && scale[spatial].GetDouble() == scale[spatial + 1].GetDouble() && scale[spatial].GetDouble() > 0)
            {
                return scale[spatial].GetDouble();
            }
        }

        return null;
    }

    /// <summary>A level's array as its .zarray describes it, when it is one Tessera would write.</summary>
    private static ZarrArray? ArrayOf(string folder, string dataset, ConcurrentBag<string> problems)
    {
        string file = Path.Combine(folder, dataset, ".zarray");
        if (!File.Exists(file))
        {
            problems.Add($"Level \"{dataset}\" is missing: \"{file}\" does not exist.");
            return null;
        }

        using JsonDocument? json = ReadJson(file, problems);
        if (json is null)
        {
            return null;
        }

        if (ZarrArray.Read(json.RootElement, out string? problem) is { } array)
        {
            return array;
        }

        problems.Add($"\"{file}\": {problem}.");
        return null;
    }

    private static bool SameShape(ZarrArray array, int level, RasterPyramid raster, ConcurrentBag<string> problems)
    {
        var (width, height) = raster.LevelSize(level);
        RasterPyramid found = array.Raster;
        if (found.Width != width || found.Height != height)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture,
                $"Level {level} is {found.Width}×{found.Height} px, expected {width}×{height}: each level halves the one before, rounding up."));
            return false;
        }

        if (found.Channels != raster.Channels || found.SampleType != raster.SampleType || found.TileSize != raster.TileSize)
        {
            problems.Add(string.Create(CultureInfo.InvariantCulture, $"Level {level}: its chunks or samples differ from level 0's."));
            return false;
        }

        return true;
    }

    private static void AddChunks(string levelFolder, int level, RasterPyramid raster, List<(int, string, string)> chunks, ConcurrentBag<string> problems)
    {
        var (columns, rows) = raster.TileCount(level);
        string prefix = raster.Channels > 1 ? "0/" : "";
        for (int row = 0; row < rows; row++)
        {
            for (int column = 0; column < columns; column++)
            {
                string name = string.Create(CultureInfo.InvariantCulture, $"{prefix}{row}/{column}");
                string file = Path.Combine(levelFolder, name.Replace('/', Path.DirectorySeparatorChar));
                if (File.Exists(file))
                {
                    chunks.Add((level, name, file));
                }
                else
                {
                    problems.Add($"Level {level}: chunk {name} is missing (\"{file}\"; Tessera writes every chunk).");
                }
            }
        }
    }

    /// <summary>Why a chunk does not inflate to exactly one chunk of samples; null when it does.</summary>
    private static string? DecodeProblem(string file, RasterPyramid raster)
    {
        byte[] samples = ArrayPool<byte>.Shared.Rent(raster.TileBytes);
        try
        {
            byte[] data = File.ReadAllBytes(file);
            CompressedTile.Inflate(data, data.Length, samples.AsSpan(0, raster.TileBytes));
            return null;
        }
        catch (InvalidDataException e)
        {
            return e.Message.TrimEnd('.');
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return $"it cannot be read: {e.Message.TrimEnd('.')}";
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(samples);
        }
    }

    private static JsonDocument? ReadJson(string file, ConcurrentBag<string> problems)
    {
        try
        {
            return JsonDocument.Parse(File.ReadAllBytes(file));
        }
        catch (JsonException e)
        {
            problems.Add($"\"{file}\" is not JSON: {e.Message}");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"\"{file}\" cannot be read: {e.Message}");
        }

        return null;
    }

    private static List<string> Sorted(ConcurrentBag<string> problems) => problems.Order(StringComparer.Ordinal).ToList();

    private static RasterVerifyReport Failed(string path, string problem) => new(path, null, "zlib", 0, [problem]);
}
