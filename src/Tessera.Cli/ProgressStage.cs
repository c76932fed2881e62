namespace Tessera.Cli;

/// <summary>One stage a progress display follows: what it counts (<c>pairs</c>, <c>tiles</c>) and how far it is.</summary>
/// <param name="Name">Shown before the bar and in the plain lines: "registration", "gains", "tiles".</param>
/// <param name="Unit">What is counted, for the rate: "pairs", "tiles".</param>
internal sealed record ProgressStage(string Name, string Unit, Func<long> Done, Func<long> Total)
{
    public static ProgressStage Of(string name, string unit, WorkProgress progress) => new(name, unit, () => progress.Done, () => progress.Total);
}
