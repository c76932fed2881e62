using Tessera.Illumination;

namespace Tessera.Registration;

/// <summary>
/// Where a registration's results go: the positions (Fiji TileConfiguration syntax), the report
/// beside them (<c>.report.txt</c>: the summary and every pair) and the tiles' gains
/// (<c>.gains.txt</c>, where <c>--positions</c> finds them).
/// </summary>
public sealed record RegistrationFiles(string Positions)
{
    public string Report => Path.ChangeExtension(Positions, ".report.txt");

    public string Gains => GainsFile.SidecarOf(Positions);

    /// <summary>
    /// The files of a build's own registration beside its output NAME.dzi, NAME.ome.tif…:
    /// NAME.registered.txt and the rest, NAME being the output's path without its layout's suffix.
    /// </summary>
    public static RegistrationFiles BesideOutput(string outputName) => new(outputName + ".registered.txt");
}
