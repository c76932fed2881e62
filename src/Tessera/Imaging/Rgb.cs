using System.Globalization;

namespace Tessera.Imaging;

/// <summary>An 8-bit colour, used for the background where no tile covers the plane.</summary>
public readonly record struct Rgb(byte R, byte G, byte B)
{
    public static readonly Rgb Black = new(0, 0, 0);
    public static readonly Rgb White = new(255, 255, 255);

    /// <summary>Rec. 601 luma, the value this colour has in a grey image.</summary>
    public byte Gray => (byte)(((299 * R) + (587 * G) + (114 * B) + 500) / 1000);

    /// <summary>Parses <c>black</c>, <c>white</c>, <c>#rrggbb</c>, <c>r,g,b</c> or a single grey level <c>0</c>–<c>255</c>.</summary>
    public static Rgb Parse(string text)
    {
        string s = text.Trim();
        if (s.Equals("black", StringComparison.OrdinalIgnoreCase))
        {
            return Black;
        }

        if (s.Equals("white", StringComparison.OrdinalIgnoreCase))
        {
            return White;
        }

        if (s.StartsWith('#') && s.Length == 7 &&
            int.TryParse(s.AsSpan(1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out int hex))
        {
            return new Rgb((byte)(hex >> 16), (byte)(hex >> 8), (byte)hex);
        }

        string[] parts = s.Split(',');
        if (parts.Length is 1 or 3 && parts.All(p => byte.TryParse(p.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out _)))
        {
            byte[] v = parts.Select(p => byte.Parse(p.Trim(), NumberStyles.None, CultureInfo.InvariantCulture)).ToArray();
            return v.Length == 1 ? new Rgb(v[0], v[0], v[0]) : new Rgb(v[0], v[1], v[2]);
        }

        throw new TesseraException($"\"{text}\" is not a colour: use black, white, #rrggbb, r,g,b or a grey level 0-255.");
    }

    /// <summary>Fills a row of pixels of <paramref name="format"/> with this colour (at 16 bits each level v is v·257, so 255 stays full scale).</summary>
    public void Fill(Span<byte> row, PixelFormat format)
    {
        switch (format)
        {
            case PixelFormat.Gray8:
                row.Fill(Gray);
                break;
            case PixelFormat.Gray16:
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(row).Fill((ushort)(Gray * 257));
                break;
            case PixelFormat.Rgbx16:
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ulong>(row).Fill(ToRgbx16());
                break;
            default:
                System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(row).Fill(ToRgbx());
                break;
        }
    }

    /// <summary>This colour as one 16-bit RGBX pixel read as a little-endian 64-bit number.</summary>
    public ulong ToRgbx16() => (R * 257UL) | ((G * 257UL) << 16) | ((B * 257UL) << 32) | (0xFFFFUL << 48);

    /// <summary>This colour as one RGBX pixel read as a little-endian 32-bit number.</summary>
    public uint ToRgbx() => R | ((uint)G << 8) | ((uint)B << 16) | 0xFF000000u;

    public override string ToString() => $"#{R:x2}{G:x2}{B:x2}";
}
