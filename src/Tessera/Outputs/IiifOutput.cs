using System.Globalization;
using System.Text;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Pyramid;

namespace Tessera.Outputs;

/// <summary>
/// Static IIIF Image API 3 tiles as libvips <c>dzsave --layout iiif3</c> writes them: in folder NAME,
/// <c>x,y,w,h/sw,sh/0/default.jpg</c> for each tile of every level down to the first that fits in one
/// tile, which is written as <c>full/w,h/0/default.jpg</c>; <c>info.json</c> (level 0 profile) last.
/// The pyramid must have no tile overlap. Levels below that smallest one are not written.
/// </summary>
public sealed class IiifOutput : IPyramidOutput
{
    private readonly ITileCodec _codec;
    private readonly EncodeSettings _encode;
    private readonly string _suffix;
    private readonly string _id;
    private readonly DziGeometry _geometry;

    /// <param name="folder">NAME, the folder the tiles and info.json go in.</param>
    /// <param name="geometry">The pyramid's geometry, which decides every tile's name; no overlap.</param>
    /// <param name="encode">Tile format (.jpg, .png or .webp files) and quality.</param>
    /// <param name="baseId">The service's base URL; the image's id is BASE/NAME (libvips' default base is https://example.com/iiif).</param>
    public IiifOutput(string folder, DziGeometry geometry, ITileCodec codec, EncodeSettings encode, string baseId)
    {
        if (geometry.Overlap != 0)
        {
            throw new ArgumentException($"IIIF tiles have no overlap (got {geometry.Overlap}).", nameof(geometry));
        }

        _geometry = geometry;
        _codec = codec;
        _encode = encode;
        _suffix = encode.Format == TileFormat.Jpeg ? "jpg" : encode.Format.DziName();
        Folder = folder;
        _id = $"{baseId.TrimEnd('/')}/{Path.GetFileName(Folder)}";
    }

    /// <summary>The folder that holds the IIIF tiles and info.json.</summary>
    public string Folder { get; }

    public string CompleteFile => Path.Combine(Folder, "info.json");

    public string Location => CompleteFile;

    public bool IsComplete => File.Exists(CompleteFile);

    public bool AnyExists => Directory.Exists(Folder);

    public IReadOnlyList<string> Folders => [Folder];

    public IReadOnlyList<string> Files => [];

    public bool KeepsTilesAcrossRuns => true;

    public bool AllowsShards => true;

    public bool OnlyCompletionLeft => false;

    public int LevelsOf(DziGeometry geometry) => ScaleSteps(geometry) + 1;

    public void Open(int levelCount) => OutputFolder.Create(Folder);

    public void RemoveIntermediates()
    {
    }

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

    public void Write(int level, int column, int row, PixelBuffer source, PixelRect tile)
    {
        DziGeometry g = _geometry;
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
            using IEncodedImage encoded = _codec.Encode(source, tile, _encode);
            Directory.CreateDirectory(folder);
            File.WriteAllBytes(Path.Combine(folder, "default." + _suffix), encoded.Bytes);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new TesseraException($"Cannot write tile \"{folder}\": {e.Message}", e);
        }
    }

    public void Complete(DziGeometry geometry)
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
        OutputFolder.Delete(Folder);
    }

    public void Dispose()
    {
    }
}
