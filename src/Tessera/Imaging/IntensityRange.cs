using System.Globalization;

namespace Tessera.Imaging;

/// <summary>
/// How 16-bit samples become the pyramid's 8-bit ones: <see cref="Min"/> maps to 0, <see cref="Max"/>
/// to 255, linearly in between, rounded half up, and values outside are clamped:
/// <c>v8 = clamp(floor((v − Min) · 255 / (Max − Min) + ½), 0, 255)</c>. The same mapping applies to
/// every tile (and every colour channel), so seams do not show. 8-bit input is never remapped.
/// </summary>
public readonly record struct IntensityRange
{
    public IntensityRange(int min, int max)
    {
        if (min < 0 || max > ushort.MaxValue || min >= max)
        {
            throw new TesseraException(string.Create(CultureInfo.InvariantCulture,
                $"The range {min},{max} is not a 16-bit intensity range: it needs 0 ≤ MIN < MAX ≤ 65535."));
        }

        Min = min;
        Max = max;
    }

    public int Min { get; }
    public int Max { get; }

    /// <summary>The full 16-bit range, which maps v to round(v / 257).</summary>
    public static IntensityRange Full => new(0, ushort.MaxValue);

    /// <summary>Parses <c>MIN,MAX</c> as <c>--range</c> takes it.</summary>
    public static IntensityRange Parse(string text)
    {
        string[] parts = text.Split(',');
        if (parts.Length == 2 &&
            int.TryParse(parts[0].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int min) &&
            int.TryParse(parts[1].Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out int max) &&
            min < max && max <= ushort.MaxValue)
        {
            return new IntensityRange(min, max);
        }

        throw new TesseraException($"Input.Range \"{text}\" is not a range: use MIN,MAX with whole numbers 0 ≤ MIN < MAX ≤ 65535, e.g. 100,4000.", "Input.Range");
    }

    /// <summary>The 8-bit value of the 16-bit sample <paramref name="value"/>.</summary>
    public byte Map(int value)
    {
        if (value <= Min)
        {
            return 0;
        }

        if (value >= Max)
        {
            return 255;
        }

        long span = Max - Min;
        return (byte)((((long)(value - Min) * 255 * 2) + span) / (2 * span));
    }

    /// <summary>All 65,536 mapped values, so that a tile is converted by lookup.</summary>
    public byte[] Table()
    {
        var table = new byte[ushort.MaxValue + 1];
        for (int v = 0; v < table.Length; v++)
        {
            table[v] = Map(v);
        }

        return table;
    }

    public override string ToString() => string.Create(CultureInfo.InvariantCulture, $"{Min},{Max}");
}
