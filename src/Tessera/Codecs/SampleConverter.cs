using Tessera.Imaging;

namespace Tessera.Codecs;

/// <summary>
/// Raw samples (8 or 16 bits; grey, grey+alpha, RGB or RGBA) into one of the engine's formats, in
/// this order: 16-bit colour samples into an 8-bit format through the range's table; alpha
/// flattened over the background, <c>c' = round_half_up((c·a + bg·(A − a)) / A)</c> with A the
/// largest alpha (255 or 65535), so fully transparent pixels are the background and opaque ones
/// unchanged; then colour to grey by Rec. 601 luma (as <see cref="PixelConversions.ToGray"/>) or
/// grey to colour by repeating it. 16-bit samples into a 16-bit format are kept as they are (the
/// background at v·257); 8-bit samples into one are flattened at 8 bits, then widened by ×257.
/// </summary>
internal static unsafe class SampleConverter
{
    /// <param name="table">65,536 entries mapping 16-bit samples; required when <paramref name="layout"/> is 16-bit and <paramref name="target"/> 8-bit.</param>
    public static void Convert(VipsTileReader.Layout layout, nint samples, byte[]? table, Rgb background, PixelBuffer target)
    {
        bool wideOut = target.Format.IsSixteenBit(), wideIn = layout.Bits == 16;
        if (wideIn && !wideOut && table is null)
        {
            throw new ArgumentNullException(nameof(table), "16-bit samples need a range table.");
        }

        // The values flattened and converted are at the input's depth when it is kept, else at 8 bits.
        bool keep16 = wideIn && wideOut;
        int widen = wideOut && !wideIn ? 257 : 1;
        int levels = keep16 ? 257 : 1;
        var bg = (R: background.R * levels, G: background.G * levels, B: background.B * levels, Grey: background.Gray * levels);

        int bands = layout.Bands;
        bool alpha = layout.HasAlpha, colourIn = !layout.IsGrey, colourOut = !target.Format.IsGrey();
        int alphaMax = wideIn ? ushort.MaxValue : byte.MaxValue;
        int rowSamples = layout.Width * bands;
        Span<int> c = stackalloc int[4];
        for (int y = 0; y < layout.Height; y++)
        {
            Span<byte> dst = target.Row(y);
            Span<ushort> dst16 = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(dst);
            byte* row8 = (byte*)samples + ((long)y * rowSamples * (layout.Bits / 8));
            ushort* row16 = (ushort*)row8;
            for (int x = 0, s = 0; x < layout.Width; x++, s += bands)
            {
                int a = alphaMax;
                for (int b = 0; b < bands; b++)
                {
                    int raw = wideIn ? row16[s + b] : row8[s + b];
                    if (alpha && b == bands - 1)
                    {
                        a = raw;
                    }
                    else
                    {
                        c[b] = wideIn && !keep16 ? table![raw] : raw;
                    }
                }

                int r, g, bl;
                if (colourIn)
                {
                    (r, g, bl) = (c[0], c[1], c[2]);
                    if (a != alphaMax)
                    {
                        (r, g, bl) = (Over(r, bg.R, a, alphaMax), Over(g, bg.G, a, alphaMax), Over(bl, bg.B, a, alphaMax));
                    }
                }
                else if (a == alphaMax)
                {
                    r = g = bl = c[0];
                }
                else if (colourOut)
                {
                    // Grey with alpha over a coloured background becomes colour.
                    (r, g, bl) = (Over(c[0], bg.R, a, alphaMax), Over(c[0], bg.G, a, alphaMax), Over(c[0], bg.B, a, alphaMax));
                }
                else
                {
                    r = g = bl = Over(c[0], bg.Grey, a, alphaMax);
                }

                int grey = colourIn ? ((299 * r) + (587 * g) + (114 * bl) + 500) / 1000 : r;
                if (wideOut)
                {
                    Store16(dst16, x, colourOut, r * widen, g * widen, bl * widen, grey * widen);
                }
                else if (colourOut)
                {
                    int i = x * 4;
                    dst[i] = (byte)r;
                    dst[i + 1] = (byte)g;
                    dst[i + 2] = (byte)bl;
                    dst[i + 3] = 255;
                }
                else
                {
                    dst[x] = (byte)grey;
                }
            }
        }
    }

    private static void Store16(Span<ushort> row, int x, bool colour, int r, int g, int b, int grey)
    {
        if (!colour)
        {
            row[x] = (ushort)grey;
            return;
        }

        int i = x * 4;
        row[i] = (ushort)r;
        row[i + 1] = (ushort)g;
        row[i + 2] = (ushort)b;
        row[i + 3] = ushort.MaxValue;
    }

    /// <summary>Colour <paramref name="value"/> with alpha <paramref name="a"/> of <paramref name="max"/> over <paramref name="background"/>, rounded half up.</summary>
    public static int Over(int value, int background, int a, int max) =>
        (int)(((2L * ((value * (long)a) + (background * (long)(max - a)))) + max) / (2L * max));
}
