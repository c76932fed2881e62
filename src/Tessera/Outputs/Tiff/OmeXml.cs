using System.Globalization;
using System.Xml.Linq;
using Tessera.Imaging;

namespace Tessera.Outputs.Tiff;

/// <summary>
/// The OME-XML an OME-TIFF carries in its first ImageDescription: one image, one plane (RGB as one
/// channel of three samples, as Bio-Formats and libvips write it), and the physical pixel size
/// where it is known. The reduced levels are SubIFDs, which OME-TIFF readers find without XML.
/// </summary>
public static class OmeXml
{
    private static readonly XNamespace Ome = "http://www.openmicroscopy.org/Schemas/OME/2016-06";
    private static readonly XNamespace Xsi = "http://www.w3.org/2001/XMLSchema-instance";

    public static string For(string name, RasterPyramid raster, PixelSize? pixelSize)
    {
        var pixels = new XElement(Ome + "Pixels",
            new XAttribute("ID", "Pixels:0"),
            new XAttribute("DimensionOrder", "XYCZT"),
            new XAttribute("Type", raster.SampleType.OmeName()),
            new XAttribute("SizeX", raster.Width),
            new XAttribute("SizeY", raster.Height),
            new XAttribute("SizeC", raster.Channels),
            new XAttribute("SizeZ", 1),
            new XAttribute("SizeT", 1),
            new XAttribute("Interleaved", raster.Channels > 1 ? "true" : "false"),
            new XAttribute("BigEndian", "false"),
            new XAttribute("SignificantBits", raster.SampleType.Bits()));
        if (pixelSize is { } size)
        {
            string micrometres = size.Micrometres.ToString("R", CultureInfo.InvariantCulture);
            pixels.Add(new XAttribute("PhysicalSizeX", micrometres), new XAttribute("PhysicalSizeXUnit", "µm"),
                new XAttribute("PhysicalSizeY", micrometres), new XAttribute("PhysicalSizeYUnit", "µm"));
        }

        pixels.Add(
            new XElement(Ome + "Channel", new XAttribute("ID", "Channel:0:0"), new XAttribute("SamplesPerPixel", raster.Channels), new XElement(Ome + "LightPath")),
            new XElement(Ome + "TiffData", new XAttribute("IFD", 0), new XAttribute("PlaneCount", 1)));
        var ome = new XElement(Ome + "OME",
            new XAttribute(XNamespace.Xmlns + "xsi", Xsi),
            new XAttribute(Xsi + "schemaLocation", $"{Ome.NamespaceName} {Ome.NamespaceName}/ome.xsd"),
            new XAttribute("Creator", "Tessera"),
            new XElement(Ome + "Image", new XAttribute("ID", "Image:0"), new XAttribute("Name", name), pixels));
        return "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n" + ome.ToString(SaveOptions.DisableFormatting);
    }
}
