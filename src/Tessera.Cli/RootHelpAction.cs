using System.CommandLine;
using System.CommandLine.Help;
using System.CommandLine.Invocation;
using System.Reflection;

namespace Tessera.Cli;

/// <summary>
/// Help as System.CommandLine writes it, headed for the root command by the tool's name and
/// version, so that <c>tessera --help</c> says first which program (and build) answered.
/// </summary>
internal sealed class RootHelpAction(HelpAction standard) : SynchronousCommandLineAction
{
    public override int Invoke(ParseResult parseResult)
    {
        if (!parseResult.CommandResult.Command.Parents.Any())
        {
            string version = typeof(RootHelpAction).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "";
            parseResult.InvocationConfiguration.Output.WriteLine($"{TesseraCommand.Name} {version}");
            parseResult.InvocationConfiguration.Output.WriteLine();
        }

        return standard.Invoke(parseResult);
    }
}
