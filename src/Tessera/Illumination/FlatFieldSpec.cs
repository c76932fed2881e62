using Tessera.Codecs;
using Tessera.Imaging;

namespace Tessera.Illumination;

/// <summary>
/// Where a build's flat-field comes from: estimated from the tiles (<see cref="GainFile"/> null,
/// <c>--flatfield auto</c>) or a measured gain image (<c>--flatfield FILE</c>); with an optional
/// dark image (<c>--darkfield FILE</c>) subtracted first.
/// </summary>
public sealed record FlatFieldSpec(string? GainFile = null, string? DarkFile = null, int Samples = FlatField.DefaultSamples)
{
    public bool IsEstimated => GainFile is null;

    /// <summary>The field this spec describes, for tiles like <paramref name="first"/> decoded as <paramref name="format"/>: estimated from <paramref name="tiles"/>, or loaded.</summary>
    public FlatField Create(IReadOnlyList<string> tiles, ITileCodec codec, ImageHeader first, PixelFormat format) => IsEstimated
        ? FlatField.Estimate(tiles, codec, format, Samples, DarkFile)
        : FlatField.Load(GainFile!, DarkFile, codec, first.Width, first.Height, format.IsSixteenBit());

    /// <summary>As <see cref="Create(IReadOnlyList{string}, ITileCodec, ImageHeader, PixelFormat)"/> for tiles decoded as their header says.</summary>
    public FlatField Create(IReadOnlyList<string> tiles, ITileCodec codec, ImageHeader first) => Create(tiles, codec, first, first.Format);

    /// <summary>"auto" or a file name, as <c>--flatfield</c> takes it.</summary>
    public static FlatFieldSpec Parse(string text, string? darkFile = null) =>
        text.Trim().Equals("auto", StringComparison.OrdinalIgnoreCase) ? new(null, darkFile) : new(text, darkFile);
}
