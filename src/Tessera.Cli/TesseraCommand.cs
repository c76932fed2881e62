using System.CommandLine;
using System.CommandLine.Help;

namespace Tessera.Cli;

/// <summary>
/// The <c>tessera</c> root command. Not a <see cref="RootCommand"/>: that takes its name from the
/// entry assembly (Tessera.Cli), while the tool is installed and typed as <c>tessera</c>, so help,
/// usage lines and errors would name a command nobody can run.
/// </summary>
internal static class TesseraCommand
{
    public const string Name = "tessera";

    public static Command Create()
    {
        var help = new HelpOption();
        help.Action = new RootHelpAction((HelpAction)help.Action!);
        return new Command(Name, "Tessera: stitch a grid of overlapping image tiles into a Deep Zoom (DZI) pyramid, in bounded memory.")
        {
            help,
            new VersionOption(),
            BuildCommand.Create(),
            PlanCommand.Create(),
            RegisterCommand.Create(),
            SampleCommand.Create(),
            ServeCommand.Create(),
            VerifyCommand.Create(),
        };
    }
}
