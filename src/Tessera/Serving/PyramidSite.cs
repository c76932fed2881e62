using System.Globalization;
using System.IO.Compression;
using System.Security.Cryptography;
using System.Text;
using Tessera.Pyramid;
using Tessera.Sinks;
using Tessera.Viewer;

namespace Tessera.Serving;

/// <summary>
/// The web site of one pyramid, without a web server: which request target names which file. Only
/// four kinds of address exist — <c>/</c> and <c>/NAME.html</c> (the viewer page), <c>/NAME.dzi</c>,
/// and <c>/NAME_files/LEVEL/COLUMN_ROW.FORMAT</c> — and a tile's file name is rebuilt from the numbers
/// parsed out of the address, so nothing else beside or above the pyramid can be reached; there are
/// no directory listings. Targets that try to step out (<c>..</c>, encoded dots, slashes or
/// backslashes, absolute forms) are refused with 400 before any lookup. Tiles come from NAME_files
/// or straight from NAME.zip (opened once; entries found by name, read whole: tiles are small).
/// </summary>
public abstract class PyramidSite : IDisposable
{
    public const string PageCacheControl = "no-cache";
    public const string TileCacheControl = "public, max-age=300";

    private readonly SiteResponse _page;
    private readonly string _tilePrefix;
    private readonly string _tileSuffix;

    private protected PyramidSite(string source, string name, DziGeometry geometry, string format, DateTimeOffset modified)
    {
        Source = source;
        Name = name;
        Geometry = geometry;
        Format = format;
        ContentTypeOfTiles = format switch
        {
            "jpeg" or "jpg" => "image/jpeg",
            "png" => "image/png",
            "webp" => "image/webp",
            _ => throw new TesseraException($"\"{source}\": tiles of format \"{format}\" cannot be served (jpeg, png or webp)."),
        };
        byte[] page = Encoding.UTF8.GetBytes(ViewerPage.Render(name, geometry, format, zipped: false));
        _page = Content(page, "text/html; charset=utf-8", PageCacheControl, modified);
        _tilePrefix = "/" + DziPaths.FilesFolderName(name) + "/";
        _tileSuffix = "." + format;
    }

    /// <summary>The .dzi or .zip served.</summary>
    public string Source { get; }

    /// <summary>NAME: the pyramid's file name without extension.</summary>
    public string Name { get; }

    public DziGeometry Geometry { get; }

    public string Format { get; }

    public string ContentTypeOfTiles { get; }

    /// <summary>Opens NAME.dzi (with NAME_files beside it) or NAME.zip (libvips' zip layout).</summary>
    /// <exception cref="TesseraException">The file is missing, or is not a Deep Zoom pyramid.</exception>
    public static PyramidSite Open(string path)
    {
        string full = Path.GetFullPath(path);
        if (Directory.Exists(full))
        {
            throw new TesseraException($"\"{full}\" is a folder: give the pyramid's .dzi or .zip file.");
        }

        if (!File.Exists(full))
        {
            throw new TesseraException($"\"{full}\" does not exist.");
        }

        string extension = Path.GetExtension(full).ToLowerInvariant();
        return extension switch
        {
            ".dzi" => DirectorySite.Create(full),
            ".zip" => ZipSite.Create(full),
            _ => throw new TesseraException($"\"{full}\" is not a Deep Zoom pyramid: give NAME.dzi or NAME.zip."),
        };
    }

    /// <summary>The answer to a GET or HEAD of <paramref name="target"/>, the request target as sent (path and query).</summary>
    public SiteResponse Resolve(string target)
    {
        if (RefuseTarget(target) is { } refused)
        {
            return refused;
        }

        int query = target.IndexOfAny(['?', '#']);
        string path;
        try
        {
            path = Uri.UnescapeDataString(query < 0 ? target : target[..query]);
        }
        catch (UriFormatException)
        {
            return SiteResponse.BadRequest("Malformed address.");
        }

        if (path.Contains('\0', StringComparison.Ordinal) || path.Contains('\\', StringComparison.Ordinal)
            || path.Contains("//", StringComparison.Ordinal) || path.Split('/').Any(segment => segment is "." or ".."))
        {
            return SiteResponse.BadRequest("Addresses may not step out of the pyramid.");
        }

        if (path == "/" || path == "/" + Name + ".html")
        {
            return _page;
        }

        if (path == "/" + Name + ".dzi")
        {
            return Descriptor();
        }

        if (path.StartsWith(_tilePrefix, StringComparison.Ordinal) && TryParseTile(path[_tilePrefix.Length..], out int level, out int column, out int row))
        {
            string name = string.Create(CultureInfo.InvariantCulture, $"{level}/{column}_{row}{_tileSuffix}");
            return Tile(name) ?? SiteResponse.NotFound($"No tile {name}.");
        }

        return SiteResponse.NotFound("Not part of this pyramid.");
    }

    /// <summary>
    /// Refuses, on the raw target, what could mean a step outside once decoded or normalised: a target
    /// that is not a path (absolute form, asterisk), a backslash, or an encoded dot, slash, backslash or NUL.
    /// </summary>
    private static SiteResponse? RefuseTarget(string target)
    {
        if (!target.StartsWith('/'))
        {
            return SiteResponse.BadRequest("Only paths are served.");
        }

        if (target.Contains('\\', StringComparison.Ordinal))
        {
            return SiteResponse.BadRequest("Backslashes are not allowed in addresses.");
        }

        foreach (string encoded in (ReadOnlySpan<string>)["%2e", "%2f", "%5c", "%00"])
        {
            if (target.Contains(encoded, StringComparison.OrdinalIgnoreCase))
            {
                return SiteResponse.BadRequest($"Encoded \"{encoded}\" is not allowed in addresses.");
            }
        }

        return null;
    }

    /// <summary>LEVEL/COLUMN_ROW.FORMAT with plain decimal numbers (no sign, no leading zero), nothing else.</summary>
    private bool TryParseTile(string rest, out int level, out int column, out int row)
    {
        level = column = row = 0;
        if (!rest.EndsWith(_tileSuffix, StringComparison.Ordinal))
        {
            return false;
        }

        string[] parts = rest[..^_tileSuffix.Length].Split('/');
        if (parts.Length != 2)
        {
            return false;
        }

        string[] cell = parts[1].Split('_');
        return cell.Length == 2 && TryNumber(parts[0], out level) && TryNumber(cell[0], out column) && TryNumber(cell[1], out row);

        static bool TryNumber(string text, out int value)
        {
            value = 0;
            return text.Length is > 0 and <= 9 && (text.Length == 1 || text[0] != '0') && text.All(char.IsAsciiDigit)
                && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
        }
    }

    /// <summary>NAME.dzi.</summary>
    private protected abstract SiteResponse Descriptor();

    /// <summary>The tile LEVEL/COLUMN_ROW.FORMAT, or null when the pyramid has no such tile.</summary>
    private protected abstract SiteResponse? Tile(string name);

    private protected static SiteResponse Content(byte[] body, string contentType, string cacheControl, DateTimeOffset modified) => new()
    {
        Status = 200,
        ContentType = contentType,
        CacheControl = cacheControl,
        ETag = "\"" + Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 12)) + "\"",
        LastModified = modified,
        Body = body,
    };

    public virtual void Dispose()
    {
        GC.SuppressFinalize(this);
    }

    /// <summary>NAME.dzi and NAME_files on disk; a tile is looked up when asked for.</summary>
    private sealed class DirectorySite : PyramidSite
    {
        private readonly DziPaths _paths;

        private DirectorySite(DziPaths paths, string name, DziGeometry geometry, string format)
            : base(paths.DziFile, name, geometry, format, File.GetLastWriteTimeUtc(paths.DziFile))
        {
            _paths = paths;
        }

        public static DirectorySite Create(string dziFile)
        {
            var paths = new DziPaths(dziFile);
            (DziGeometry geometry, string format) = ReadDescriptor(paths.DziFile);
            if (!Directory.Exists(paths.FilesDirectory))
            {
                throw new TesseraException($"The tile folder \"{paths.FilesDirectory}\" of \"{paths.DziFile}\" is missing.");
            }

            return new DirectorySite(paths, Path.GetFileNameWithoutExtension(paths.DziFile), geometry, format);
        }

        private static (DziGeometry, string) ReadDescriptor(string dziFile)
        {
            try
            {
                using var stream = new FileStream(dziFile, FileMode.Open, FileAccess.Read, FileShare.Read);
                return DziDescriptor.Read(stream, dziFile);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new TesseraException($"Cannot read \"{dziFile}\": {e.Message}", e);
            }
        }

        private protected override SiteResponse Descriptor() => FileResponse(_paths.DziFile, "application/xml", PageCacheControl)
            ?? SiteResponse.NotFound("The .dzi is gone.");

        private protected override SiteResponse? Tile(string name) =>
            FileResponse(Path.Combine(_paths.FilesDirectory, name.Replace('/', Path.DirectorySeparatorChar)), ContentTypeOfTiles, TileCacheControl);

        private static SiteResponse? FileResponse(string path, string contentType, string cacheControl)
        {
            var file = new FileInfo(path);
            if (!file.Exists)
            {
                return null;
            }

            DateTime modified = file.LastWriteTimeUtc;
            return new SiteResponse
            {
                Status = 200,
                ContentType = contentType,
                CacheControl = cacheControl,
                ETag = string.Create(CultureInfo.InvariantCulture, $"\"{file.Length:x}-{modified.Ticks:x}\""),
                LastModified = modified,
                FilePath = file.FullName,
            };
        }
    }

    /// <summary>
    /// NAME.zip as libvips writes it (NAME.dzi and NAME_files/… at the root), opened once. Entries
    /// share one file stream, so reads take turns; each entry is read whole (a tile is tens of kB).
    /// </summary>
    private sealed class ZipSite : PyramidSite
    {
        private readonly ZipArchive _zip;
        private readonly Dictionary<string, ZipArchiveEntry> _entries;
        private readonly Lock _read = new();
        private readonly string _filesPrefix;

        private ZipSite(string zipFile, ZipArchive zip, Dictionary<string, ZipArchiveEntry> entries, string name, DziGeometry geometry, string format)
            : base(zipFile, name, geometry, format, entries[name + ".dzi"].LastWriteTime)
        {
            _zip = zip;
            _entries = entries;
            _filesPrefix = DziPaths.FilesFolderName(name) + "/";
        }

        public static ZipSite Create(string zipFile)
        {
            string name = Path.GetFileNameWithoutExtension(zipFile);
            ZipArchive? zip = null;
            try
            {
                zip = ZipFile.OpenRead(zipFile);
                var entries = new Dictionary<string, ZipArchiveEntry>(StringComparer.Ordinal);
                foreach (ZipArchiveEntry entry in zip.Entries)
                {
                    entries.TryAdd(entry.FullName, entry);
                }

                if (!entries.TryGetValue(name + ".dzi", out ZipArchiveEntry? descriptor))
                {
                    throw new TesseraException($"\"{zipFile}\" is not a Deep Zoom zip: it has no {name}.dzi at its root.");
                }

                (DziGeometry geometry, string format) geometry;
                using (Stream stream = descriptor.Open())
                {
                    geometry = DziDescriptor.Read(stream, $"{zipFile}: {name}.dzi");
                }

                var site = new ZipSite(zipFile, zip, entries, name, geometry.geometry, geometry.format);
                zip = null;
                return site;
            }
            catch (InvalidDataException e)
            {
                throw new TesseraException($"\"{zipFile}\" is not a readable zip: {e.Message}", e);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new TesseraException($"Cannot read \"{zipFile}\": {e.Message}", e);
            }
            finally
            {
                zip?.Dispose();
            }
        }

        private protected override SiteResponse Descriptor() => EntryResponse(Name + ".dzi", "application/xml", PageCacheControl)!;

        private protected override SiteResponse? Tile(string name) => EntryResponse(_filesPrefix + name, ContentTypeOfTiles, TileCacheControl);

        private SiteResponse? EntryResponse(string entryName, string contentType, string cacheControl)
        {
            if (!_entries.TryGetValue(entryName, out ZipArchiveEntry? entry))
            {
                return null;
            }

            byte[] body = new byte[checked((int)entry.Length)];
            lock (_read)
            {
                using Stream stream = entry.Open();
                stream.ReadExactly(body);
            }

            return new SiteResponse
            {
                Status = 200,
                ContentType = contentType,
                CacheControl = cacheControl,
                ETag = string.Create(CultureInfo.InvariantCulture, $"\"{entry.Crc32:x8}-{entry.Length:x}\""),
                LastModified = entry.LastWriteTime,
                Body = body,
            };
        }

        public override void Dispose()
        {
            _zip.Dispose();
            base.Dispose();
        }
    }
}
