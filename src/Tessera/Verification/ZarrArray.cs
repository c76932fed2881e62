using System.Text.Json;
using Tessera.Outputs;
using Tessera.Pyramid;

namespace Tessera.Verification;

/// <summary>One level of an OME-Zarr as its .zarray describes it: the samples and chunks of a (c, y, x) or (y, x) array.</summary>
internal sealed record ZarrArray(RasterPyramid Raster)
{
    /// <summary>The array, when it is one Tessera writes (zarr v2, zlib, C order, "/" between chunk indices, square chunks of whole channels); else null and why.</summary>
    public static ZarrArray? Read(JsonElement json, out string? problem)
    {
        long[]? shape = Numbers(json, "shape"), chunks = Numbers(json, "chunks");
        string? dtype = Text(json, "dtype"), order = Text(json, "order"), separator = Text(json, "dimension_separator");
        string? compressor = json.TryGetProperty("compressor", out JsonElement c) && c.ValueKind == JsonValueKind.Object ? Text(c, "id") : null;
        problem =
            !(json.TryGetProperty("zarr_format", out JsonElement f) && f.ValueKind == JsonValueKind.Number && f.GetInt32() == 2) ? "it is not zarr_format 2"
            : shape is not { Length: 2 or 3 } || chunks is null || chunks.Length != shape.Length ? "its shape and chunks are not (c, y, x) or (y, x)"
            : dtype is not ("|u1" or "<u2") ? $"its dtype is \"{dtype}\", not |u1 or <u2"
            : compressor != "zlib" ? $"its compressor is \"{compressor}\", not zlib"
            : order != "C" || separator != "/" ? "it is not C order with \"/\" between chunk indices"
            : json.TryGetProperty("filters", out JsonElement filters) && filters.ValueKind != JsonValueKind.Null ? "it has filters"
            : null;
        if (problem is not null)
        {
            return null;
        }

        if (shape is null || chunks is null)
        {
            return null; // ruled out above; the compiler cannot follow the chain
        }

        bool colour = shape.Length == 3;
        long channels = colour ? shape[0] : 1, height = shape[^2], width = shape[^1];
        problem =
            channels is not (1 or 3) || (colour && chunks[0] != channels) ? $"it has {channels} channels in chunks of {chunks[0]}, not 1 or 3 in one chunk"
            : chunks[^1] != chunks[^2] || chunks[^1] is < 1 or > DziGeometry.MaxTileSize ? $"its chunks are {chunks[^2]}×{chunks[^1]}, not square"
            : width is < 1 or > int.MaxValue || height is < 1 or > int.MaxValue ? $"its shape is {height}×{width}"
            : null;
        return problem is null
            ? new ZarrArray(new RasterPyramid((int)width, (int)height, (int)channels, dtype == "<u2" ? SampleType.UInt16 : SampleType.UInt8, (int)chunks[^1]))
            : null;
    }

    private static long[]? Numbers(JsonElement json, string name) =>
        json.TryGetProperty(name, out JsonElement array) && array.ValueKind == JsonValueKind.Array
        && array.EnumerateArray().All(v => v.ValueKind == JsonValueKind.Number && v.TryGetInt64(out _))
            ? [.. array.EnumerateArray().Select(v => v.GetInt64())]
            : null;

    private static string? Text(JsonElement json, string name) =>
        json.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;
}
