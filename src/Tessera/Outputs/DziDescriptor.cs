using System.Globalization;
using System.Text;
using System.Xml;
using System.Xml.Linq;
using Tessera.Codecs;
using Tessera.Pyramid;

namespace Tessera.Outputs;

/// <summary>The .dzi XML file, written byte for byte as libvips <c>dzsave</c> writes it.</summary>
public static class DziDescriptor
{
    public static string ToXml(DziGeometry geometry, TileFormat format) => string.Create(CultureInfo.InvariantCulture, $"""
        <?xml version="1.0" encoding="UTF-8"?>
        <Image xmlns="http://schemas.microsoft.com/deepzoom/2008"
          Format="{format.DziName()}"
          Overlap="{geometry.Overlap}"
          TileSize="{geometry.TileSize}"
          >
          <Size 
            Height="{geometry.Height}"
            Width="{geometry.Width}"
          />
        </Image>

        """).ReplaceLineEndings("\n");

    public static byte[] ToBytes(DziGeometry geometry, TileFormat format) => Encoding.UTF8.GetBytes(ToXml(geometry, format));

    /// <summary>Reads a .dzi's geometry and tile format (the Format attribute, e.g. "jpeg").</summary>
    /// <param name="label">Names the file in the error.</param>
    /// <exception cref="TesseraException">Not a Deep Zoom descriptor, or one with an impossible geometry.</exception>
    public static (DziGeometry Geometry, string Format) Read(Stream stream, string label)
    {
        try
        {
            XElement image = XDocument.Load(stream).Root ?? throw new XmlException("empty document");
            XElement size = image.Element(DeepZoom + "Size") ?? throw new XmlException("no <Size> element");
            if (image.Name != DeepZoom + "Image")
            {
                throw new XmlException($"the root element is <{image.Name.LocalName}>, not a Deep Zoom <Image>");
            }

            string format = Attribute(image, "Format");
            int tileSize = Number(image, "TileSize"), overlap = Number(image, "Overlap");
            int width = Number(size, "Width"), height = Number(size, "Height");
            if (width < 1 || height < 1 || tileSize < 1 || overlap < 0 || overlap > tileSize)
            {
                throw new XmlException($"impossible geometry (size {width}×{height}, tile size {tileSize}, overlap {overlap})");
            }

            return (new DziGeometry(width, height, tileSize, overlap), format);
        }
        catch (Exception e) when (e is XmlException or IOException or FormatException or OverflowException or ArgumentException)
        {
            throw new TesseraException($"\"{label}\" is not a valid .dzi: {e.Message}.", e);
        }
    }

    private static readonly XNamespace DeepZoom = "http://schemas.microsoft.com/deepzoom/2008";

    private static string Attribute(XElement element, string name) =>
        (string?)element.Attribute(name) ?? throw new XmlException($"<{element.Name.LocalName}> has no {name} attribute");

    private static int Number(XElement element, string name) =>
        int.Parse(Attribute(element, name), NumberStyles.None, CultureInfo.InvariantCulture);
}
