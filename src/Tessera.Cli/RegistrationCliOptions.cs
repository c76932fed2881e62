using System.CommandLine;
using System.Globalization;
using Tessera.Registration;

namespace Tessera.Cli;

/// <summary>The registration settings, shared by <c>register</c> and <c>build --register</c>.</summary>
internal sealed class RegistrationCliOptions
{
    private readonly Option<int> _search = new("--search")
    {
        Description = "How far (px) a tile may lie from its nominal place relative to a neighbour.",
        DefaultValueFactory = _ => new RegistrationOptions().SearchMargin,
    };

    private readonly Option<string> _scale = new("--scale") { Description = "Decode at 1/N for the correlation: auto, 1, 2, 4 or 8.", DefaultValueFactory = _ => "auto" };

    private readonly Option<bool> _secondPass = new("--second-pass")
    {
        Description = "Experimental: search the pairs found not significant again around the shifts their accepted neighbours predict (faint content; some confirmed pairs can be wrong).",
    };

    public RegistrationCliOptions() => _scale.AcceptOnlyFromAmong("auto", "1", "2", "4", "8");

    public void AddTo(Command command)
    {
        command.Options.Add(_search);
        command.Options.Add(_scale);
        command.Options.Add(_secondPass);
    }

    public RegistrationOptions ToOptions(ParseResult result, int threads) => new()
    {
        SearchMargin = result.GetValue(_search),
        DecodeScale = result.GetValue(_scale) is "auto" or null ? null : int.Parse(result.GetValue(_scale)!, CultureInfo.InvariantCulture),
        SecondPass = result.GetValue(_secondPass),
        Threads = threads >= 1 ? threads : throw new TesseraException("--threads must be at least 1."),
    };
}
