using System.Numerics;

namespace Tessera.Bench;

/// <summary>One layer of value noise: lattice spacing in pixels and weight in the sum.</summary>
internal readonly record struct Octave(int Cell, float Amplitude);

/// <summary>Hash-based value noise on an integer lattice; a pure function of global coordinates.</summary>
internal static class ValueNoise
{
    private const uint OctaveSeedStep = 0x9E3779B9u;

    public static uint Hash(int x, int y, uint seed)
    {
        var h = seed ^ ((uint)x * 0x8DA6B343u) ^ ((uint)y * 0xD8163841u);
        h ^= h >> 16;
        h *= 0x7FEB352Du;
        h ^= h >> 15;
        h *= 0x846CA68Bu;
        h ^= h >> 16;
        return h;
    }

    /// <summary><see cref="Hash(int, int, uint)"/> for a vector of points.</summary>
    public static Vector<uint> Hash(Vector<uint> x, Vector<uint> y, uint seed)
    {
        var h = new Vector<uint>(seed) ^ (x * 0x8DA6B343u) ^ (y * 0xD8163841u);
        h ^= Vector.ShiftRightLogical(h, 16);
        h *= 0x7FEB352Du;
        h ^= Vector.ShiftRightLogical(h, 15);
        h *= 0x846CA68Bu;
        h ^= Vector.ShiftRightLogical(h, 16);
        return h;
    }

    /// <summary>Lattice value in [0, 1).</summary>
    public static float Lattice(int x, int y, uint seed) => (Hash(x, y, seed) >> 8) * (1f / (1 << 24));

    public static uint OctaveSeed(uint seed, int octaveIndex) => seed + ((uint)octaveIndex * OctaveSeedStep);

    public static float SmoothStep(float t) => t * t * (3f - (2f * t));

    public static float Lerp(float a, float b, float t) => a + ((b - a) * t);

    /// <summary>The sum of <paramref name="octaves"/> at one global pixel.</summary>
    public static float Sample(int x, int y, ReadOnlySpan<Octave> octaves, uint seed)
    {
        var sum = 0f;
        for (var i = 0; i < octaves.Length; i++)
        {
            var (cell, amplitude) = octaves[i];
            var octaveSeed = OctaveSeed(seed, i);
            int lx = x / cell, ly = y / cell;
            var tx = SmoothStep((float)(x % cell) / cell);
            var ty = SmoothStep((float)(y % cell) / cell);
            var top = Lerp(Lattice(lx, ly, octaveSeed), Lattice(lx + 1, ly, octaveSeed), tx);
            var bottom = Lerp(Lattice(lx, ly + 1, octaveSeed), Lattice(lx + 1, ly + 1, octaveSeed), tx);
            sum += amplitude * Lerp(top, bottom, ty);
        }

        return sum;
    }
}
