using System.CommandLine;
using Tessera.Illumination;

namespace Tessera.Cli;

/// <summary>The illumination settings, shared by <c>build</c> (and <c>plan</c>) and <c>register</c>: flat-field, dark-field, gain balancing.</summary>
internal sealed class IlluminationCliOptions
{
    private readonly Option<string?> _flatField = new("--flatfield")
    {
        Description = "Divide uneven illumination (darker corners) out of every tile: 'auto' estimates one smooth gain field from the tiles themselves; a FILE is a measured one (an image of an empty field, tile-sized, any brightness).",
    };

    private readonly Option<string?> _darkField = new("--darkfield") { Description = "With --flatfield: an image taken with no light (tile-sized), subtracted from every tile first." };

    private readonly Option<string> _balance = new("--balance")
    {
        Description = "Even out the tiles' exposure with one gain per tile, from their overlaps (after the flat-field): on (the default: build --register and tessera register write the gains beside the positions, as NAME.gains.txt, and --positions FILE reads FILE.gains.txt when it is there) or off.",
        DefaultValueFactory = _ => "on",
    };

    public IlluminationCliOptions() => _balance.AcceptOnlyFromAmong("on", "off");

    public void AddTo(Command command)
    {
        command.Options.Add(_flatField);
        command.Options.Add(_darkField);
        command.Options.Add(_balance);
    }

    /// <summary>The flat-field asked for, or null for none.</summary>
    public FlatFieldSpec? FlatField(ParseResult result) =>
        result.GetValue(_flatField) is { } flat ? FlatFieldSpec.Parse(flat, result.GetValue(_darkField))
        : result.GetValue(_darkField) is not null ? throw new TesseraException("--darkfield goes with --flatfield (auto or a file).")
        : null;

    /// <summary>Whether tile gains are measured and divided out where they are known (--balance on, the default).</summary>
    public bool Balances(ParseResult result) => result.GetValue(_balance) != "off";
}
