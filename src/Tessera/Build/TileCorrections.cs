using Tessera.Codecs;
using Tessera.Compositing;
using Tessera.Illumination;

namespace Tessera.Build;

/// <summary>What a build divides out of every tile as it is decoded: the flat-field, then the tiles' own gains.</summary>
internal static class TileCorrections
{
    /// <summary>Refuses, before any tile is read, gains a build cannot honour.</summary>
    public static void Check(BuildRequest request)
    {
        if (request.Gains is null)
        {
            return;
        }

        if (request.Placements is null && request.Registration is null)
        {
            throw new TesseraException("Per-tile gains belong to tiles at measured positions: a build with gains needs its Placements.");
        }

        if (request.Gains.IsMeasured && (request.Shard is not null || request.Finish))
        {
            throw new TesseraException("Shards must divide by the same gains: measure them once, into a gains file, and give every shard that file.");
        }
    }

    /// <param name="format">The build's pixels, which the corrections are made for (their depth decides the dark offset's units).</param>
    /// <param name="made">The flat-field the build's registration already made from <see cref="BuildRequest.FlatField"/>, if it did.</param>
    public static ITileCorrection? Create(BuildRequest request, IReadOnlyList<string> files, ITileCodec input, ImageHeader first,
        Imaging.PixelFormat format, PlacedMosaic? placed, CancellationToken cancellationToken, WorkProgress? progress = null, FlatField? made = null)
    {
        // The registration made its field for the first tile's own pixels; a build that widens or
        // maps them (16-bit kept or mapped to 8) needs one made for its own.
        FlatField? flat = made is not null && format == first.Format ? made : request.FlatField?.Create(files, input, first, format);
        if (request.Gains is not { } gains)
        {
            return flat;
        }

        // Check has made sure there are placements (or a registration, which gives them), so the tiles are placed.
        return new TileGainCorrection(flat, gains.File is { } file ? Read(file, request.InputDirectory, files, flat)
            : gains.Measured is { } measured ? Keep(measured, gains, request)
            : Measure(gains, request, placed!, input, flat, progress, cancellationToken));
    }

    private static TileGains Read(string file, string inputDirectory, IReadOnlyList<string> files, FlatField? flat)
    {
        TileGains gains = GainsFile.Read(file, inputDirectory).InOrderOf(files, file);
        string used = flat?.Describe() ?? "none";
        if (gains.MeasuredAfter != used)
        {
            throw new GainsFileException($"The gains in \"{file}\" were measured after the flat-field \"{gains.MeasuredAfter}\", but this build corrects with \"{used}\": measure them again under the same flat-field, or build without them.");
        }

        return gains;
    }

    /// <summary>Gains the registration measured: written where the request asks, if not beside the positions already.</summary>
    private static TileGains Keep(GainMeasurement measured, GainsSpec spec, BuildRequest request)
    {
        if (spec.WriteTo is { } path)
        {
            GainsFile.Write(path, measured.Gains, request.InputDirectory, measured.Notes());
        }

        return measured.Gains;
    }

    private static TileGains Measure(GainsSpec spec, BuildRequest request, PlacedMosaic placed, ITileCodec input, FlatField? flat,
        WorkProgress? progress, CancellationToken cancellationToken)
    {
        GainBalanceOptions options = spec.Options with { Threads = spec.Options.Threads > 0 ? spec.Options.Threads : request.Pyramid.Threads };
        GainMeasurement measured = GainBalance.Measure(placed, input, flat, options, cancellationToken, progress);
        if (spec.WriteTo is { } path)
        {
            GainsFile.Write(path, measured.Gains, request.InputDirectory, measured.Notes());
        }

        return measured.Gains;
    }
}
