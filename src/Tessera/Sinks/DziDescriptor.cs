using System.Globalization;
using System.Text;
using Tessera.Codecs;
using Tessera.Pyramid;

namespace Tessera.Sinks;

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
}
