using Tessera.Codecs;
using Tessera.Illumination;
using Tessera.Layout;
using Tessera.Pyramid;
using Tessera.Registration;

namespace Tessera.Build;

/// <summary>The registration of a build that asks for one (<see cref="BuildRequest.Registration"/>), run while the job is prepared.</summary>
internal static class BuildRegistration
{
    /// <summary>
    /// Registers the grid the job found, through the job's own input codec, writes the positions and
    /// report beside the output, and gives back the request with those placements. Gains the request
    /// measures are measured in the same pass, on the same strips, after the flat-field (made here,
    /// and given back in <paramref name="flatField"/> so that the build does not make it again), and
    /// written beside the positions.
    /// </summary>
    public static BuildRequest Register(BuildRequest request, TileGrid grid, TileInputCodec input, ImageHeader first, RegistrationFiles files,
        BuildProgress? progress, CancellationToken cancellationToken, out RegistrationReport report, out FlatField? flatField)
    {
        RegistrationOptions options = request.Registration!;
        if (options.Threads == 0 && request.Pyramid.Threads > 0)
        {
            options = options with { Threads = request.Pyramid.Threads };
        }

        flatField = request.FlatField?.Create(grid.Files(), input, first);
        GainSampling? sampling = request.Gains is { IsMeasured: true } measure ? new GainSampling(flatField, measure.Options) : null;
        RegistrationResult registered = RegistrationRun.Run(grid, request.Overlap, options, input, request.InputDirectory, files,
            progress?.Registration, cancellationToken, sampling);
        report = registered.Report;
        return request with
        {
            Placements = registered.Placements,
            RegistrationPairs = registered.Report.PairList,

            // Written beside the positions already; elsewhere too where the request asks.
            Gains = request.Gains is { IsMeasured: true } gains
                ? gains with { Measured = registered.Gains, WriteTo = gains.WriteTo == files.Gains ? null : gains.WriteTo }
                : request.Gains,
        };
    }
}
