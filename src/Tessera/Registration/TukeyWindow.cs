namespace Tessera.Registration;

/// <summary>
/// A flat-topped window: 1 over the middle, a half cosine down to 0 at each end. Where the texture
/// of an overlap lies near one end, a Hann window (the whole length tapered) weights it down to
/// nearly nothing; this one keeps it, and still removes the jump between opposite edges.
/// </summary>
internal static class TukeyWindow
{
    /// <param name="taper">The fraction of the length inside the two tapers together: 1 is the Hann window, 0 none.</param>
    public static float[] Create(int length, double taper)
    {
        var w = new float[length];
        double half = 0.5 * Math.Clamp(taper, 0, 1);
        for (int i = 0; i < length; i++)
        {
            double p = Math.Min(i + 0.5, length - i - 0.5) / length;
            w[i] = length == 1 || p >= half ? 1f : (float)(0.5 - (0.5 * Math.Cos(Math.PI * p / half)));
        }

        return w;
    }

    /// <summary>
    /// The Hann window (all of the length tapered), 0 at both ends and 1 in the middle: multiplying a
    /// strip by it before the FFT removes the jump the transform's wrap-around sees between opposite
    /// edges, which would otherwise correlate as a false peak at zero shift.
    /// </summary>
    public static float[] Hann(int length) => Create(length, 1);
}
