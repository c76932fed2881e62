using Tessera.Codecs;
using Tessera.Outputs;
using Tessera.Outputs.Tiff;

namespace Tessera.Build;

/// <summary>The output a request asks for, made from its layout and container.</summary>
internal static class PyramidOutputs
{
    public static IPyramidOutput Create(PyramidBuild.Job job, ITileCodec codec)
    {
        BuildRequest request = job.Request;
        EncodeSettings encode = job.Pyramid.Encode;
        return request.PyramidLayout switch
        {
            PyramidLayout.DeepZoom when request.Container == OutputContainer.Zip => new DeepZoomZipOutput(new DziPaths(job.Location.Path), job.Location.WorkDirectory, job.Geometry, codec, encode),
            PyramidLayout.DeepZoom => new DeepZoomFolderOutput(new DziPaths(job.Location.Path), codec, encode),
            PyramidLayout.Iiif3 => new IiifOutput(job.Location.Path, job.Geometry, codec, encode, request.IiifBaseId),
            PyramidLayout.OmeTiff => new OmeTiffOutput(job.Location.Path, Path.GetFileName(job.Location.Name), job.Geometry, job.PixelFormat, TiffCompressionOf(request.Compression), codec, encode, request.PixelSize),
            PyramidLayout.OmeZarr => new OmeZarrOutput(job.Location.Path, Path.GetFileName(job.Location.Name), job.Geometry, job.PixelFormat, request.PixelSize),
            _ => throw new ArgumentOutOfRangeException(nameof(job), request.PyramidLayout, "Unknown layout."),
        };
    }

    private static TiffCompression TiffCompressionOf(RasterCompression compression) => compression switch
    {
        RasterCompression.Lzw => TiffCompression.Lzw,
        RasterCompression.Jpeg => TiffCompression.Jpeg,
        _ => TiffCompression.Deflate,
    };
}
