using Tessera.Imaging;

namespace Tessera.Samples;

/// <summary>
/// A made-up stained-tissue image of any size, defined pixel by pixel from its coordinates: pink
/// stroma with smooth variation, purple nuclei on a jittered lattice, and fine grain. It gives
/// demos, tests and benchmarks realistic JPEG content without shipping any data, and is its own
/// ground truth: any rectangle renders the same pixels whoever asks.
/// </summary>
public sealed class SyntheticSpecimen(int width, int height, PixelFormat format = PixelFormat.Rgbx8888, int seed = 1) : IPixelSource
{
    private const int NucleusSpacing = 40;
    private const int StromaScale = 96;

    public int Width { get; } = width;
    public int Height { get; } = height;
    public PixelFormat Format { get; } = format;

    public void Render(PixelBuffer target)
    {
        PixelRect b = target.Bounds;
        int bpp = target.BytesPerPixel;
        for (int y = b.Y; y < b.Bottom; y++)
        {
            Span<byte> row = target.RowAt(b.X, y, b.Width);
            for (int x = b.X; x < b.Right; x++)
            {
                var (r, g, bl) = Colour(x, y);
                int i = (x - b.X) * bpp;
                if (bpp == 1)
                {
                    row[i] = new Rgb(r, g, bl).Gray;
                }
                else
                {
                    row[i] = r;
                    row[i + 1] = g;
                    row[i + 2] = bl;
                    row[i + 3] = 255;
                }
            }
        }
    }

    private (byte R, byte G, byte B) Colour(int x, int y)
    {
        // Stroma: two octaves of smooth noise around a pink.
        double stroma = (0.65 * SmoothNoise(x, y, StromaScale, 0)) + (0.35 * SmoothNoise(x, y, StromaScale / 4, 1));
        double r = 225 - (40 * stroma), g = 170 - (60 * stroma), b = 205 - (30 * stroma);

        // Nuclei: one per lattice cell, jittered, with its own radius; darker and bluer inside.
        int cx = FloorDiv(x, NucleusSpacing), cy = FloorDiv(y, NucleusSpacing);
        double nucleus = 0;
        for (int dy = -1; dy <= 1; dy++)
        {
            for (int dx = -1; dx <= 1; dx++)
            {
                uint h = Hash(cx + dx, cy + dy, 2);
                if ((h & 3) == 0)
                {
                    continue; // some cells are empty
                }

                double px = ((cx + dx) * NucleusSpacing) + ((h >> 4) & 31) + 4;
                double py = ((cy + dy) * NucleusSpacing) + ((h >> 9) & 31) + 4;
                double radius = 5 + ((h >> 14) & 7);
                double d = Math.Sqrt(((x - px) * (x - px)) + ((y - py) * (y - py)));
                nucleus = Math.Max(nucleus, Math.Clamp((radius - d) / 2, 0, 1));
            }
        }

        r = (r * (1 - nucleus)) + (95 * nucleus);
        g = (g * (1 - nucleus)) + (60 * nucleus);
        b = (b * (1 - nucleus)) + (150 * nucleus);

        // Grain.
        double grain = ((Hash(x, y, 3) & 15) - 7.5) * 0.8;
        return (Clamp(r + grain), Clamp(g + grain), Clamp(b + grain));
    }

    /// <summary>Value noise in [0, 1]: hashed lattice values, smoothly interpolated.</summary>
    private double SmoothNoise(int x, int y, int scale, uint octave)
    {
        int gx = FloorDiv(x, scale), gy = FloorDiv(y, scale);
        double fx = Fade((x - (gx * (double)scale)) / scale), fy = Fade((y - (gy * (double)scale)) / scale);
        double v00 = Unit(Hash(gx, gy, octave)), v10 = Unit(Hash(gx + 1, gy, octave));
        double v01 = Unit(Hash(gx, gy + 1, octave)), v11 = Unit(Hash(gx + 1, gy + 1, octave));
        double top = v00 + ((v10 - v00) * fx), bottom = v01 + ((v11 - v01) * fx);
        return top + ((bottom - top) * fy);
    }

    private uint Hash(int x, int y, uint salt)
    {
        uint h = (uint)x * 0x8DA6B343u ^ (uint)y * 0xD8163841u ^ (salt + (uint)seed) * 0xCB1AB31Fu;
        h ^= h >> 15;
        h *= 0x2C1B3C6Du;
        h ^= h >> 12;
        h *= 0x297A2D39u;
        return h ^ (h >> 15);
    }

    private static double Unit(uint h) => (h & 0xFFFF) / 65535.0;

    private static double Fade(double t) => t * t * (3 - (2 * t));

    private static int FloorDiv(int a, int b) => (int)Math.Floor(a / (double)b);

    private static byte Clamp(double v) => (byte)Math.Clamp((int)Math.Round(v), 0, 255);
}
