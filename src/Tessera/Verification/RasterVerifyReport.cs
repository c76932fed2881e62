using Tessera.Outputs;

namespace Tessera.Verification;

/// <summary>What verifying an OME-TIFF or OME-Zarr found; it is sound when <see cref="Problems"/> is empty.</summary>
/// <param name="Path">The output checked, as a full path.</param>
/// <param name="Raster">Its levels, tiles and samples, as its full-resolution level gives them; null when that could not be read.</param>
/// <param name="Compression">How its tiles are compressed (deflate, lzw, jpeg, zlib).</param>
/// <param name="TilesChecked">Tiles (TIFF tiles, zarr chunks) read and decoded.</param>
public sealed record RasterVerifyReport(string Path, RasterPyramid? Raster, string? Compression, long TilesChecked, IReadOnlyList<string> Problems)
{
    public bool IsSound => Problems.Count == 0;
}
