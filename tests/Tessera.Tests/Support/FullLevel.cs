using NetVips;
using Tessera.Pyramid;
using Tessera.Outputs;

namespace Tessera.Tests.Support;

/// <summary>A Deep Zoom pyramid's full-resolution level read back with libvips, as one luminance plane.</summary>
public sealed class FullLevel
{
    private readonly float[] _luminance;

    private FullLevel(int width, int height, float[] luminance)
    {
        Width = width;
        Height = height;
        _luminance = luminance;
    }

    public int Width { get; }
    public int Height { get; }

    public float this[int x, int y] => _luminance[(y * Width) + x];

    /// <summary>Reads every tile of the top level of <paramref name="dzi"/>, each cut to its core, into one plane (Rec. 601 luma).</summary>
    public static FullLevel Read(string dzi)
    {
        DziGeometry geometry;
        string format;
        using (FileStream stream = File.OpenRead(dzi))
        {
            (geometry, format) = DziDescriptor.Read(stream, dzi);
        }

        int width = geometry.Width, height = geometry.Height, size = geometry.TileSize, overlap = geometry.Overlap;
        var luminance = new float[width * height];
        string level = Path.Combine(PyramidComparison.FilesDirectory(dzi), (geometry.LevelCount - 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        for (int row = 0; row * size < height; row++)
        {
            for (int column = 0; column * size < width; column++)
            {
                using Image tile = Image.NewFromFile(Path.Combine(level, $"{column}_{row}.{format}"));
                byte[] pixels = tile.WriteToMemory<byte>();
                int bands = tile.Bands, left = column > 0 ? overlap : 0, top = row > 0 ? overlap : 0;
                int coreWidth = Math.Min(size, width - (column * size)), coreHeight = Math.Min(size, height - (row * size));
                for (int y = 0; y < coreHeight; y++)
                {
                    for (int x = 0; x < coreWidth; x++)
                    {
                        int o = ((((y + top) * tile.Width) + x + left) * bands);
                        float value = bands < 3 ? pixels[o] : (0.299f * pixels[o]) + (0.587f * pixels[o + 1]) + (0.114f * pixels[o + 2]);
                        luminance[(((row * size) + y) * width) + (column * size) + x] = value;
                    }
                }
            }
        }

        return new FullLevel(width, height, luminance);
    }
}
