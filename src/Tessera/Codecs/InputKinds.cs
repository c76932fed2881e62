using System.Buffers.Binary;

namespace Tessera.Codecs;

/// <summary>
/// Which reader an input file needs, told from its name and first bytes without decoding it. JPEG
/// and plain 8-bit PNG stay with the JPEG codec and SkiaSharp as before; TIFF, WebP and PNG that is
/// 16-bit or has transparency go to libvips.
/// </summary>
internal static class InputKinds
{
    /// <summary>Names that go straight to the JPEG codec, without a look at the file: the fast path stays as it was.</summary>
    public static bool HasJpegName(string path)
    {
        ReadOnlySpan<char> extension = Path.GetExtension(path.AsSpan());
        return extension.Equals(".jpg", StringComparison.OrdinalIgnoreCase) ||
               extension.Equals(".jpeg", StringComparison.OrdinalIgnoreCase) ||
               extension.Equals(".jpe", StringComparison.OrdinalIgnoreCase);
    }

    /// <summary>
    /// True for TIFF, WebP, and PNG with 16-bit samples or transparency (an alpha channel or a tRNS
    /// chunk). Anything else, and a file that cannot be opened, goes the usual way, whose errors name
    /// the problem.
    /// </summary>
    public static bool NeedsVips(string path)
    {
        Span<byte> head = stackalloc byte[33];
        try
        {
            using var handle = InputFile.OpenRead(path);
            int length = FileReads.ReadAtMost(handle, head, 0);
            head = head[..length];
            if (IsTiff(head) || IsWebp(head))
            {
                return true;
            }

            return IsPng(head) && head.Length == 33 && PngNeedsVips(handle, head);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public static bool IsTiff(ReadOnlySpan<byte> head) =>
        head.Length >= 4 &&
        ((head[0] == 'I' && head[1] == 'I' && head[2] is 42 or 43 && head[3] == 0) ||
         (head[0] == 'M' && head[1] == 'M' && head[2] == 0 && head[3] is 42 or 43));

    private static bool IsWebp(ReadOnlySpan<byte> head) =>
        head.Length >= 12 && head[..4].SequenceEqual("RIFF"u8) && head[8..12].SequenceEqual("WEBP"u8);

    private static bool IsPng(ReadOnlySpan<byte> head) =>
        head.Length >= 8 && head[..8].SequenceEqual((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A]);

    /// <summary>IHDR's bit depth and colour type, then the chunks before the image data, looking for tRNS.</summary>
    private static bool PngNeedsVips(Microsoft.Win32.SafeHandles.SafeFileHandle handle, ReadOnlySpan<byte> head)
    {
        byte bitDepth = head[24], colourType = head[25];
        if (bitDepth == 16 || colourType is 4 or 6)
        {
            return true;
        }

        long offset = 33;
        Span<byte> chunk = stackalloc byte[8];
        while (FileReads.ReadAtMost(handle, chunk, offset) == 8)
        {
            uint length = BinaryPrimitives.ReadUInt32BigEndian(chunk);
            ReadOnlySpan<byte> type = chunk[4..];
            if (type.SequenceEqual("tRNS"u8))
            {
                return true;
            }

            if (type.SequenceEqual("IDAT"u8) || type.SequenceEqual("IEND"u8))
            {
                return false;
            }

            offset += 12L + length;
        }

        return false;
    }
}
