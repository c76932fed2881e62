using System.Buffers.Binary;

namespace Tessera.Codecs;

/// <summary>
/// Reads the Huffman-coded data of a sequential JPEG without decoding its pixels and says, in
/// libjpeg's words, where libjpeg would warn: a code no table holds, the data of a scan ending
/// before its blocks do, bytes left over after them, a restart marker out of place, the file
/// ending early. SkiaSharp keeps libjpeg's warnings to itself; where Tessera's native layer (which
/// asks libjpeg itself) cannot load, as on Windows and macOS, this stands in for it. Progressive,
/// lossless and arithmetic-coded JPEGs are not read here: they pass unchecked.
/// </summary>
internal static class JpegEntropyCheck
{
    private const int MaxComponents = 4;
    private const string EndsEarly = "Premature end of JPEG file";

    /// <summary>libjpeg's warning or error for the data, or null where it would have none (or the JPEG is of a kind not checked here).</summary>
    public static string? FindDamage(ReadOnlySpan<byte> jpeg)
    {
        var tables = new HuffmanTable?[8]; // DC 0-3, AC 0-3
        Frame? frame = null;
        int restartInterval = 0, at = 2;
        while (true)
        {
            if (at + 2 > jpeg.Length)
            {
                return EndsEarly;
            }

            if (jpeg[at] != 0xFF)
            {
                return Extraneous(jpeg, at);
            }

            byte marker = jpeg[at + 1];
            if (marker == 0xFF)
            {
                at++;
                continue;
            }

            if (marker == 0xD9)
            {
                return null;
            }

            if (marker is 0x01 or (>= 0xD0 and <= 0xD8))
            {
                at += 2;
                continue;
            }

            if (at + 4 > jpeg.Length)
            {
                return EndsEarly;
            }

            int length = BinaryPrimitives.ReadUInt16BigEndian(jpeg[(at + 2)..]);
            if (length < 2 || at + 2 + length > jpeg.Length)
            {
                return EndsEarly;
            }

            ReadOnlySpan<byte> segment = jpeg.Slice(at + 4, length - 2);
            at += 2 + length;
            switch (marker)
            {
                case 0xC4:
                    if (!ReadTables(segment, tables))
                    {
                        return "Bogus Huffman table definition";
                    }

                    break;
                case 0xC0 or 0xC1:
                    frame = Frame.Read(segment);
                    if (frame is null)
                    {
                        return null; // a frame libjpeg refuses itself
                    }

                    break;
                case (>= 0xC2 and <= 0xCF) and not (0xC4 or 0xC8 or 0xCC):
                    return null; // progressive, lossless or arithmetic: not checked here
                case 0xDD when segment.Length >= 2:
                    restartInterval = BinaryPrimitives.ReadUInt16BigEndian(segment);
                    break;
                case 0xDA:
                    if (frame is null)
                    {
                        return null;
                    }

                    string? damage = Scan(jpeg, ref at, segment, frame, tables, restartInterval);
                    if (damage is not null)
                    {
                        return damage;
                    }

                    break;
            }
        }
    }

    /// <summary>libjpeg's warning for bytes where a marker should be: how many, up to which marker.</summary>
    private static string Extraneous(ReadOnlySpan<byte> jpeg, int at)
    {
        int skipped = 0;
        while (at + 1 < jpeg.Length && !(jpeg[at] == 0xFF && jpeg[at + 1] is not (0x00 or 0xFF)))
        {
            at++;
            skipped++;
        }

        return at + 1 < jpeg.Length ? $"Corrupt JPEG data: {skipped} extraneous bytes before marker 0x{jpeg[at + 1]:x2}" : EndsEarly;
    }

    private static bool ReadTables(ReadOnlySpan<byte> segment, HuffmanTable?[] tables)
    {
        while (segment.Length > 0)
        {
            if (segment.Length < 17)
            {
                return false;
            }

            int kind = segment[0] >> 4, id = segment[0] & 15;
            int count = 0;
            for (int i = 1; i <= 16; i++)
            {
                count += segment[i];
            }

            if (kind > 1 || id > 3 || count > 256 || segment.Length < 17 + count)
            {
                return false;
            }

            HuffmanTable? table = HuffmanTable.Build(segment.Slice(1, 16), segment.Slice(17, count));
            if (table is null)
            {
                return false;
            }

            tables[(kind * 4) + id] = table;
            segment = segment[(17 + count)..];
        }

        return true;
    }

    /// <summary>Reads one scan's entropy data from <paramref name="at"/>, leaving it at the marker after it.</summary>
    private static string? Scan(ReadOnlySpan<byte> jpeg, ref int at, ReadOnlySpan<byte> header, Frame frame, HuffmanTable?[] tables, int restartInterval)
    {
        int count = header.Length > 0 ? header[0] : 0;
        if (count is < 1 or > MaxComponents || header.Length < 1 + (2 * count) + 3)
        {
            return null;
        }

        Span<int> members = stackalloc int[MaxComponents];
        var dc = new HuffmanTable[MaxComponents];
        var ac = new HuffmanTable[MaxComponents];
        for (int i = 0; i < count; i++)
        {
            int component = frame.IndexOf(header[1 + (2 * i)]);
            int dcId = header[2 + (2 * i)] >> 4, acId = header[2 + (2 * i)] & 15;
            if (component < 0 || dcId > 3 || acId > 3)
            {
                return null;
            }

            if (tables[dcId] is not { } dcTable || tables[4 + acId] is not { } acTable)
            {
                return $"Huffman table 0x{(tables[dcId] is null ? dcId : 0x10 + acId):x2} was not defined";
            }

            (members[i], dc[i], ac[i]) = (component, dcTable, acTable);
        }

        var bits = new BitReader(at);
        long mcus = count == 1 ? (long)frame.BlocksAcross(members[0]) * frame.BlocksDown(members[0]) : (long)frame.McusAcross * frame.McusDown;
        int restart = 0;
        for (long mcu = 0; mcu < mcus; mcu++)
        {
            if (restartInterval > 0 && mcu > 0 && mcu % restartInterval == 0)
            {
                string? problem = bits.Restart(jpeg, restart);
                if (problem is not null)
                {
                    return problem;
                }

                restart = (restart + 1) & 7;
            }

            for (int i = 0; i < count; i++)
            {
                int blocks = count == 1 ? 1 : frame.H[members[i]] * frame.V[members[i]];
                for (int b = 0; b < blocks; b++)
                {
                    if (!Block(jpeg, ref bits, dc[i], ac[i]))
                    {
                        return bits.Truncated ? EndsEarly : "Corrupt JPEG data: bad Huffman code";
                    }
                }
            }

            if (bits.Truncated)
            {
                return EndsEarly;
            }

            // Past the scan's marker only zeros come, for as many blocks as the header claims: stop at once.
            if (bits.PastMarker)
            {
                return "Corrupt JPEG data: premature end of data segment";
            }
        }

        return bits.End(jpeg, ref at);
    }

    private static bool Block(ReadOnlySpan<byte> jpeg, ref BitReader bits, HuffmanTable dc, HuffmanTable ac)
    {
        if (dc.DecodeAndSkip(jpeg, ref bits) < 0)
        {
            return false;
        }

        for (int k = 1; k < 64; k++)
        {
            int rs = ac.DecodeAndSkip(jpeg, ref bits);
            if (rs < 0)
            {
                return false;
            }

            int run = rs >> 4;
            if ((rs & 15) != 0)
            {
                k += run;
            }
            else if (run == 15)
            {
                k += 15;
            }
            else
            {
                break;
            }
        }

        return true;
    }

    /// <summary>What a scan needs of the frame: each component's id and sampling, and the image size.</summary>
    private sealed class Frame
    {
        private readonly byte[] _ids;
        private readonly int _width, _height, _maxH, _maxV;

        private Frame(byte[] ids, int[] h, int[] v, int width, int height)
        {
            (_ids, H, V, _width, _height) = (ids, h, v, width, height);
            _maxH = h.Max();
            _maxV = v.Max();
        }

        public int[] H { get; }
        public int[] V { get; }
        public int McusAcross => Ceil(_width, 8 * _maxH);
        public int McusDown => Ceil(_height, 8 * _maxV);

        public static Frame? Read(ReadOnlySpan<byte> segment)
        {
            if (segment.Length < 6 || segment[0] != 8)
            {
                return null;
            }

            int height = BinaryPrimitives.ReadUInt16BigEndian(segment[1..]), width = BinaryPrimitives.ReadUInt16BigEndian(segment[3..]);
            int count = segment[5];
            if (width == 0 || height == 0 || count is < 1 or > MaxComponents || segment.Length < 6 + (3 * count))
            {
                return null;
            }

            var ids = new byte[count];
            var h = new int[count];
            var v = new int[count];
            for (int i = 0; i < count; i++)
            {
                ids[i] = segment[6 + (3 * i)];
                h[i] = segment[7 + (3 * i)] >> 4;
                v[i] = segment[7 + (3 * i)] & 15;
                if (h[i] is < 1 or > 4 || v[i] is < 1 or > 4)
                {
                    return null;
                }
            }

            return new Frame(ids, h, v, width, height);
        }

        public int IndexOf(byte id) => Array.IndexOf(_ids, id);

        public int BlocksAcross(int component) => Ceil(Ceil(_width * H[component], _maxH), 8);

        public int BlocksDown(int component) => Ceil(Ceil(_height * V[component], _maxV), 8);

        private static int Ceil(int a, int b) => (a + b - 1) / b;
    }

    /// <summary>A Huffman table as libjpeg decodes with it: the largest code of each length, and a lookup of codes up to 9 bits.</summary>
    private sealed class HuffmanTable
    {
        private const int LookBits = 9;

        private readonly int[] _maxCode = new int[17];
        private readonly int[] _offset = new int[17];
        private readonly byte[] _values;
        private readonly ushort[] _look = new ushort[1 << LookBits]; // length << 8 | value; 0 where the code is longer

        private HuffmanTable(byte[] values) => _values = values;

        public static HuffmanTable? Build(ReadOnlySpan<byte> counts, ReadOnlySpan<byte> values)
        {
            var table = new HuffmanTable(values.ToArray());
            int code = 0, index = 0;
            for (int length = 1; length <= 16; length++)
            {
                int n = counts[length - 1];
                table._offset[length] = index - code;

                // Codes overflowing their length (or the all-ones code, which JPEG reserves) make a bogus table, as libjpeg says.
                if (code + n >= (1 << length))
                {
                    return null;
                }

                if (n > 0)
                {
                    for (int i = 0; i < n && length <= LookBits; i++)
                    {
                        int first = (code + i) << (LookBits - length);
                        Array.Fill(table._look, (ushort)((length << 8) | values[index + i]), first, 1 << (LookBits - length));
                    }

                    code += n;
                    index += n;
                }

                table._maxCode[length] = n > 0 ? code - 1 : -1;
                code <<= 1;
            }

            return table;
        }

        /// <summary>
        /// The next symbol, its code and the extra bits its low four bits count (a coefficient's
        /// magnitude) read past; -1 for a code no length up to 16 holds.
        /// </summary>
        public int DecodeAndSkip(ReadOnlySpan<byte> jpeg, ref BitReader bits)
        {
            bits.Fill(jpeg);
            ushort entry = _look[bits.Peek(LookBits)];
            if (entry != 0)
            {
                bits.Consume((entry >> 8) + (entry & 15)); // at most 9 + 15 bits, which a fill holds
                return entry & 0xFF;
            }

            int code = 0;
            for (int length = 1; length <= 16; length++)
            {
                code = (code << 1) | bits.Bit(jpeg);
                if (code <= _maxCode[length])
                {
                    int symbol = _values[_offset[length] + code];
                    bits.Fill(jpeg);
                    bits.Consume(symbol & 15);
                    return symbol;
                }
            }

            return -1;
        }
    }

    /// <summary>
    /// The bits of one scan's entropy-coded data, byte stuffing undone. At a marker the bits run out:
    /// zeros follow, as in libjpeg, and asking for them is the "premature end of data segment".
    /// </summary>
    private struct BitReader(int at)
    {
        private ulong _buffer;
        private int _count;
        private int _at = at;
        private long _realBits, _usedBits;
        private bool _atMarker;

        /// <summary>The file ended inside the scan, without a marker.</summary>
        public bool Truncated { get; private set; }

        /// <summary>More bits were read than the data before the marker holds.</summary>
        public readonly bool PastMarker => _usedBits > _realBits;

        /// <summary>The next <paramref name="n"/> bits, without reading them past; call <see cref="Fill"/> first.</summary>
        public readonly int Peek(int n) => (int)(_buffer >> (64 - n));

        /// <summary>Reads <paramref name="n"/> bits past, no more than a <see cref="Fill"/> left.</summary>
        public void Consume(int n)
        {
            _buffer <<= n;
            _count -= n;
            _usedBits += n;
        }

        public int Bit(ReadOnlySpan<byte> jpeg)
        {
            Fill(jpeg);
            int bit = Peek(1);
            Consume(1);
            return bit;
        }

        /// <summary>At a restart: the padding dropped, and then nothing but the expected RSTn.</summary>
        public string? Restart(ReadOnlySpan<byte> jpeg, int number)
        {
            string? problem = Leftover(jpeg, out int left, out int marker);
            if (problem is not null)
            {
                return problem;
            }

            if (left > 0)
            {
                return $"Corrupt JPEG data: {left} extraneous bytes before marker 0x{marker:x2}";
            }

            if (marker != 0xD0 + number)
            {
                return $"Corrupt JPEG data: found marker 0x{marker:x2} instead of RST{number}";
            }

            this = new BitReader(_at + 2);
            return null;
        }

        /// <summary>At the end of the scan: its marker found, where <paramref name="at"/> is left.</summary>
        public string? End(ReadOnlySpan<byte> jpeg, ref int at)
        {
            string? problem = Leftover(jpeg, out int left, out int marker);
            if (problem is not null)
            {
                return problem;
            }

            // libjpeg reads ahead a few bytes and does not count those: it warns only past them.
            if (left >= 8)
            {
                return $"Corrupt JPEG data: {left} extraneous bytes before marker 0x{marker:x2}";
            }

            at = _at;
            return null;
        }

        /// <summary>Whole bytes between the last bit used and the next marker (whose code is given).</summary>
        private string? Leftover(ReadOnlySpan<byte> jpeg, out int left, out int marker)
        {
            left = 0;
            marker = 0;
            if (_usedBits > _realBits)
            {
                return "Corrupt JPEG data: premature end of data segment";
            }

            left = (int)((_realBits - _usedBits) / 8);
            while (!_atMarker)
            {
                if (_at + 1 >= jpeg.Length)
                {
                    return EndsEarly;
                }

                if (jpeg[_at] == 0xFF && jpeg[_at + 1] != 0x00)
                {
                    _atMarker = jpeg[_at + 1] != 0xFF;
                    _at += _atMarker ? 0 : 1;
                    continue;
                }

                _at++;
                left++;
            }

            while (_at + 1 < jpeg.Length && jpeg[_at + 1] == 0xFF)
            {
                _at++; // fill bytes before the marker's code
            }

            if (_at + 1 >= jpeg.Length)
            {
                return EndsEarly;
            }

            marker = jpeg[_at + 1];
            return null;
        }

        /// <summary>Loads bytes until at least 57 bits are buffered (zeros once the data has run out).</summary>
        public void Fill(ReadOnlySpan<byte> jpeg)
        {
            while (_count <= 56)
            {
                ulong next = 0;
                if (!_atMarker)
                {
                    if (_at >= jpeg.Length)
                    {
                        Truncated = true;
                        _atMarker = true;
                    }
                    else if (jpeg[_at] != 0xFF)
                    {
                        next = jpeg[_at++];
                        _realBits += 8;
                    }
                    else if (_at + 1 < jpeg.Length && jpeg[_at + 1] == 0x00)
                    {
                        next = 0xFF;
                        _at += 2;
                        _realBits += 8;
                    }
                    else if (_at + 1 >= jpeg.Length)
                    {
                        Truncated = true;
                        _atMarker = true;
                    }
                    else
                    {
                        _atMarker = true; // FF then a marker code (or fill bytes before one)
                    }
                }

                _buffer |= next << (56 - _count);
                _count += 8;
            }
        }
    }
}
