using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Samples;

namespace Tessera.Tests.Support;

/// <summary>
/// Source images for <see cref="JitteredTileSet"/>, one per <see cref="TileSetContent"/>, as RGBX
/// buffers of any size. Real photographs are read from the installed scikit-image data folder
/// (Debian python3-skimage, installed by scripts/setup.sh), never copied into the repository.
/// </summary>
public static class ContentImages
{
    /// <summary>Where Debian's python3-skimage keeps its sample images.</summary>
    public const string SkimageData = "/usr/lib/python3/dist-packages/skimage/data";

    /// <summary>The period of <see cref="TileSetContent.Periodic"/>, px (x, y).</summary>
    public const int PeriodX = 24, PeriodY = 20;

    public static PixelBuffer Render(TileSetContent content, int width, int height, int seed)
    {
        var target = new PixelBuffer(new PixelRect(0, 0, width, height), PixelFormat.Rgbx8888);
        switch (content)
        {
            case TileSetContent.Specimen:
                new SyntheticSpecimen(width, height, PixelFormat.Rgbx8888, seed).Render(target);
                break;
            case TileSetContent.Photograph:
                Photograph("astronaut.png", target);
                break;
            case TileSetContent.Illustration:
                Illustration(target, new Random(seed));
                break;
            case TileSetContent.FaintGradient:
                FaintGradient(target);
                break;
            case TileSetContent.Spots:
                Spots(target, new Random(seed));
                break;
            default:
                Periodic(target, new Random(seed));
                break;
        }

        return target;
    }

    /// <summary>A photograph of the data folder, scaled (bilinear) to cover the target and centred.</summary>
    private static void Photograph(string name, PixelBuffer target)
    {
        string path = Path.Combine(SkimageData, name);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path} is missing: install python3-skimage (scripts/setup.sh does).", path);
        }

        using PixelBuffer photo = new SkiaTileCodec().Decode(path, PixelFormat.Rgbx8888);
        double scale = Math.Max((double)target.Width / photo.Width, (double)target.Height / photo.Height);
        double x0 = ((photo.Width * scale) - target.Width) / 2, y0 = ((photo.Height * scale) - target.Height) / 2;
        for (int y = 0; y < target.Height; y++)
        {
            Span<byte> row = target.Row(y);
            double sy = Math.Clamp(((y + y0 + 0.5) / scale) - 0.5, 0, photo.Height - 1.001);
            int iy = (int)sy;
            double fy = sy - iy;
            for (int x = 0; x < target.Width; x++)
            {
                double sx = Math.Clamp(((x + x0 + 0.5) / scale) - 0.5, 0, photo.Width - 1.001);
                int ix = (int)sx;
                double fx = sx - ix;
                for (int k = 0; k < 3; k++)
                {
                    double top = (photo.Row(iy)[(4 * ix) + k] * (1 - fx)) + (photo.Row(iy)[(4 * (ix + 1)) + k] * fx);
                    double bottom = (photo.Row(iy + 1)[(4 * ix) + k] * (1 - fx)) + (photo.Row(iy + 1)[(4 * (ix + 1)) + k] * fx);
                    row[(4 * x) + k] = (byte)Math.Round((top * (1 - fy)) + (bottom * fy));
                }

                row[(4 * x) + 3] = 255;
            }
        }
    }

    /// <summary>Rectangles, discs and triangles of flat colour on a flat ground, later ones on top; no antialiasing.</summary>
    private static void Illustration(PixelBuffer target, Random random)
    {
        Fill(target, (_, _) => true, new Rgb(236, 228, 210));
        int shapes = Math.Max(8, target.Width * target.Height / 12000);
        for (int i = 0; i < shapes; i++)
        {
            var colour = new Rgb((byte)random.Next(256), (byte)random.Next(256), (byte)random.Next(256));
            double cx = random.NextDouble() * target.Width, cy = random.NextDouble() * target.Height;
            double size = 15 + (random.NextDouble() * 90);
            switch (random.Next(3))
            {
                case 0:
                    double hw = size * (0.3 + random.NextDouble()), hh = size * (0.3 + random.NextDouble());
                    Fill(target, (x, y) => Math.Abs(x - cx) <= hw && Math.Abs(y - cy) <= hh, colour);
                    break;
                case 1:
                    Fill(target, (x, y) => ((x - cx) * (x - cx)) + ((y - cy) * (y - cy)) <= size * size, colour);
                    break;
                default:
                    var p = Enumerable.Range(0, 3).Select(_ => (X: cx + (size * ((2 * random.NextDouble()) - 1)), Y: cy + (size * ((2 * random.NextDouble()) - 1)))).ToArray();
                    Fill(target, (x, y) => InTriangle(x, y, p[0], p[1], p[2]), colour);
                    break;
            }
        }
    }

    /// <summary>The photograph's luma at 3 % of its contrast (about ±4 grey levels) on a diagonal gradient from 60 to 190.</summary>
    private static void FaintGradient(PixelBuffer target)
    {
        Photograph("coffee.png", target);
        double span = target.Width + target.Height;
        for (int y = 0; y < target.Height; y++)
        {
            Span<byte> row = target.Row(y);
            for (int x = 0; x < target.Width; x++)
            {
                double luma = (0.299 * row[4 * x]) + (0.587 * row[(4 * x) + 1]) + (0.114 * row[(4 * x) + 2]);
                double value = 60 + (130 * (x + y) / span) + (0.03 * (luma - 128));
                byte v = (byte)Math.Round(value);
                row[4 * x] = v;
                row[(4 * x) + 1] = v;
                row[(4 * x) + 2] = (byte)Math.Min(255, v + 10);
            }
        }
    }

    /// <summary>One spot per 1,500 px² on average, σ 1–2.5 px, peak 40–220 grey levels over a ground of 12.</summary>
    private static void Spots(PixelBuffer target, Random random)
    {
        int w = target.Width, h = target.Height;
        var field = new double[w * h];
        int count = w * h / 1500;
        for (int i = 0; i < count; i++)
        {
            double cx = random.NextDouble() * w, cy = random.NextDouble() * h;
            double sigma = 1 + (1.5 * random.NextDouble()), peak = 40 + (180 * random.NextDouble());
            int r = (int)Math.Ceiling(4 * sigma);
            for (int y = Math.Max(0, (int)cy - r); y <= Math.Min(h - 1, (int)cy + r); y++)
            {
                for (int x = Math.Max(0, (int)cx - r); x <= Math.Min(w - 1, (int)cx + r); x++)
                {
                    double d2 = ((x - cx) * (x - cx)) + ((y - cy) * (y - cy));
                    field[(y * w) + x] += peak * Math.Exp(-d2 / (2 * sigma * sigma));
                }
            }
        }

        for (int y = 0; y < h; y++)
        {
            Span<byte> row = target.Row(y);
            for (int x = 0; x < w; x++)
            {
                byte v = (byte)Math.Clamp(Math.Round(12 + field[(y * w) + x]), 0, 255);
                row[4 * x] = v;
                row[(4 * x) + 1] = v;
                row[(4 * x) + 2] = v;
                row[(4 * x) + 3] = 255;
            }
        }
    }

    /// <summary>A random motif of <see cref="PeriodX"/> × <see cref="PeriodY"/> px (smoothed noise), repeated exactly.</summary>
    private static void Periodic(PixelBuffer target, Random random)
    {
        var motif = new double[PeriodX * PeriodY];
        for (int i = 0; i < motif.Length; i++)
        {
            motif[i] = random.NextDouble();
        }

        // Smooth it a little (cyclically) so that JPEG keeps it, as a woven or printed pattern.
        var smooth = new double[motif.Length];
        for (int y = 0; y < PeriodY; y++)
        {
            for (int x = 0; x < PeriodX; x++)
            {
                double sum = 0;
                for (int dy = -1; dy <= 1; dy++)
                {
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        sum += motif[(((y + dy + PeriodY) % PeriodY) * PeriodX) + ((x + dx + PeriodX) % PeriodX)];
                    }
                }

                smooth[(y * PeriodX) + x] = sum / 9;
            }
        }

        double min = smooth.Min(), max = smooth.Max();
        for (int y = 0; y < target.Height; y++)
        {
            Span<byte> row = target.Row(y);
            for (int x = 0; x < target.Width; x++)
            {
                double t = (smooth[((y % PeriodY) * PeriodX) + (x % PeriodX)] - min) / (max - min);
                row[4 * x] = (byte)(60 + (150 * t));
                row[(4 * x) + 1] = (byte)(50 + (120 * t));
                row[(4 * x) + 2] = (byte)(90 + (100 * t));
                row[(4 * x) + 3] = 255;
            }
        }
    }

    private static void Fill(PixelBuffer target, Func<double, double, bool> inside, Rgb colour)
    {
        for (int y = 0; y < target.Height; y++)
        {
            Span<byte> row = target.Row(y);
            for (int x = 0; x < target.Width; x++)
            {
                if (inside(x + 0.5, y + 0.5))
                {
                    row[4 * x] = colour.R;
                    row[(4 * x) + 1] = colour.G;
                    row[(4 * x) + 2] = colour.B;
                    row[(4 * x) + 3] = 255;
                }
            }
        }
    }

    private static bool InTriangle(double x, double y, (double X, double Y) a, (double X, double Y) b, (double X, double Y) c)
    {
        double d1 = Cross(x, y, a, b), d2 = Cross(x, y, b, c), d3 = Cross(x, y, c, a);
        return !((d1 < 0 || d2 < 0 || d3 < 0) && (d1 > 0 || d2 > 0 || d3 > 0));

        static double Cross(double x, double y, (double X, double Y) p, (double X, double Y) q) => ((q.X - p.X) * (y - p.Y)) - ((q.Y - p.Y) * (x - p.X));
    }
}
