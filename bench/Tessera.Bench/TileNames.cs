using System.Globalization;

namespace Tessera.Bench;

/// <summary>Input tiles are named <c>{x}_{y}.jpg</c>: x is the column, y the row, both from 0.</summary>
internal static class TileNames
{
    public const string SearchPattern = "*_*.jpg";

    public static string Format(int x, int y) => string.Create(CultureInfo.InvariantCulture, $"{x}_{y}.jpg");

    public static bool TryParse(string fileName, out int x, out int y)
    {
        x = y = 0;
        if (!fileName.EndsWith(".jpg", StringComparison.Ordinal))
        {
            return false;
        }

        var stem = fileName.AsSpan(0, fileName.Length - ".jpg".Length);
        var separator = stem.IndexOf('_');
        return separator > 0
            && int.TryParse(stem[..separator], NumberStyles.None, CultureInfo.InvariantCulture, out x)
            && int.TryParse(stem[(separator + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out y);
    }
}
