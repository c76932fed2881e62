using Tessera.Imaging;

namespace Tessera.Codecs;

/// <summary>
/// A codec that can decode part of an image, straight into a buffer that holds more than the image
/// (a block of the stitched plane, say). A stitched tile only shows the part of it inside its cell,
/// so decoding just that part saves the inverse transform and colour conversion of the rest, and
/// writing it where it goes saves a copy.
/// </summary>
public interface IRegionDecoder
{
    /// <summary>
    /// Decodes <paramref name="region"/> (in the image's own coordinates) of <paramref name="path"/>
    /// into <paramref name="target"/>, the region's top-left pixel at (<paramref name="atX"/>,
    /// <paramref name="atY"/>) in the target's coordinates. No other pixel of the target is written,
    /// except where the target is a buffer of just this image with the region at its own place: then
    /// pixels near the region may be written too. The region's pixels are exactly those a whole decode gives. Returns false, having written nothing,
    /// where this decoder cannot do that for the file (not a JPEG; an image that is not
    /// <paramref name="width"/>×<paramref name="height"/>; data that does not end where a JPEG ends):
    /// decode it whole instead, which also reports what is wrong with it.
    /// </summary>
    /// <exception cref="TileReadException">The file is missing, unreadable, corrupt or truncated.</exception>
    bool TryDecodeRegion(string path, int width, int height, PixelRect region, PixelBuffer target, int atX, int atY);

    /// <summary>
    /// Starts decoding <paramref name="region"/> of <paramref name="path"/> as <paramref name="format"/>
    /// to be read some rows at a time, top to bottom (see <see cref="IRegionStream"/>): a region that
    /// several renders share row by row is then decoded once and each part written where it goes.
    /// Null where this decoder cannot stream the file (for the reasons <see cref="TryDecodeRegion"/>
    /// returns false, or because it does not stream at all): decode it otherwise.
    /// </summary>
    /// <exception cref="TileReadException">The file is missing, unreadable or corrupt.</exception>
    IRegionStream? TryOpenRegionStream(string path, int width, int height, PixelRect region, PixelFormat format) => null;
}

/// <summary>The rows of a region of an image, decoded top to bottom as they are read.</summary>
public interface IRegionStream : IDisposable
{
    /// <summary>The region, in the image's coordinates.</summary>
    PixelRect Region { get; }

    /// <summary>The first row not read yet: rows above it have gone by and cannot be read any more.</summary>
    int NextRow { get; }

    /// <summary>
    /// Decodes the region's rows down to <paramref name="part"/>'s last and writes
    /// <paramref name="part"/> (inside the region, not above <see cref="NextRow"/>) into
    /// <paramref name="target"/> at (<paramref name="atX"/>, <paramref name="atY"/>); rows between
    /// <see cref="NextRow"/> and the part are skipped.
    /// </summary>
    /// <exception cref="TileReadException">The data is corrupt.</exception>
    void Read(PixelRect part, PixelBuffer target, int atX, int atY);
}
