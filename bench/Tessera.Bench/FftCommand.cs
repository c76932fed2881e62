using System.Diagnostics;
using System.Globalization;
using Tessera.Registration;

namespace Tessera.Bench;

/// <summary>
/// <c>fft [--sizes WxH,…] [--repeat N]</c>: time per forward + inverse pair of the registration's
/// 2-D FFT, for every backend that loads (built-in; FFTW planned with FFTW_MEASURE and with
/// FFTW_ESTIMATE), on one thread, after a warm-up; the best of five rounds is printed.
/// </summary>
internal static class FftCommand
{
    public static void Run(CommandArguments args)
    {
        string sizes = args.String("sizes", "64x128,64x256,128x128,32x64");
        int repeat = args.Int("repeat", 20_000, 1);
        args.EnsureAllUsed(0);
        Console.WriteLine("size      backend         µs/transform (forward+inverse)/2   planning ms");
        foreach (string size in sizes.Split(','))
        {
            string[] parts = size.Split('x');
            if (parts.Length != 2 || !int.TryParse(parts[0], out int width) || !int.TryParse(parts[1], out int height))
            {
                throw new UsageException($"--sizes: '{size}' is not WIDTHxHEIGHT");
            }

            var plan = Stopwatch.StartNew();
            Report(size, new Fft2D(width, height), plan, repeat);
            foreach (bool measure in new[] { false, true })
            {
                plan.Restart();
                if (FftwFft2D.TryCreate(width, height, out string? problem, measure) is { } fftw)
                {
                    Report(size, fftw, plan, repeat, measure ? "fftw-measure" : "fftw-estimate");
                }
                else
                {
                    Console.WriteLine($"{size,-9} fftw: {problem}");
                    break;
                }
            }
        }
    }

    private static void Report(string size, IFft2D fft, Stopwatch plan, int repeat, string? name = null)
    {
        double planMs = plan.Elapsed.TotalMilliseconds;
        FftWorkspace w = fft.CreateWorkspace();
        var random = new Random(1);
        for (int i = 0; i < w.Length; i++)
        {
            w.Re[i * w.Stride] = random.NextSingle() - 0.5f;
            w.Im[i * w.Stride] = random.NextSingle() - 0.5f;
        }

        double scale = 1.0 / w.Length;
        for (int i = 0; i < 2000; i++)
        {
            RoundTrip(fft, w, scale);
        }

        double best = double.PositiveInfinity;
        for (int round = 0; round < 5; round++)
        {
            var clock = Stopwatch.StartNew();
            for (int i = 0; i < repeat; i++)
            {
                RoundTrip(fft, w, scale);
            }

            best = Math.Min(best, clock.Elapsed.TotalMicroseconds / (2.0 * repeat));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{size,-9} {name ?? fft.Name,-15} {best,8:F2}   {planMs,10:F1}"));
    }

    private static void RoundTrip(IFft2D fft, FftWorkspace w, double scale)
    {
        fft.Forward(w);
        fft.Inverse(w);
        w.Re[0] *= (float)scale;
    }
}
