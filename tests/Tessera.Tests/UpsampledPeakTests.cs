using Tessera.Registration;
using Xunit;

namespace Tessera.Tests;

/// <summary>The upsampled-DFT peak search on spectra whose correlation peak is known exactly.</summary>
public sealed class UpsampledPeakTests
{
    /// <summary>
    /// The cross-power spectrum of a pure shift (dx, dy), e^{−2πi(kx·dx/nx + ky·dy/ny)} over signed
    /// frequencies: its band-limited correlation peaks at (dx, dy) and nowhere else.
    /// </summary>
    private static void FillShift(UpsampledPeak peak, int nx, int ny, double dx, double dy)
    {
        for (int ky = 0; ky < ny; ky++)
        {
            int sy = ky < (ny + 1) / 2 ? ky : ky - ny;
            for (int kx = 0; kx < nx; kx++)
            {
                int sx = kx < (nx + 1) / 2 ? kx : kx - nx;
                double phase = -2 * Math.PI * ((sx * dx / nx) + (sy * dy / ny));
                peak.Re[(ky * nx) + kx] = (float)Math.Cos(phase);
                peak.Im[(ky * nx) + kx] = (float)Math.Sin(phase);
            }
        }
    }

    [Theory]
    [InlineData(64, 128, 0.0, 0.0)]
    [InlineData(64, 128, 0.5, -0.25)]
    [InlineData(128, 256, -0.37, 0.81)]
    [InlineData(32, 32, 0.93, -0.06)]
    [InlineData(128, 64, 0.123, 0.456)]
    public void Peak_of_a_pure_shift_is_found_to_a_thousandth_of_a_pixel(int nx, int ny, double dx, double dy)
    {
        var peak = new UpsampledPeak(nx, ny);
        FillShift(peak, nx, ny, dx, dy);
        var (x, y) = peak.Find();
        Assert.Equal(dx, x, 1e-3);
        Assert.Equal(dy, y, 1e-3);
    }

    [Fact]
    public void A_second_search_on_the_same_instance_is_not_swayed_by_the_first()
    {
        var peak = new UpsampledPeak(64, 128);
        FillShift(peak, 64, 128, 0.7, 0.7);
        peak.Find();
        FillShift(peak, 64, 128, -0.2, 0.35);
        var (x, y) = peak.Find();
        Assert.Equal(-0.2, x, 1e-3);
        Assert.Equal(0.35, y, 1e-3);
    }
}
