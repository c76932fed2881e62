using System.CommandLine;
using Tessera.Cli;

// A bare "tessera" gets the overview of its commands (and a failing exit: nothing was done).
if (args.Length == 0)
{
    await TesseraCommand.Create().Parse(["--help"]).InvokeAsync();
    return Errors.InputError;
}

ParseResult parse = TesseraCommand.Create().Parse(args);
return parse.Action is System.CommandLine.Invocation.ParseErrorAction
    ? UsageErrors.Report(parse, Console.Error)
    : await parse.InvokeAsync();
