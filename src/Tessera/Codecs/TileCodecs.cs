namespace Tessera.Codecs;

/// <summary>Which codec reads and writes JPEG tiles.</summary>
public enum CodecChoice
{
    /// <summary>libjpeg-turbo from the system where it is installed, else SkiaSharp.</summary>
    Auto,

    /// <summary>SkiaSharp alone (bundled with Tessera, works everywhere).</summary>
    Skia,

    /// <summary>The system's libjpeg-turbo (TurboJPEG) for JPEG, SkiaSharp for the rest; an error where it is missing.</summary>
    TurboJpeg,
}

public static class TileCodecs
{
    /// <summary>The choice as <c>--codec</c> names it (auto, skia, turbojpeg); null for any other name.</summary>
    public static CodecChoice? ParseChoice(string name) => name switch
    {
        "auto" => CodecChoice.Auto,
        "skia" => CodecChoice.Skia,
        "turbojpeg" => CodecChoice.TurboJpeg,
        _ => null,
    };

    /// <summary>The codec for <paramref name="choice"/>, and a line saying which one it is.</summary>
    public static ITileCodec Create(CodecChoice choice, out string description)
    {
        if (choice == CodecChoice.Skia)
        {
            SkiaTileCodec checking = SkiaTileCodec.WithNativeChecks();
            description = "SkiaSharp" + Checks(checking);
            return checking;
        }

        TurboJpegCodec? turbo = TurboJpegCodec.TryCreate(new SkiaTileCodec(), out string? problem);
        if (turbo is not null)
        {
            description = turbo.DecodesRegions
                ? "libjpeg-turbo (system) for JPEG, decoding only the part of each tile used; SkiaSharp for PNG"
                : $"libjpeg-turbo (system) for JPEG, whole tiles ({turbo.RegionProblem}); SkiaSharp for PNG";
            return turbo;
        }

        if (choice == CodecChoice.TurboJpeg)
        {
            throw new TesseraException($"The turbojpeg codec is not available: {problem}.");
        }

        SkiaTileCodec skia = SkiaTileCodec.WithNativeChecks();
        description = $"SkiaSharp ({problem}; libjpeg-turbo from the system would be faster){Checks(skia)}";
        return skia;
    }

    private static string Checks(SkiaTileCodec skia) => skia.CheckLimit is null ? string.Empty : $"; {skia.CheckLimit}";
}
