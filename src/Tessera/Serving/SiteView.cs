using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using Tessera.Pyramid;
using Tessera.Outputs;
using Tessera.Viewer;

namespace Tessera.Serving;

/// <summary>
/// What one version of a pyramid looks like on the web: its viewer page, and which address names what.
/// Only five kinds of address exist (see <see cref="AddressKind"/>); a tile's file name is rebuilt from
/// the numbers parsed out of the address, so nothing else beside or above the pyramid can be named.
/// </summary>
internal sealed class SiteView
{
    private readonly string _name;
    private readonly string _tilePrefix;
    private readonly string _tileSuffix;
    private readonly string _overlayPrefix;

    /// <param name="metadata">The sidecar NAME.dzi.json (pixel size, tile overlay); null where there is none.</param>
    /// <exception cref="TesseraException">Tiles of <paramref name="format"/> cannot be served.</exception>
    public SiteView(string source, string name, DziGeometry geometry, string format, DateTimeOffset modified, ViewerMetadata? metadata)
    {
        ContentTypeOfTiles = format switch
        {
            "jpeg" or "jpg" => "image/jpeg",
            "png" => "image/png",
            "webp" => "image/webp",
            _ => throw new TesseraException($"\"{source}\": tiles of format \"{format}\" cannot be served (jpeg, png or webp)."),
        };
        _name = name;
        _tilePrefix = "/" + DziPaths.FilesFolderName(name) + "/";
        _tileSuffix = "." + format;
        _overlayPrefix = metadata?.Overlay is null ? "" : "/" + ViewerPaths.OverlayFolderName(name) + "/";
        Pyramid = new ViewerPyramid(name, geometry, format, metadata);
        byte[] page = Encoding.UTF8.GetBytes(ViewerPage.Render(name, geometry, format, zipped: false, metadata));
        Page = Content(page, "text/html; charset=utf-8", PyramidSite.PageCacheControl, modified);
    }

    public string ContentTypeOfTiles { get; }

    /// <summary>The pyramid as a viewer page shows it (for a page that shows more than one).</summary>
    public ViewerPyramid Pyramid { get; }

    public SiteResponse Page { get; }

    /// <summary>What <paramref name="path"/> (decoded, without query) names.</summary>
    public SiteAddress Match(string path)
    {
        if (path == "/" || path == "/" + _name + ".html")
        {
            return new SiteAddress(AddressKind.Page);
        }

        if (path == "/" + _name + ".dzi")
        {
            return new SiteAddress(AddressKind.Descriptor);
        }

        if (_overlayPrefix.Length > 0 && path.StartsWith(_overlayPrefix, StringComparison.Ordinal))
        {
            return TryParseChunk(path[_overlayPrefix.Length..], out int chunkColumn, out int chunkRow)
                ? new SiteAddress(AddressKind.Overlay, 0, TileOverlayWriter.ChunkFileName(chunkColumn, chunkRow))
                : new SiteAddress(AddressKind.None);
        }

        return path.StartsWith(_tilePrefix, StringComparison.Ordinal) && TryParseTile(path[_tilePrefix.Length..], out int level, out int column, out int row)
            ? new SiteAddress(AddressKind.Tile, level, string.Create(CultureInfo.InvariantCulture, $"{column}_{row}{_tileSuffix}"))
            : new SiteAddress(AddressKind.None);
    }

    /// <summary>c{COLUMN}_{ROW}.js with plain decimal numbers, nothing else.</summary>
    private static bool TryParseChunk(string rest, out int column, out int row)
    {
        column = row = 0;
        if (!rest.StartsWith('c') || !rest.EndsWith(".js", StringComparison.Ordinal))
        {
            return false;
        }

        string[] cell = rest[1..^3].Split('_');
        return cell.Length == 2 && TryNumber(cell[0], out column) && TryNumber(cell[1], out row);
    }

    public static SiteResponse Content(byte[] body, string contentType, string cacheControl, DateTimeOffset modified) => new()
    {
        Status = 200,
        ContentType = contentType,
        CacheControl = cacheControl,
        ETag = "\"" + Convert.ToHexStringLower(SHA256.HashData(body).AsSpan(0, 12)) + "\"",
        LastModified = modified,
        Body = body,
    };

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
    }

    private static bool TryNumber(string text, out int value)
    {
        value = 0;
        return text.Length is > 0 and <= 9 && (text.Length == 1 || text[0] != '0') && text.All(char.IsAsciiDigit)
            && int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out value);
    }
}
