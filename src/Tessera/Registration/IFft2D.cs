using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tessera.Registration;

/// <summary>Which two-dimensional FFT registration uses.</summary>
internal enum FftBackend
{
    /// <summary>FFTW where <c>libfftw3f.so.3</c> loads, else the built-in one; the environment variable <c>TESSERA_FFT</c> (<c>fftw</c> or <c>builtin</c>) overrides.</summary>
    Auto,

    /// <summary>The built-in SIMD radix-2 transform (<see cref="Fft2D"/>).</summary>
    BuiltIn,

    /// <summary>FFTW's single-precision library, bound at run time (<see cref="FftwFft2D"/>); an error where it does not load.</summary>
    Fftw,
}

/// <summary>
/// A planned, unscaled two-dimensional complex FFT of one power-of-two size in single precision, in
/// place. One instance serves every thread; each thread needs
/// its own <see cref="FftWorkspace"/>.
/// </summary>
internal interface IFft2D
{
    string Name { get; }

    /// <summary>Columns of the spatial layout.</summary>
    int Width { get; }

    /// <summary>Rows of the spatial layout.</summary>
    int Height { get; }

    /// <summary>
    /// False: the spectrum has the spatial layout, frequency (kx, ky) at <c>ky · Width + kx</c>.
    /// True: it is transposed, (kx, ky) at <c>kx · Height + ky</c>. <see cref="Inverse"/> takes the
    /// same layout back to the spatial one.
    /// </summary>
    bool TransposedSpectrum { get; }

    /// <summary>A workspace in this backend's layout; one per thread.</summary>
    FftWorkspace CreateWorkspace();

    /// <summary>Forward transform (e^{−2πi·k·n/N}) of the workspace's <see cref="Height"/> rows of <see cref="Width"/>.</summary>
    void Forward(FftWorkspace w);

    /// <summary>Inverse of <see cref="Forward"/>, unscaled (a round trip multiplies by Width · Height).</summary>
    void Inverse(FftWorkspace w);
}

/// <summary>Picks and builds the FFT for a size.</summary>
internal static class FftBackends
{
    public const string EnvironmentVariable = "TESSERA_FFT";

    /// <summary>The FFT of <paramref name="width"/> × <paramref name="height"/> (powers of two) that <paramref name="backend"/> names.</summary>
    public static IFft2D Create(int width, int height, FftBackend backend = FftBackend.Auto)
    {
        backend = Resolve(backend);
        if (backend == FftBackend.BuiltIn)
        {
            return new Fft2D(width, height);
        }

        if (FftwFft2D.TryCreate(width, height, out string? problem) is { } fftw)
        {
            return fftw;
        }

        if (backend == FftBackend.Fftw)
        {
            throw new TesseraException($"The FFTW backend was asked for, but {problem}.");
        }

        return new Fft2D(width, height);
    }

    private static FftBackend Resolve(FftBackend backend)
    {
        if (backend != FftBackend.Auto)
        {
            return backend;
        }

        return Environment.GetEnvironmentVariable(EnvironmentVariable)?.Trim().ToLowerInvariant() switch
        {
            null or "" or "auto" => FftBackend.Auto,
            "builtin" or "built-in" => FftBackend.BuiltIn,
            "fftw" => FftBackend.Fftw,
            string other => throw new TesseraException($"{EnvironmentVariable}={other} is not an FFT backend (auto, fftw or builtin)."),
        };
    }
}

/// <summary>
/// The arrays one transform works on, for one thread at a time, made by <see cref="IFft2D.CreateWorkspace"/>
/// in the layout that backend wants: split real and imaginary arrays (<see cref="Stride"/> 1, with
/// two scratch arrays) or interleaved complex values (stride 2: <see cref="Re"/> and <see cref="Im"/>
/// view the same array one float apart). Value k is at <c>Re[k · Stride]</c>, <c>Im[k · Stride]</c>.
/// Every array starts on a 64-byte boundary (FFTW's SIMD plans need the arrays they run on aligned
/// like the ones they were planned on) and is pinned, so its address never changes.
/// </summary>
internal sealed unsafe class FftWorkspace
{
    private const int AlignmentBytes = 64;
    private readonly float[] _storage;
    private readonly int _start;
    private readonly int _stride;

    public FftWorkspace(int length, bool interleaved)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(length, 1);
        Length = length;
        Stride = interleaved ? 2 : 1;
        int perLine = AlignmentBytes / sizeof(float);
        _stride = (length + perLine - 1) / perLine * perLine;
        _storage = GC.AllocateArray<float>((interleaved ? 2 * _stride : 4 * _stride) + perLine, pinned: true);
        nint address = (nint)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(_storage));
        _start = (int)((AlignmentBytes - (address % AlignmentBytes)) % AlignmentBytes) / sizeof(float);
    }

    /// <summary>Complex values.</summary>
    public int Length { get; }

    /// <summary>Floats from one value's real (or imaginary) part to the next one's: 1 split, 2 interleaved.</summary>
    public int Stride { get; }

    public Span<float> Re => Stride == 1 ? _storage.AsSpan(_start, Length) : _storage.AsSpan(_start, (2 * Length) - 1);

    public Span<float> Im => Stride == 1 ? _storage.AsSpan(_start + _stride, Length) : _storage.AsSpan(_start + 1, (2 * Length) - 1);

    /// <summary>Every float of the workspace's values (not the scratch), for clearing.</summary>
    public Span<float> Values => Stride == 1 ? _storage.AsSpan(_start, 2 * _stride) : _storage.AsSpan(_start, 2 * Length);

    internal Span<float> ScratchRe => Stride == 1 ? _storage.AsSpan(_start + (2 * _stride), Length) : throw new InvalidOperationException("An interleaved workspace has no scratch arrays.");

    internal Span<float> ScratchIm => Stride == 1 ? _storage.AsSpan(_start + (3 * _stride), Length) : throw new InvalidOperationException("An interleaved workspace has no scratch arrays.");

    /// <summary>The first value (interleaved: the complex array FFTW runs on).</summary>
    internal float* Pointer => (float*)Unsafe.AsPointer(ref _storage[_start]);
}
