namespace Tessera.Illumination;

/// <summary>
/// Where a build's per-tile gains come from: measured from the tiles' overlaps by the build itself
/// (and written to <see cref="WriteTo"/> when given), or read from a gains file (<see cref="File"/>).
/// Shards and the finishing step only read: every part of a job must divide by the same gains.
/// </summary>
public sealed record GainsSpec
{
    /// <summary>The gains file to read; null to measure.</summary>
    public string? File { get; init; }

    /// <summary>Where measured gains are written (see <see cref="GainsFile"/>); null keeps them in the build only.</summary>
    public string? WriteTo { get; init; }

    public GainBalanceOptions Options { get; init; } = new();

    public bool IsMeasured => File is null;

    /// <summary>Gains the build's own registration already measured, on its strips; null where the build measures them itself.</summary>
    internal GainMeasurement? Measured { get; init; }

    public static GainsSpec Measure(string? writeTo = null) => new() { WriteTo = writeTo };

    public static GainsSpec Read(string file) => new() { File = file };
}
