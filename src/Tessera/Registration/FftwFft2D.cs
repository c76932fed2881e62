using System.Collections.Concurrent;
using System.Runtime.InteropServices;

namespace Tessera.Registration;

/// <summary>
/// The two-dimensional FFT through the system's FFTW (<c>libfftw3f.so.3</c>, single precision;
/// Debian package <c>libfftw3-single3</c>), bound at run time so that a machine without it falls
/// back to <see cref="Fft2D"/>. In-place plans on interleaved complex arrays (FFTW's split-array
/// guru plans measured no faster than <see cref="Fft2D"/>; interleaved ones 2.7 times faster), run
/// on each thread's own arrays through the new-array execute function, which FFTW documents as
/// thread-safe; planning is not, so plans are made under one lock, once per size and process, and
/// kept for the process's life (FFTW's planner is process-wide state in any case).
/// </summary>
internal sealed unsafe class FftwFft2D : IFft2D
{
    private static readonly Lock PlannerLock = new();
    private static readonly ConcurrentDictionary<(int Width, int Height, int Sign, bool Measure), nint> Plans = new();
    private static Api? s_api;
    private static string? s_problem;

    private readonly Api _api;
    private readonly nint _forward;
    private readonly nint _inverse;

    private FftwFft2D(Api api, int width, int height, nint forward, nint inverse)
    {
        _api = api;
        Width = width;
        Height = height;
        _forward = forward;
        _inverse = inverse;
    }

    public string Name => "fftw";
    public int Width { get; }
    public int Height { get; }
    public bool TransposedSpectrum => false;

    /// <summary>The transform, or null (with the reason) where libfftw3f cannot be loaded.</summary>
    /// <param name="measure">
    /// FFTW_MEASURE (times candidate algorithms: 70–170 ms per size and process here) rather than
    /// FFTW_ESTIMATE (a guess, 0.2 ms). Measured per transform: 64×128 equal (11.8 µs), but 64×256
    /// estimate 124 µs against measure 32 µs, so measure is the default.
    /// </param>
    public static FftwFft2D? TryCreate(int width, int height, out string? problem, bool measure = true)
    {
        Fft2D.CheckSize(width, nameof(width));
        Fft2D.CheckSize(height, nameof(height));
        Api? api = LoadOnce(out problem);
        return api is null ? null : new FftwFft2D(api, width, height, Plan(api, width, height, -1, measure), Plan(api, width, height, +1, measure));
    }

    public FftWorkspace CreateWorkspace() => new(Width * Height, interleaved: true);

    private static nint Plan(Api api, int width, int height, int sign, bool measure)
    {
        var key = (width, height, sign, measure);
        if (Plans.TryGetValue(key, out nint known))
        {
            return known;
        }

        lock (PlannerLock)
        {
            if (!Plans.TryGetValue(key, out known))
            {
                known = api.Plan(width, height, sign, measure);
                Plans[key] = known;
            }

            return known;
        }
    }

    public void Forward(FftWorkspace w)
    {
        Check(w);
        _api.Execute(_forward, w.Pointer);
    }

    public void Inverse(FftWorkspace w)
    {
        Check(w);
        _api.Execute(_inverse, w.Pointer);
    }

    private void Check(FftWorkspace w)
    {
        if (w.Length != Width * Height || w.Stride != 2)
        {
            throw new ArgumentException($"This {Width}×{Height} transform needs an interleaved workspace of {Width * Height} values.", nameof(w));
        }
    }

    private static Api? LoadOnce(out string? problem)
    {
        lock (PlannerLock)
        {
            if (s_api is null && s_problem is null)
            {
                s_api = Api.TryLoad(out s_problem);
            }

            problem = s_problem;
            return s_api;
        }
    }

    /// <summary>The FFTW functions used, bound by name.</summary>
    private sealed class Api
    {
        private const string LibraryName = "libfftw3f.so.3";

        private const uint PlanMeasure = 0, PlanEstimate = 1u << 6;

        private delegate* unmanaged<int, int, float*, float*, int, uint, nint> _planDft2d;
        private delegate* unmanaged<nint, float*, float*, void> _executeDft;

        public static Api? TryLoad(out string? problem)
        {
            problem = null;
            if (!NativeLibrary.TryLoad(LibraryName, out nint library))
            {
                problem = $"{LibraryName} was not found (on Debian or Ubuntu: apt-get install libfftw3-single3)";
                return null;
            }

            try
            {
                return new Api
                {
                    _planDft2d = (delegate* unmanaged<int, int, float*, float*, int, uint, nint>)NativeLibrary.GetExport(library, "fftwf_plan_dft_2d"),
                    _executeDft = (delegate* unmanaged<nint, float*, float*, void>)NativeLibrary.GetExport(library, "fftwf_execute_dft"),
                };
            }
            catch (EntryPointNotFoundException e)
            {
                problem = $"{LibraryName} is not FFTW 3's single-precision library: {e.Message}";
                return null;
            }
        }

        /// <summary>An in-place plan for height rows of width complex values (sign −1 forward, +1 inverse), planned on a scratch array (measuring overwrites it) aligned like every workspace.</summary>
        public nint Plan(int width, int height, int sign, bool measure)
        {
            var scratch = new FftWorkspace(width * height, interleaved: true);
            nint plan = _planDft2d(height, width, scratch.Pointer, scratch.Pointer, sign, measure ? PlanMeasure : PlanEstimate);
            return plan != 0 ? plan : throw new InvalidOperationException($"FFTW could not plan a {width}×{height} transform.");
        }

        /// <summary>fftwf_execute_dft: the plan on another array of the same size and alignment; thread-safe.</summary>
        public void Execute(nint plan, float* data) => _executeDft(plan, data, data);
    }
}
