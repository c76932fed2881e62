using Tessera.Codecs;
using Tessera.Layout;
using Tessera.Pyramid;
using Tessera.Registration;

namespace Tessera.Build;

/// <summary>The registration of a build that asks for one (<see cref="BuildRequest.Registration"/>), run while the job is prepared.</summary>
internal static class BuildRegistration
{
    /// <summary>
    /// Registers the grid the job found, through the job's own input codec, writes the positions and
    /// report beside the output, and gives back the request with those placements; gains it measures
    /// are to be written beside them too.
    /// </summary>
    public static BuildRequest Register(BuildRequest request, TileGrid grid, TileInputCodec input, RegistrationFiles files, BuildProgress? progress,
        CancellationToken cancellationToken, out RegistrationReport report)
    {
        RegistrationOptions options = request.Registration!;
        if (options.Threads == 0 && request.Pyramid.Threads > 0)
        {
            options = options with { Threads = request.Pyramid.Threads };
        }

        RegistrationResult registered = RegistrationRun.Run(grid, request.Overlap, options, input, request.InputDirectory, files,
            progress?.Registration, cancellationToken);
        report = registered.Report;
        return request with
        {
            Placements = registered.Placements,
            RegistrationPairs = registered.Report.PairList,
            Gains = request.Gains is { IsMeasured: true, WriteTo: null } gains ? gains with { WriteTo = files.Gains } : request.Gains,
        };
    }
}
