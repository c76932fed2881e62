namespace Tessera.Verification;

/// <summary>One TIFF image file directory as read back: its numeric tags as 64-bit values, and its ASCII tags.</summary>
internal sealed class TiffDirectory(long offset, Dictionary<ushort, long[]> numbers, Dictionary<ushort, string> texts)
{
    public const ushort ImageWidth = 256, ImageLength = 257, BitsPerSample = 258, Compression = 259, ImageDescription = 270,
        SamplesPerPixel = 277, Predictor = 317, TileWidth = 322, TileLength = 323, TileOffsets = 324, TileByteCounts = 325,
        SubIfds = 330, SampleFormat = 339;

    /// <summary>Where the directory starts in the file.</summary>
    public long Offset { get; } = offset;

    /// <summary>The values of a numeric tag; null when the directory does not have it.</summary>
    public long[]? Numbers(ushort tag) => numbers.GetValueOrDefault(tag);

    /// <summary>The first value of a numeric tag; null when the directory does not have it.</summary>
    public long? Number(ushort tag) => numbers.TryGetValue(tag, out long[]? values) && values.Length > 0 ? values[0] : null;

    public string? Text(ushort tag) => texts.GetValueOrDefault(tag);
}
