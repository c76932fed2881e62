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

    /// <summary>Fills a row of pixels of <paramref name="format"/> with this colour.</summary>
    public void Fill(Span<byte> row, PixelFormat format)
    {
        if (format == PixelFormat.Gray8)
        {
            row.Fill(Gray);
            return;
        }

        System.Runtime.InteropServices.MemoryMarshal.Cast<byte, uint>(row).Fill(ToRgbx());
    }

    /// <summary>This colour as one RGBX pixel read as a little-endian 32-bit number.</summary>
    public uint ToRgbx() => R | ((uint)G << 8) | ((uint)B << 16) | 0xFF000000u;

    public override string ToString() => $"#{R:x2}{G:x2}{B:x2}";
}
