using System.Runtime.InteropServices;

namespace Tessera.Outputs.Tiff;

/// <summary>
/// TIFF predictor 2: each sample is stored as its difference from the same channel of the pixel to
/// its left (modulo 2^bits), which lets deflate and LZW find the smooth gradients of real images.
/// </summary>
internal static class HorizontalPredictor
{
    /// <summary>Applies the predictor in place to <paramref name="tile"/>: rows of <paramref name="width"/> pixels of <paramref name="channels"/> samples.</summary>
    public static void Apply(Span<byte> tile, int width, int channels, SampleType type)
    {
        int rowSamples = width * channels;
        if (type == SampleType.UInt16)
        {
            Span<ushort> samples = MemoryMarshal.Cast<byte, ushort>(tile);
            for (int start = 0; start + rowSamples <= samples.Length; start += rowSamples)
            {
                Span<ushort> row = samples.Slice(start, rowSamples);
                for (int i = row.Length - 1; i >= channels; i--)
                {
                    row[i] = (ushort)(row[i] - row[i - channels]);
                }
            }

            return;
        }

        for (int start = 0; start + rowSamples <= tile.Length; start += rowSamples)
        {
            Span<byte> row = tile.Slice(start, rowSamples);
            for (int i = row.Length - 1; i >= channels; i--)
            {
                row[i] = (byte)(row[i] - row[i - channels]);
            }
        }
    }
}
