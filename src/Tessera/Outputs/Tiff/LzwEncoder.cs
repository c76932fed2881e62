using System.Buffers;

namespace Tessera.Outputs.Tiff;

/// <summary>
/// TIFF LZW (compression 5): codes of 9 to 12 bits, most significant bit first, Clear (256) first
/// and whenever the table fills, End of Information (257) last. The code width grows as libtiff's
/// encoder grows it, one code early, which is what every TIFF reader expects.
/// </summary>
internal static class LzwEncoder
{
    private const int Clear = 256, EndOfInformation = 257, FirstCode = 258, MaxBits = 12;
    private const int TableFull = (1 << MaxBits) - 2; // 4094: libtiff resets here
    private const int HashSize = 1 << 13;

    /// <summary>The most bytes <see cref="Encode"/> writes for <paramref name="length"/> bytes: 12 bits a byte at worst, plus the codes around them.</summary>
    public static int MaxEncodedLength(int length) => (length * 3 / 2) + 16;

    /// <summary>Encodes <paramref name="data"/> into <paramref name="into"/> (at least <see cref="MaxEncodedLength"/> long); returns the bytes written.</summary>
    public static int Encode(ReadOnlySpan<byte> data, Span<byte> into)
    {
        // Open addressing: key (prefix code << 8 | byte) + 1, so that 0 marks an empty slot.
        int[] keys = ArrayPool<int>.Shared.Rent(HashSize);
        short[] codes = ArrayPool<short>.Shared.Rent(HashSize);
        try
        {
            var bits = new BitWriter(into);
            Array.Clear(keys, 0, HashSize);
            bits.Put(Clear, 9);
            if (data.IsEmpty)
            {
                bits.Put(EndOfInformation, 9);
                return bits.Finish();
            }

            int width = 9, next = FirstCode, prefix = data[0];
            for (int i = 1; i < data.Length; i++)
            {
                int key = ((prefix << 8) | data[i]) + 1;
                int slot = Slot(key);
                while (keys[slot] != 0 && keys[slot] != key)
                {
                    slot = (slot + 1) & (HashSize - 1);
                }

                if (keys[slot] == key)
                {
                    prefix = codes[slot];
                    continue;
                }

                bits.Put(prefix, width);
                keys[slot] = key;
                codes[slot] = (short)next++;
                prefix = data[i];
                Grow(ref bits, ref next, ref width, keys);
            }

            bits.Put(prefix, width);
            next++;
            Grow(ref bits, ref next, ref width, keys);
            bits.Put(EndOfInformation, width);
            return bits.Finish();
        }
        finally
        {
            ArrayPool<int>.Shared.Return(keys);
            ArrayPool<short>.Shared.Return(codes);
        }
    }

    /// <summary>After a code is added: a full table is cleared (and says so), else the width grows when the next code would not fit.</summary>
    private static void Grow(ref BitWriter bits, ref int next, ref int width, int[] keys)
    {
        if (next == TableFull)
        {
            bits.Put(Clear, width);
            Array.Clear(keys, 0, HashSize);
            next = FirstCode;
            width = 9;
        }
        else if (next > (1 << width) - 1)
        {
            width++;
        }
    }

    private static int Slot(int key) => (int)((uint)(key * -1640531535) >> (32 - 13));

    private ref struct BitWriter(Span<byte> into)
    {
        private readonly Span<byte> _into = into;
        private int _length;
        private ulong _pending;
        private int _pendingBits;

        public void Put(int code, int width)
        {
            _pending = (_pending << width) | (uint)code;
            _pendingBits += width;
            while (_pendingBits >= 8)
            {
                _pendingBits -= 8;
                _into[_length++] = (byte)(_pending >> _pendingBits);
            }
        }

        public int Finish()
        {
            if (_pendingBits > 0)
            {
                _into[_length++] = (byte)(_pending << (8 - _pendingBits));
                _pendingBits = 0;
            }

            return _length;
        }
    }
}
