using System.Globalization;
using Tessera.Outputs;

namespace Tessera.Serving;

/// <summary>
/// NAME.zip as libvips writes it (NAME.dzi and NAME_files/… at the root), read in place: an entry's
/// bytes are read from where they lie, at most one tile per request, by any number of requests at
/// once. Before each request the file is stat'ed; when it has changed (replaced, rewritten) it is
/// opened again, and while the new file cannot be read requests get 503 with the reason.
/// </summary>
internal sealed class ZipSite : PyramidSite
{
    private readonly Lock _reopen = new();
    private volatile ZipSnapshot? _current;
    private (FileStamp Stamp, TesseraException Error)? _failed;
    private readonly OverlayFiles _overlay;

    private ZipSite(string zipFile, ZipSnapshot snapshot)
        : base(zipFile, Path.GetFileNameWithoutExtension(zipFile))
    {
        _current = snapshot;
        _overlay = new OverlayFiles(zipFile);
    }

    internal override SiteView CurrentView() => Current().View;

    public static ZipSite Create(string zipFile)
    {
        FileStamp stamp = FileStamp.Of(zipFile);
        return new ZipSite(zipFile, ZipSnapshot.Open(zipFile, stamp));
    }

    private protected override SiteResponse Answer(string path)
    {
        for (int attempt = 0; ; attempt++)
        {
            ZipSnapshot snapshot;
            try
            {
                snapshot = Current();
            }
            catch (TesseraException e)
            {
                return SiteResponse.Unavailable(e.Message);
            }

            try
            {
                return Answer(snapshot, path);
            }
            catch (ObjectDisposedException) when (attempt == 0)
            {
                // Another request found the zip changed and closed this version while it was read: read the new one.
            }
            catch (TesseraException e)
            {
                return SiteResponse.Unavailable(e.Message);
            }
        }
    }

    private SiteResponse Answer(ZipSnapshot snapshot, string path)
    {
        SiteAddress address = snapshot.View.Match(path);
        return address.Kind switch
        {
            AddressKind.Page => snapshot.View.Page,
            AddressKind.Descriptor => EntryResponse(snapshot.Zip, snapshot.Zip.Descriptor, "application/xml", PageCacheControl),
            AddressKind.Tile => snapshot.Zip.TryGetTile(address.Level, address.File, out StoredZipEntry entry)
                ? EntryResponse(snapshot.Zip, entry, snapshot.View.ContentTypeOfTiles, TileCacheControl)
                : SiteResponse.NotFound($"No tile {address.TileName}."),
            AddressKind.Overlay => _overlay.Answer(address),
            _ => SiteResponse.NotFound("Not part of this pyramid."),
        };
    }

    /// <summary>The version of the zip that is on disk now, opened again if the file changed since.</summary>
    /// <exception cref="TesseraException">It changed and the new file cannot be read (the same error until it changes again).</exception>
    private ZipSnapshot Current()
    {
        FileStamp stamp = FileStamp.Of(Source);
        if (_current is { } current && current.Stamp == stamp)
        {
            return current;
        }

        lock (_reopen)
        {
            current = _current;
            if (current is not null && current.Stamp == stamp)
            {
                return current;
            }

            if (_failed is { } failed && failed.Stamp == stamp)
            {
                throw failed.Error;
            }

            _current = null;
            current?.Dispose();
            try
            {
                _current = ZipSnapshot.Open(Source, stamp);
                _failed = null;
                return _current;
            }
            catch (TesseraException e)
            {
                _failed = (stamp, e);
                throw;
            }
        }
    }

    private static SiteResponse EntryResponse(ZipPyramid zip, StoredZipEntry entry, string contentType, string cacheControl) => new()
    {
        Status = 200,
        ContentType = contentType,
        CacheControl = cacheControl,
        ETag = string.Create(CultureInfo.InvariantCulture, $"\"{entry.Crc32:x8}-{entry.Length:x}\""),
        LastModified = entry.LastWriteTime,
        Body = zip.ReadAll(entry),
    };

    public override void Dispose()
    {
        lock (_reopen)
        {
            _current?.Dispose();
            _current = null;
        }

        base.Dispose();
    }
}
