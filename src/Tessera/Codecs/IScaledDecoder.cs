using Tessera.Imaging;

namespace Tessera.Codecs;

/// <summary>
/// A codec that can decode at a reduced size without decoding the full image first (JPEG DCT
/// scaling). Registration uses it to read tiles at 1/2, 1/4 or 1/8 scale.
/// </summary>
public interface IScaledDecoder
{
    /// <summary>
    /// Decodes <paramref name="path"/> at 1/<paramref name="denominator"/> scale (1, 2, 4 or 8):
    /// ⌈width / denominator⌉ × ⌈height / denominator⌉ pixels; null where the file's format has
    /// no such shortcut (the caller then decodes in full and reduces itself).
    /// </summary>
    /// <exception cref="TileReadException">The file is missing, unreadable, corrupt or truncated.</exception>
    PixelBuffer? TryDecodeScaled(string path, PixelFormat format, int denominator, PixelMemoryPool? pool = null);
}
