using Tessera.Codecs;
using Tessera.Compositing;
using Tessera.Illumination;
using Tessera.Outputs;
using Tessera.Outputs.Tiff;
using Tessera.Viewer;

namespace Tessera.Build;

/// <summary>The output a request asks for, made from its layout and container.</summary>
internal static class PyramidOutputs
{
    public static IPyramidOutput Create(PyramidBuild.Job job, ITileCodec codec)
    {
        BuildRequest request = job.Request;
        EncodeSettings encode = job.Pyramid.Encode;
        Func<ViewerContent> viewer = () => ViewerContentOf(job);
        return request.PyramidLayout switch
        {
            PyramidLayout.DeepZoom when request.Container == OutputContainer.Zip => new DeepZoomZipOutput(new DziPaths(job.Location.Path), job.Location.WorkDirectory, job.Geometry, codec, encode, viewer),
            PyramidLayout.DeepZoom => new DeepZoomFolderOutput(new DziPaths(job.Location.Path), codec, encode, viewer),
            PyramidLayout.Iiif3 => new IiifOutput(job.Location.Path, job.Geometry, codec, encode, request.IiifBaseId),
            PyramidLayout.OmeTiff => new OmeTiffOutput(job.Location.Path, Path.GetFileName(job.Location.Name), job.Geometry, job.PixelFormat, TiffCompressionOf(request.Compression), codec, encode, request.PixelSize),
            PyramidLayout.OmeZarr => new OmeZarrOutput(job.Location.Path, Path.GetFileName(job.Location.Name), job.Geometry, job.PixelFormat, request.PixelSize),
            _ => throw new ArgumentOutOfRangeException(nameof(job), request.PyramidLayout, "Unknown layout."),
        };
    }

    /// <summary>What the viewer's tile overlay shows: where each tile went, the registration's pairs, the gains, the pixel size.</summary>
    private static ViewerContent ViewerContentOf(PyramidBuild.Job job) =>
        new(job.Placed ?? PlacedMosaic.FromGrid(job.Mosaic!), job.Request.InputDirectory)
        {
            Placements = job.Request.Placements,
            Pairs = job.Request.RegistrationPairs,
            Gains = (job.Correction as TileGainCorrection)?.Gains,
            PixelSize = job.Request.PixelSize,
        };

    private static TiffCompression TiffCompressionOf(RasterCompression compression) => compression switch
    {
        RasterCompression.Lzw => TiffCompression.Lzw,
        RasterCompression.Jpeg => TiffCompression.Jpeg,
        _ => TiffCompression.Deflate,
    };
}
