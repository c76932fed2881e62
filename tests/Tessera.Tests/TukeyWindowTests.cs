using Tessera.Registration;
using Xunit;

namespace Tessera.Tests;

public sealed class TukeyWindowTests
{
    [Fact]
    public void Tapered_over_its_whole_length_it_is_the_Hann_window_to_the_bit()
    {
        // The search's crop is Hann-windowed through this one window: any other value there would
        // move every registration (the 18 sets of registration-quality.sh came out byte-identical).
        for (int length = 1; length <= 1024; length++)
        {
            float[] window = TukeyWindow.Hann(length);
            for (int i = 0; i < length; i++)
            {
                float hann = length == 1 ? 1f : (float)(0.5 - (0.5 * Math.Cos(2 * Math.PI * (i + 0.5) / length)));
                Assert.True(BitConverter.SingleToInt32Bits(hann) == BitConverter.SingleToInt32Bits(window[i]), $"length {length}, sample {i}: {window[i]:R} against {hann:R}");
            }
        }
    }

    [Fact]
    public void A_tenth_tapered_it_is_flat_over_the_middle_and_symmetric()
    {
        float[] window = TukeyWindow.Create(160, 0.1);
        for (int i = 0; i < 160; i++)
        {
            Assert.Equal(window[i], window[159 - i]);
            Assert.Equal(i >= 8 && i < 152, window[i] == 1f);
        }
    }
}
