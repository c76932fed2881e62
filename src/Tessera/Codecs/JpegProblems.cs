namespace Tessera.Codecs;

/// <summary>
/// What Tessera refuses in a JPEG, in one wording for every codec and path (whole, region, stream,
/// scaled, SkiaSharp), so that a tile is judged alike however it is read.
/// </summary>
internal static class JpegProblems
{
    /// <summary>
    /// CMYK and YCCK JPEGs are refused: libjpeg-turbo cannot turn them into RGB, and a correct
    /// conversion needs a colour profile (libvips applies one through lcms), which SkiaSharp's
    /// naive formula is not.
    /// </summary>
    public static TileReadException Cmyk(string path) =>
        new(path, "it is a CMYK JPEG, which Tessera does not read (convert the tiles to RGB first)");

    /// <summary>
    /// libjpeg's error, or its warning, which Tessera takes as an error as libvips does with fail on:
    /// a warning means the entropy data is damaged (a bad Huffman code, a marker inside it, bytes left
    /// over) or the file ends early, and what libjpeg decodes then is not the image.
    /// </summary>
    public static TileReadException Damaged(string path, string libjpegMessage) =>
        libjpegMessage.Contains("Premature end of JPEG file", StringComparison.Ordinal)
            ? new TileReadException(path, "the file is truncated")
            : new TileReadException(path, $"the JPEG data is damaged ({libjpegMessage})");

    /// <summary>
    /// Whether the frame header (SOFn) of <paramref name="jpeg"/> has four components: CMYK, or YCCK
    /// (Adobe's transform of it). Reads the markers only; false where there is no readable frame
    /// header, which the decoder then reports.
    /// </summary>
    public static bool IsCmyk(ReadOnlySpan<byte> jpeg) => HeaderSize.OfJpeg(jpeg)?.Components == 4;
}
