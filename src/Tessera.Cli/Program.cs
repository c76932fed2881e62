using System.CommandLine;
using Tessera.Cli;

var root = new RootCommand("Tessera: stitch a grid of overlapping image tiles into a Deep Zoom (DZI) pyramid, in bounded memory.")
{
    BuildCommand.Create(),
    PlanCommand.Create(),
    RegisterCommand.Create(),
    SampleCommand.Create(),
    ServeCommand.Create(),
    VerifyCommand.Create(),
};

return await root.Parse(args).InvokeAsync();
