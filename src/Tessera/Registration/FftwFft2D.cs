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
/// kept for the process's life (FFTW's planner is process-wide state in any case). What measuring
/// finds is kept between runs as FFTW "wisdom" (see <see cref="WisdomFile"/>).
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
                known = measure ? api.PlanFromWisdom(width, height, sign) : 0;
                if (known == 0)
                {
                    known = api.Plan(width, height, sign, measure);
                    if (measure && WisdomFile() is { } wisdom)
                    {
                        api.ExportWisdom(wisdom);
                    }
                }

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

    /// <summary>
    /// Where the plans FFTW measured are kept between runs: <c>fftwf-wisdom</c> in
    /// <c>$TESSERA_CACHE_DIR</c>, else <c>$XDG_CACHE_HOME/tessera</c>, else <c>~/.cache/tessera</c>;
    /// null (nothing kept) where <c>TESSERA_CACHE_DIR</c> is set but empty, or there is no home.
    /// Measuring costs 70–170 ms of processor time per size and process; with wisdom, planning takes
    /// under a millisecond and picks the same algorithms.
    /// </summary>
    internal static string? WisdomFile()
    {
        string? directory = Environment.GetEnvironmentVariable("TESSERA_CACHE_DIR");
        if (directory is null)
        {
            string? xdg = Environment.GetEnvironmentVariable("XDG_CACHE_HOME");
            string home = Environment.GetFolderPath(Environment.SpecialFolder.UserProfile);
            directory = !string.IsNullOrEmpty(xdg) ? Path.Combine(xdg, "tessera")
                : !string.IsNullOrEmpty(home) ? Path.Combine(home, ".cache", "tessera")
                : null;
        }

        return string.IsNullOrEmpty(directory) ? null : Path.Combine(directory, "fftwf-wisdom");
    }

    private static Api? LoadOnce(out string? problem)
    {
        lock (PlannerLock)
        {
            if (s_api is null && s_problem is null)
            {
                s_api = Api.TryLoad(out s_problem);
                if (s_api is not null && WisdomFile() is { } wisdom && File.Exists(wisdom))
                {
                    s_api.ImportWisdom(wisdom); // wisdom of another FFTW, or damaged, is refused: then it measures
                }
            }

            problem = s_problem;
            return s_api;
        }
    }

    /// <summary>The FFTW functions used, bound by name.</summary>
    private sealed class Api
    {
        private const string LibraryName = "libfftw3f.so.3";

        private const uint PlanMeasure = 0, PlanEstimate = 1u << 6, PlanWisdomOnly = 1u << 21;

        private delegate* unmanaged<int, int, float*, float*, int, uint, nint> _planDft2d;
        private delegate* unmanaged<nint, float*, float*, void> _executeDft;
        private delegate* unmanaged<byte*, int> _importWisdom;
        private delegate* unmanaged<byte*, int> _exportWisdom;

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
                    _importWisdom = (delegate* unmanaged<byte*, int>)NativeLibrary.GetExport(library, "fftwf_import_wisdom_from_filename"),
                    _exportWisdom = (delegate* unmanaged<byte*, int>)NativeLibrary.GetExport(library, "fftwf_export_wisdom_to_filename"),
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

        /// <summary>The measured plan from wisdom, or 0 where the wisdom has none for this size.</summary>
        public nint PlanFromWisdom(int width, int height, int sign)
        {
            var scratch = new FftWorkspace(width * height, interleaved: true);
            return _planDft2d(height, width, scratch.Pointer, scratch.Pointer, sign, PlanMeasure | PlanWisdomOnly);
        }

        /// <summary>Adds the wisdom in <paramref name="path"/> to the planner's; false where FFTW refuses it.</summary>
        public bool ImportWisdom(string path)
        {
            fixed (byte* name = NullTerminated(path))
            {
                return _importWisdom(name) != 0;
            }
        }

        /// <summary>
        /// Writes the planner's wisdom to <paramref name="path"/>, through a temporary file renamed over
        /// it, so that processes planning at once (shards) never leave half a file. A cache: where it
        /// cannot be written, the next run measures again.
        /// </summary>
        public void ExportWisdom(string path)
        {
            string temporary = $"{path}.{Environment.ProcessId}.{Guid.NewGuid():N}.partial";
            try
            {
                Directory.CreateDirectory(Path.GetDirectoryName(path)!);
                bool written;
                fixed (byte* name = NullTerminated(temporary))
                {
                    written = _exportWisdom(name) != 0;
                }

                if (written)
                {
                    File.Move(temporary, path, overwrite: true);
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }

            try
            {
                File.Delete(temporary); // left only where the rename failed
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
            }
        }

        private static byte[] NullTerminated(string text) => [.. System.Text.Encoding.UTF8.GetBytes(text), 0];

        /// <summary>fftwf_execute_dft: the plan on another array of the same size and alignment; thread-safe.</summary>
        public void Execute(nint plan, float* data) => _executeDft(plan, data, data);
    }
}
