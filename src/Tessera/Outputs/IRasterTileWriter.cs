namespace Tessera.Outputs;

/// <summary>A writer of one file or folder holding a raster pyramid (OME-TIFF, OME-Zarr), taking packed tiles in any order.</summary>
public interface IRasterTileWriter
{
    RasterPyramid Raster { get; }

    /// <summary>Writes one full tile of packed samples (<see cref="RasterPyramid.TileBytes"/>) at a level of <see cref="Raster"/>.</summary>
    void WriteTile(int level, int column, int row, ReadOnlySpan<byte> samples);
}
