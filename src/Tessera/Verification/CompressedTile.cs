using System.IO.Compression;

namespace Tessera.Verification;

/// <summary>Decompresses one losslessly compressed tile or chunk and checks that it holds exactly the samples it should.</summary>
internal static class CompressedTile
{
    /// <summary>Inflates zlib data into <paramref name="into"/>, which it must fill exactly.</summary>
    /// <exception cref="InvalidDataException">Not zlib data, a wrong checksum, or too few or too many bytes.</exception>
    public static void Inflate(byte[] data, int length, Span<byte> into)
    {
        using var input = new MemoryStream(data, 0, length, writable: false);
        using var zlib = new ZLibStream(input, CompressionMode.Decompress);
        int read, extra;
        try
        {
            read = zlib.ReadAtLeast(into, into.Length, throwOnEndOfStream: false);
            Span<byte> more = stackalloc byte[1];
            extra = zlib.Read(more);
        }
        catch (InvalidDataException e)
        {
            // .NET words every inflate error as an archive's ("unsupported compression method").
            throw new InvalidDataException($"its zlib data are damaged ({e.Message.TrimEnd('.')})", e);
        }

        if (read < into.Length || extra > 0)
        {
            throw new InvalidDataException(read < into.Length
                ? $"it holds {read:N0} bytes of samples, not {into.Length:N0}"
                : $"it holds more than the {into.Length:N0} bytes of samples it should");
        }
    }

    /// <summary>Decodes TIFF LZW data into <paramref name="into"/>, which it must fill exactly.</summary>
    public static void Unlzw(ReadOnlySpan<byte> data, Span<byte> into)
    {
        int read = TiffLzwDecoder.Decode(data, into);
        if (read < into.Length)
        {
            throw new InvalidDataException($"it holds {read:N0} bytes of samples, not {into.Length:N0}");
        }
    }
}
