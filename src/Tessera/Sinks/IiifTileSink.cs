using System.Globalization;
using System.Text;
using Tessera.Codecs;
using Tessera.Pyramid;

namespace Tessera.Sinks;

/// <summary>
/// Static IIIF Image API 3 tiles as libvips <c>dzsave --layout iiif3</c> writes them: in folder NAME,
/// <c>x,y,w,h/sw,sh/0/default.jpg</c> for each tile of every level down to the first that fits in one
/// tile, which is written as <c>full/w,h/0/default.jpg</c>; <c>info.json</c> (level 0 profile) last.
/// The pyramid must have no tile overlap. Levels below that smallest one are not written.
/// </summary>
public sealed class IiifTileSink : IPyramidSink
{
    private readonly DziPaths _paths;
    private readonly string _suffix;
    private readonly string _id;
    private DziGeometry? _geometry;

    /// <param name="paths">NAME is the folder; its work folder is shared with the other layouts.</param>
    /// <param name="format">Tile format (.jpg, .png or .webp files).</param>
    /// <param name="baseId">The service's base URL; the image's id is BASE/NAME (libvips' default base is https://example.com/iiif).</param>
    public IiifTileSink(DziPaths paths, TileFormat format, string baseId)
    {
        _paths = paths;
        _suffix = format == TileFormat.Jpeg ? "jpg" : format.DziName();
        Folder = paths.DziFile[..^4];
        _id = $"{baseId.TrimEnd('/')}/{Path.GetFileName(Folder)}";
    }

    /// <summary>The folder that holds the IIIF tiles and info.json.</summary>
    public string Folder { get; }

    public string CompleteFile => Path.Combine(Folder, "info.json");

    public bool IsComplete => File.Exists(CompleteFile);

    public bool AnyExists => Directory.Exists(Folder) || Directory.Exists(_paths.WorkDirectory);

    public IReadOnlyList<string> Folders => [Folder, _paths.WorkDirectory];

    /// <summary>Tells the sink the pyramid's geometry, which decides every tile's name.</summary>
    public void Prepare(DziGeometry geometry)
    {
        if (geometry.Overlap != 0)
        {
            throw new ArgumentException($"IIIF tiles have no overlap (got {geometry.Overlap}).", nameof(geometry));
        }

        _geometry = geometry;
    }

    public void Open(int levelCount) => OutputFolder.Create(Folder);

    /// <summary>Levels below the top that are written: scale factors 1, 2, 4, … down to the first level that fits in one tile.</summary>
    public static int ScaleSteps(DziGeometry geometry)
    {
        int k = 0;
        while (true)
        {
            var (w, h) = geometry.LevelSize(geometry.TopLevel - k);
            if ((w <= geometry.TileSize && h <= geometry.TileSize) || k == geometry.TopLevel)
            {
                return k;
            }

            k++;
        }
    }

    public void Write(int level, int column, int row, ReadOnlySpan<byte> encoded)
    {
        DziGeometry g = _geometry ?? throw new InvalidOperationException("Prepare the sink with the geometry first.");
        int k = g.TopLevel - level, last = ScaleSteps(g);
        if (k > last)
        {
            return;
        }

        var rect = g.TileRect(level, column, row);
        string folder;
        if (k == last)
        {
            folder = Path.Combine(Folder, "full", string.Create(CultureInfo.InvariantCulture, $"{rect.Width},{rect.Height}"), "0");
        }
        else
        {
            long scale = 1L << k, x = column * (long)g.TileSize * scale, y = row * (long)g.TileSize * scale;
            long w = Math.Min(g.TileSize * scale, g.Width - x), h = Math.Min(g.TileSize * scale, g.Height - y);
            folder = Path.Combine(Folder, string.Create(CultureInfo.InvariantCulture, $"{x},{y},{w},{h}"),
                string.Create(CultureInfo.InvariantCulture, $"{rect.Width},{rect.Height}"), "0");
        }

        try
        {
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, "default." + _suffix), encoded);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TesseraException($"Cannot write tile \"{folder}\": {e.Message}", e);
        }
    }

    public void Commit(DziGeometry geometry)
    {
        var factors = new StringBuilder();
        for (int k = 0; k <= ScaleSteps(geometry); k++)
        {
            factors.Append(CultureInfo.InvariantCulture, $"{(k > 0 ? "," : string.Empty)}\n        {1L << k}");
        }

        string json = string.Create(CultureInfo.InvariantCulture, $$"""
            {
              "@context": "http://iiif.io/api/image/3/context.json",
              "id": "{{_id}}",
              "type": "ImageService3",
              "profile": "level0",
              "protocol": "http://iiif.io/api/image",
              "tiles": [
                {
                  "scaleFactors": [{{factors}}
                  ],
                  "width": {{geometry.TileSize}}
                }
              ],
              "width": {{geometry.Width}},
              "height": {{geometry.Height}}
            }

            """).ReplaceLineEndings("\n");
        string temporary = CompleteFile + ".partial";
        File.WriteAllText(temporary, json);
        File.Move(temporary, CompleteFile, overwrite: true);
    }

    public void Delete()
    {
        foreach (string folder in Folders)
        {
            OutputFolder.Delete(folder);
        }
    }

    public void Dispose()
    {
    }
}
