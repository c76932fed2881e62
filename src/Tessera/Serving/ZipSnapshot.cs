using Tessera.Outputs;

namespace Tessera.Serving;

/// <summary>One version of a served zip: the zip as opened, how it looks on the web, and the file's stamp just before it was opened.</summary>
internal sealed class ZipSnapshot(ZipPyramid zip, SiteView view, FileStamp stamp) : IDisposable
{
    public ZipPyramid Zip { get; } = zip;
    public SiteView View { get; } = view;
    public FileStamp Stamp { get; } = stamp;

    /// <exception cref="TesseraException">The zip cannot be read or is not a stored pyramid of the layout.</exception>
    public static ZipSnapshot Open(string zipFile, FileStamp stamp)
    {
        ZipPyramid zip = ZipPyramid.Open(zipFile);
        try
        {
            return new ZipSnapshot(zip, new SiteView(zipFile, zip.Name, zip.Geometry, zip.Format, zip.Descriptor.LastWriteTime, Viewer.ViewerFiles.ReadMetadata(zipFile)), stamp);
        }
        catch
        {
            zip.Dispose();
            throw;
        }
    }

    public void Dispose() => Zip.Dispose();
}
