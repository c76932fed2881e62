using System.Collections.Frozen;
using System.Text.RegularExpressions;
using Tessera.Build;

namespace Tessera.Cli;

/// <summary>
/// The engine names <see cref="BuildRequest"/> properties in its refusals; a user of the command
/// knows them by their options, so the message is shown with those names instead.
/// </summary>
internal static class RequestOptionNames
{
    private static readonly FrozenDictionary<string, string> Options = new Dictionary<string, string>
    {
        ["Pyramid.TileSize"] = "--tile-size",
        ["Pyramid.Overlap"] = "--tile-overlap",
        ["Pyramid.Threads"] = "--threads",
        ["Overwrite"] = "--overwrite",
        ["Shard"] = "--shard",
        ["Finish"] = "--finish",
        ["Container"] = "--container",
        ["PyramidLayout"] = "--layout",
        ["Overlap"] = "--overlap",
        ["Registration"] = "--register",
        ["Placements"] = "--positions",
        ["Compression"] = "--format",
        ["OutputPath"] = "OUTPUT",
        ["SkipBlankTolerance"] = "--skip-blank",
        ["Input.Range"] = "--range",
    }.ToFrozenDictionary(StringComparer.Ordinal);

    /// <summary>The message of <paramref name="e"/> with each property it names replaced by its option.</summary>
    public static string Message(RequestException e)
    {
        string message = e.Message;
        foreach (string property in e.Properties)
        {
            if (Options.TryGetValue(property, out string? option))
            {
                // Whole names only: "Overlap" must not be found inside "Pyramid.Overlap".
                message = Regex.Replace(message, $@"(?<![\w.]){Regex.Escape(property)}(?!\w)", option, RegexOptions.CultureInvariant);
            }
        }

        return message;
    }
}
