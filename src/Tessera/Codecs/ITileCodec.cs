using Tessera.Imaging;

namespace Tessera.Codecs;

/// <summary>The file format of the pyramid's tiles.</summary>
public enum TileFormat
{
    Jpeg,
    Png,
    Webp,
}

public static class TileFormatExtensions
{
    /// <summary>The format named as <c>--format</c> takes it (jpeg, png, webp).</summary>
    public static TileFormat Parse(string name) => name.ToLowerInvariant() switch
    {
        "jpeg" or "jpg" => TileFormat.Jpeg,
        "png" => TileFormat.Png,
        "webp" => TileFormat.Webp,
        _ => throw new TesseraException($"\"{name}\" is not a tile format: use jpeg, png or webp."),
    };

    /// <summary>The name DZI uses in its Format attribute and as the tile file suffix.</summary>
    public static string DziName(this TileFormat format) => format switch
    {
        TileFormat.Jpeg => "jpeg",
        TileFormat.Png => "png",
        TileFormat.Webp => "webp",
        _ => throw new ArgumentOutOfRangeException(nameof(format), format, null),
    };
}

/// <summary>How output tiles are encoded; <see cref="Quality"/> applies to JPEG and (lossy) WebP.</summary>
public sealed record EncodeSettings(TileFormat Format = TileFormat.Jpeg, int Quality = 75)
{
    public void Validate()
    {
        if (Quality is < 1 or > 100)
        {
            throw new TesseraException($"Quality must be between 1 and 100 (got {Quality}).");
        }
    }
}

/// <summary>What a tile file holds, read from its header without decoding the pixels.</summary>
/// <param name="BitsPerSample">8, or 16 for input that <see cref="TileInputCodec"/> maps to 8 bits with a range.</param>
public readonly record struct ImageHeader(int Width, int Height, PixelFormat Format, int BitsPerSample = 8);

/// <summary>Encoded bytes owned by the codec until disposed.</summary>
public interface IEncodedImage : IDisposable
{
    ReadOnlySpan<byte> Bytes { get; }
}

/// <summary>
/// The engine's only door to a native image library: reads input tiles, writes output tiles.
/// Implementations are thread-safe.
/// </summary>
public interface ITileCodec
{
    /// <summary>Short name (as <c>--codec</c> takes it); builds that must give identical bytes check it.</summary>
    string Name { get; }

    /// <exception cref="TileReadException">The file is missing, unreadable, corrupt or truncated.</exception>
    ImageHeader ReadHeader(string path);

    /// <summary>Decodes a whole file into a new buffer at (0, 0) in <paramref name="format"/>, its memory from <paramref name="pool"/>.</summary>
    /// <exception cref="TileReadException">The file is missing, unreadable, corrupt or truncated.</exception>
    PixelBuffer Decode(string path, PixelFormat format, PixelMemoryPool? pool = null);

    /// <summary>
    /// Encodes <paramref name="region"/> (in the buffer's coordinates) of <paramref name="source"/>.
    /// The result may borrow a per-thread buffer: dispose it before the same thread encodes again.
    /// </summary>
    IEncodedImage Encode(PixelBuffer source, PixelRect region, EncodeSettings settings);
}

/// <summary>An input tile could not be read; the message names the file.</summary>
public sealed class TileReadException(string path, string problem, Exception? inner = null, params string[] properties)
    : TesseraException($"Cannot read tile \"{path}\": {problem}.", inner, properties)
{
    public string TilePath { get; } = path;

    /// <summary>What is wrong with the file, without the file's name: for callers that name it as something else than a tile.</summary>
    public string Problem { get; } = problem;
}
