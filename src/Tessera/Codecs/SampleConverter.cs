using Tessera.Imaging;

namespace Tessera.Codecs;

/// <summary>
/// Raw samples (8 or 16 bits; grey, grey+alpha, RGB or RGBA) into the engine's Gray8 or Rgbx8888,
/// in this order: 16-bit colour samples through the range's table to 8 bits; alpha flattened over
/// the background, <c>c' = round_half_up((c·a + bg·(A − a)) / A)</c> with A the largest alpha
/// (255 or 65535), so fully transparent pixels are the background and opaque ones unchanged; then
/// colour to grey by Rec. 601 luma (as <see cref="PixelConversions.ToGray"/>) or grey to colour by
/// repeating it.
/// </summary>
internal static unsafe class SampleConverter
{
    /// <param name="table">65,536 entries mapping 16-bit samples; required when <paramref name="layout"/> is 16-bit.</param>
    public static void Convert(VipsTileReader.Layout layout, nint samples, byte[]? table, Rgb background, PixelBuffer target)
    {
        if (layout.Bits == 16 && table is null)
        {
            throw new ArgumentNullException(nameof(table), "16-bit samples need a range table.");
        }

        int bands = layout.Bands;
        bool alpha = layout.HasAlpha, colourIn = !layout.IsGrey, colourOut = target.Format == PixelFormat.Rgbx8888;
        int alphaMax = layout.Bits == 16 ? ushort.MaxValue : byte.MaxValue;
        int rowSamples = layout.Width * bands;
        Span<int> c = stackalloc int[4];
        for (int y = 0; y < layout.Height; y++)
        {
            Span<byte> dst = target.Row(y);
            byte* row8 = (byte*)samples + ((long)y * rowSamples * (layout.Bits / 8));
            ushort* row16 = (ushort*)row8;
            for (int x = 0, s = 0; x < layout.Width; x++, s += bands)
            {
                int a = alphaMax;
                for (int b = 0; b < bands; b++)
                {
                    bool isAlpha = alpha && b == bands - 1;
                    int raw = layout.Bits == 16 ? row16[s + b] : row8[s + b];
                    if (isAlpha)
                    {
                        a = raw;
                    }
                    else
                    {
                        c[b] = layout.Bits == 16 ? table![raw] : raw;
                    }
                }

                int r, g, bl;
                if (colourIn)
                {
                    (r, g, bl) = (c[0], c[1], c[2]);
                    if (a != alphaMax)
                    {
                        (r, g, bl) = (Over(r, background.R, a, alphaMax), Over(g, background.G, a, alphaMax), Over(bl, background.B, a, alphaMax));
                    }
                }
                else if (a == alphaMax)
                {
                    r = g = bl = c[0];
                }
                else if (colourOut)
                {
                    // Grey with alpha over a coloured background becomes colour.
                    (r, g, bl) = (Over(c[0], background.R, a, alphaMax), Over(c[0], background.G, a, alphaMax), Over(c[0], background.B, a, alphaMax));
                }
                else
                {
                    r = g = bl = Over(c[0], background.Gray, a, alphaMax);
                }

                if (colourOut)
                {
                    int i = x * 4;
                    dst[i] = (byte)r;
                    dst[i + 1] = (byte)g;
                    dst[i + 2] = (byte)bl;
                    dst[i + 3] = 255;
                }
                else
                {
                    dst[x] = colourIn ? (byte)(((299 * r) + (587 * g) + (114 * bl) + 500) / 1000) : (byte)r;
                }
            }
        }
    }

    /// <summary>Colour <paramref name="value"/> with alpha <paramref name="a"/> of <paramref name="max"/> over <paramref name="background"/>, rounded half up.</summary>
    public static int Over(int value, int background, int a, int max) =>
        ((2 * ((value * a) + (background * (max - a)))) + max) / (2 * max);
}
