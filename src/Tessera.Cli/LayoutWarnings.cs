using System.Globalization;
using Tessera.Layout;

namespace Tessera.Cli;

/// <summary>Warnings about how the tiles were found: a name that misses the pattern is a tile silently lost.</summary>
internal static class LayoutWarnings
{
    private const int Named = 10;

    /// <summary>Warns, on standard error, of the image files <paramref name="layout"/> left out, naming the first few.</summary>
    public static void PrintLeftOut(IReadOnlyList<string> leftOut, LayoutOptions layout)
    {
        if (leftOut.Count == 0)
        {
            return;
        }

        string? pattern = layout.Pattern ?? (layout.Order == TileOrder.Pattern ? LayoutOptions.DefaultPattern : null);
        string why = pattern is null ? "have no number in their name" : $"do not match the pattern \"{pattern}\" (--pattern)";
        string names = string.Join(", ", leftOut.Take(Named).Select(Path.GetFileName));
        string more = leftOut.Count > Named ? string.Create(CultureInfo.InvariantCulture, $" and {leftOut.Count - Named} more") : string.Empty;
        Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"tessera: warning: {leftOut.Count} image file(s) in the input folder {why} and were left out: {names}{more}."));
    }
}
