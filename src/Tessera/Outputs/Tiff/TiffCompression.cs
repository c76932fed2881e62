namespace Tessera.Outputs.Tiff;

/// <summary>The TIFF Compression tag values the writer uses.</summary>
public enum TiffCompression : ushort
{
    Lzw = 5,

    /// <summary>Each tile a JPEG stream of its own (new-style JPEG, no shared tables).</summary>
    Jpeg = 7,

    /// <summary>zlib ("Adobe deflate").</summary>
    Deflate = 8,
}
