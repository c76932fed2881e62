namespace Tessera.Registration;

/// <summary>
/// The Hann window, 0 at both ends and 1 in the middle: multiplying a strip by it before the FFT
/// removes the jump the transform's wrap-around sees between opposite edges, which would otherwise
/// correlate as a false peak at zero shift.
/// </summary>
internal static class HannWindow
{
    public static float[] Create(int length)
    {
        var w = new float[length];
        for (int i = 0; i < length; i++)
        {
            w[i] = length == 1 ? 1f : (float)(0.5 - (0.5 * Math.Cos(2 * Math.PI * (i + 0.5) / length)));
        }

        return w;
    }
}
