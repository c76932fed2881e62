using System.Text.Json;
using Tessera.Imaging;

namespace Tessera.Outputs.Zarr;

/// <summary>
/// The OME-NGFF 0.4 <c>multiscales</c> of an image: its axes (c, y, x, or y, x for grey; space in
/// micrometres where the pixel size is known) and one dataset per level, scaled by 2^level.
/// </summary>
public static class NgffMetadata
{
    public static Action<Utf8JsonWriter> Multiscales(string name, RasterPyramid raster, PixelSize? pixelSize) => w =>
    {
        bool colour = raster.Channels > 1;
        w.WriteStartObject();
        w.WriteStartArray("multiscales");
        w.WriteStartObject();
        w.WriteString("version", "0.4");
        w.WriteString("name", name);
        w.WriteStartArray("axes");
        if (colour)
        {
            Axis(w, "c", "channel", null);
        }

        string? unit = pixelSize is null ? null : "micrometer";
        Axis(w, "y", "space", unit);
        Axis(w, "x", "space", unit);
        w.WriteEndArray();
        w.WriteStartArray("datasets");
        double size = pixelSize?.Micrometres ?? 1;
        for (int level = 0; level < raster.LevelCount; level++)
        {
            w.WriteStartObject();
            w.WriteString("path", level.ToString(System.Globalization.CultureInfo.InvariantCulture));
            w.WriteStartArray("coordinateTransformations");
            w.WriteStartObject();
            w.WriteString("type", "scale");
            w.WriteStartArray("scale");
            if (colour)
            {
                w.WriteNumberValue(1.0);
            }

            w.WriteNumberValue(size * (1L << level));
            w.WriteNumberValue(size * (1L << level));
            w.WriteEndArray();
            w.WriteEndObject();
            w.WriteEndArray();
            w.WriteEndObject();
        }

        w.WriteEndArray();
        w.WriteString("type", "mean");
        w.WriteStartObject("metadata");
        w.WriteString("description", "Each level the 2x2 mean of the one before, rounded half up; an odd last row or column is repeated.");
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteEndObject();
    };

    private static void Axis(Utf8JsonWriter w, string name, string type, string? unit)
    {
        w.WriteStartObject();
        w.WriteString("name", name);
        w.WriteString("type", type);
        if (unit is not null)
        {
            w.WriteString("unit", unit);
        }

        w.WriteEndObject();
    }
}
