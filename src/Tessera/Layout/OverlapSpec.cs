using System.Globalization;

namespace Tessera.Layout;

/// <summary>
/// The nominal overlap between neighbouring tiles: a percentage of the tile size (<c>10%</c>) or
/// pixels (<c>80,60</c> for horizontal and vertical neighbours, or <c>80</c> for both).
/// </summary>
public readonly record struct OverlapSpec(double X, double Y, bool IsPercent)
{
    public static readonly OverlapSpec None = new(0, 0, false);

    public static OverlapSpec Parse(string text)
    {
        string s = text.Trim();
        bool percent = s.EndsWith('%');
        if (percent)
        {
            s = s[..^1].Trim();
        }

        string[] parts = s.Split(',');
        if (parts.Length is 1 or 2 &&
            double.TryParse(parts[0].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double x) &&
            double.TryParse(parts[^1].Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double y) &&
            x >= 0 && y >= 0 && double.IsFinite(x) && double.IsFinite(y) &&
            (percent ? x < 100 && y < 100 : x == Math.Floor(x) && y == Math.Floor(y)))
        {
            return new OverlapSpec(x, y, percent);
        }

        throw new LayoutException($"\"{text}\" is not an overlap: use a percentage of the tile size such as 10%, or whole pixels such as 80,60 (horizontal,vertical) or 80.");
    }

    /// <summary>The overlap in pixels for tiles of the given size.</summary>
    public (int X, int Y) ToPixels(int tileWidth, int tileHeight)
    {
        int x = IsPercent ? (int)Math.Round(tileWidth * X / 100, MidpointRounding.AwayFromZero) : (int)X;
        int y = IsPercent ? (int)Math.Round(tileHeight * Y / 100, MidpointRounding.AwayFromZero) : (int)Y;
        if (x >= tileWidth || y >= tileHeight)
        {
            throw new LayoutException($"An overlap of {x}×{y} px leaves nothing of a {tileWidth}×{tileHeight} tile: the overlap must be smaller than the tile.");
        }

        return (x, y);
    }

    public override string ToString() => IsPercent
        ? string.Create(CultureInfo.InvariantCulture, $"{X}%,{Y}%")
        : string.Create(CultureInfo.InvariantCulture, $"{X},{Y} px");
}
