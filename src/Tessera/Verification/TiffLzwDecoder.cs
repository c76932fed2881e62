using System.Buffers;

namespace Tessera.Verification;

/// <summary>
/// Decodes TIFF LZW (compression 5) as libtiff does: codes of 9 to 12 bits, most significant bit
/// first, the width growing one code early, Clear (256) resetting the table and End of
/// Information (257) ending the data.
/// </summary>
internal static class TiffLzwDecoder
{
    private const int Clear = 256, EndOfInformation = 257, FirstCode = 258, MaxBits = 12, TableSize = 1 << MaxBits;

    /// <summary>Decodes <paramref name="data"/> into <paramref name="into"/>; returns the bytes decoded.</summary>
    /// <exception cref="InvalidDataException">A code that is not in the table, or more data than <paramref name="into"/> holds.</exception>
    public static int Decode(ReadOnlySpan<byte> data, Span<byte> into)
    {
        short[] prefix = ArrayPool<short>.Shared.Rent(TableSize);
        byte[] suffix = ArrayPool<byte>.Shared.Rent(TableSize), first = ArrayPool<byte>.Shared.Rent(TableSize);
        int[] length = ArrayPool<int>.Shared.Rent(TableSize);
        try
        {
            for (int code = 0; code < 256; code++)
            {
                suffix[code] = first[code] = (byte)code;
                length[code] = 1;
                prefix[code] = -1;
            }

            int width = 9, next = FirstCode, old = -1, written = 0;
            long bitPosition = 0;
            while (TryRead(data, ref bitPosition, width, out int code) && code != EndOfInformation)
            {
                if (code == Clear)
                {
                    width = 9;
                    next = FirstCode;
                    old = -1;
                    continue;
                }

                if (old < 0)
                {
                    if (code > 255)
                    {
                        throw new InvalidDataException($"LZW code {code} right after a Clear code");
                    }

                    written = Emit(code, prefix, suffix, length, into, written);
                    old = code;
                    continue;
                }

                if (code > next)
                {
                    throw new InvalidDataException($"LZW code {code} is not in the table (next {next})");
                }

                if (next < TableSize)
                {
                    // The new entry is the previous string and the first byte of this one (of itself, when it is this entry).
                    prefix[next] = (short)old;
                    suffix[next] = code == next ? first[old] : first[code];
                    first[next] = first[old];
                    length[next] = length[old] + 1;
                    next++;
                    if (next >= (1 << width) - 1 && width < MaxBits)
                    {
                        width++;
                    }
                }

                written = Emit(code, prefix, suffix, length, into, written);
                old = code;
            }

            return written;
        }
        finally
        {
            ArrayPool<short>.Shared.Return(prefix);
            ArrayPool<byte>.Shared.Return(suffix);
            ArrayPool<byte>.Shared.Return(first);
            ArrayPool<int>.Shared.Return(length);
        }
    }

    private static bool TryRead(ReadOnlySpan<byte> data, ref long bitPosition, int width, out int code)
    {
        code = 0;
        if (bitPosition + width > (long)data.Length * 8)
        {
            return false;
        }

        for (int i = 0; i < width; i++, bitPosition++)
        {
            code = (code << 1) | ((data[(int)(bitPosition >> 3)] >> (7 - (int)(bitPosition & 7))) & 1);
        }

        return true;
    }

    private static int Emit(int code, short[] prefix, byte[] suffix, int[] length, Span<byte> into, int at)
    {
        int n = length[code];
        if (at + n > into.Length)
        {
            throw new InvalidDataException($"the data decode to more than {into.Length:N0} bytes");
        }

        for (int i = at + n - 1; i >= at; i--)
        {
            into[i] = suffix[code];
            code = prefix[code];
        }

        return at + n;
    }
}
