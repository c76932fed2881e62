using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Tessera.Compositing;
using Tessera.Imaging;

namespace Tessera.Illumination;

/// <summary>
/// The flat-field (if any), then each tile's own gain, divided out of every tile as it is decoded:
/// flat-field first because it corrects the optics, which every tile shares; the gain corrects the
/// exposure, which it was measured after. A pixel still depends only on its tile and position.
/// </summary>
public sealed class TileGainCorrection : ITileCorrection
{
    /// <summary>Fraction bits of the fixed-point reciprocal gain.</summary>
    private const int Bits = 11;

    /// <summary>Fraction bits for 16-bit pixels, where 11 would leave errors of up to 16 levels.</summary>
    private const int WideBits = 16;

    private readonly FlatField? _flatField;
    private readonly short[] _scale;
    private readonly int[] _wideScale;
    private readonly string _description;

    public TileGainCorrection(FlatField? flatField, TileGains gains)
    {
        _flatField = flatField;
        Gains = gains;
        _scale = new short[gains.Count];
        _wideScale = new int[gains.Count];
        for (int i = 0; i < _scale.Length; i++)
        {
            _scale[i] = (short)Math.Round((1 << Bits) / gains.GainOf(i));
            _wideScale[i] = (int)Math.Round((1 << WideBits) / gains.GainOf(i));
        }

        _description = flatField is null ? gains.Describe() : $"{flatField.Describe()}; {gains.Describe()}";
    }

    public TileGains Gains { get; }

    public string Describe() => _description;

    /// <summary>Gains belong to tiles: without the tile's id there is nothing to divide by.</summary>
    public void Apply(PixelBuffer tile) => throw new InvalidOperationException("A per-tile gain needs the tile's id.");

    /// <summary>
    /// The flat-field, then min(255, round(v / gain)) (65535 for 16-bit pixels, see <see cref="ApplyWide"/>) on every colour sample, alpha left alone: in
    /// fixed point with G = round(2048 / gain), round(((v · 16) · G) / 32768), the same on every path.
    /// </summary>
    public void Apply(PixelBuffer tile, int id)
    {
        _flatField?.Apply(tile);
        if (tile.Format.IsSixteenBit())
        {
            ApplyWide(tile, _wideScale[id]);
            return;
        }

        short scale = _scale[id];
        int bpp = tile.BytesPerPixel, length = tile.Width * bpp;
        for (int y = 0; y < tile.Height; y++)
        {
            Span<byte> row = tile.Row(y)[..length];
            int i = Avx2.IsSupported ? ScaleAvx2(row, scale, bpp) : 0;
            for (; i < length; i++)
            {
                if (bpp != 4 || i % 4 != 3)
                {
                    row[i] = (byte)Math.Min((((row[i] << 4) * scale) + 0x4000) >> 15, 255);
                }
            }
        }
    }

    /// <summary>The 16-bit form: ⌊(v · G + 2^15) / 2^16⌋ with G = round(65536 / gain), at most 65535.</summary>
    private static void ApplyWide(PixelBuffer tile, int scale)
    {
        int samples = tile.Format.SamplesPerPixel();
        for (int y = 0; y < tile.Height; y++)
        {
            Span<ushort> row = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(tile.Row(y))[..(tile.Width * samples)];
            for (int i = 0; i < row.Length; i++)
            {
                if (samples != 4 || i % 4 != 3)
                {
                    row[i] = (ushort)Math.Min(((row[i] * (long)scale) + (1 << (WideBits - 1))) >> WideBits, ushort.MaxValue);
                }
            }
        }
    }

    /// <summary>The vectorised body of <see cref="Apply(PixelBuffer, int)"/> (pmulhrsw is exactly the scalar formula); returns how far it got.</summary>
    private static unsafe int ScaleAvx2(Span<byte> row, short scale, int bpp)
    {
        const short identity = 1 << Bits;
        Vector256<short> factors = bpp == 4
            ? Vector256.Create(scale, scale, scale, identity, scale, scale, scale, identity, scale, scale, scale, identity, scale, scale, scale, identity)
            : Vector256.Create(scale);
        int i = 0;
        fixed (byte* r = row)
        {
            for (; i <= row.Length - 32; i += 32)
            {
                Vector256<byte> v = Avx.LoadVector256(r + i);
                Vector256<short> low = Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int16(v.GetLower()), 4);
                Vector256<short> high = Avx2.ShiftLeftLogical(Avx2.ConvertToVector256Int16(v.GetUpper()), 4);
                low = Avx2.MultiplyHighRoundScale(low, factors);
                high = Avx2.MultiplyHighRoundScale(high, factors);
                Vector256<byte> packed = Avx2.PackUnsignedSaturate(low, high);
                Avx.Store(r + i, Avx2.Permute4x64(packed.AsUInt64(), 0b11_01_10_00).AsByte());
            }
        }

        return i;
    }
}
