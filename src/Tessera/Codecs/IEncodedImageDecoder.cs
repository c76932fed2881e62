using Tessera.Imaging;

namespace Tessera.Codecs;

/// <summary>
/// Reads images that are already in memory — a tile inside a zip — the way <see cref="ITileCodec"/>
/// reads files, with the same checks, so that nothing needs writing to disk first.
/// </summary>
internal interface IEncodedImageDecoder
{
    /// <param name="name">Names the image in errors (a zip entry: "NAME.zip: NAME_files/…").</param>
    /// <exception cref="TileReadException">Not an image, or a corrupt one.</exception>
    ImageHeader ReadHeader(string name, FileBytes encoded);

    /// <inheritdoc cref="ITileCodec.Decode"/>
    PixelBuffer Decode(string name, FileBytes encoded, PixelFormat format, PixelMemoryPool? pool = null);
}
