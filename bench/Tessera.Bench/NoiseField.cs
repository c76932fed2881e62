using System.Numerics;

namespace Tessera.Bench;

/// <summary>
/// A tile-sized plane of summed value-noise octaves. Interpolation is separable (lattice rows are
/// blended once per pixel row, then each run of pixels between two lattice columns is blended
/// in one vectorised pass). Values depend only on global coordinates, so overlapping tiles agree exactly.
/// </summary>
internal sealed class NoiseField
{
    private readonly int _width;
    private readonly int _height;
    private readonly Dictionary<int, float[]> _weights = [];
    private float[] _lattice = [];
    private float[] _rowValues = [];

    public NoiseField(int width, int height)
    {
        _width = width;
        _height = height;
        Values = new float[width * height];
    }

    /// <summary>Row-major, <c>width * height</c> values.</summary>
    public float[] Values { get; }

    public void Fill(int originX, int originY, ReadOnlySpan<Octave> octaves, uint seed)
    {
        Array.Clear(Values);
        for (var i = 0; i < octaves.Length; i++)
        {
            AddOctave(originX, originY, octaves[i], ValueNoise.OctaveSeed(seed, i));
        }
    }

    private void AddOctave(int originX, int originY, Octave octave, uint seed)
    {
        var cell = octave.Cell;
        int firstColumn = originX / cell, firstRow = originY / cell;
        var columns = ((originX + _width - 1) / cell) - firstColumn + 2;
        var rows = ((originY + _height - 1) / cell) - firstRow + 2;

        EnsureCapacity(ref _lattice, columns * rows);
        EnsureCapacity(ref _rowValues, columns);
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                _lattice[(r * columns) + c] = octave.Amplitude * ValueNoise.Lattice(firstColumn + c, firstRow + r, seed);
            }
        }

        var weights = SmoothWeights(cell);
        for (var y = 0; y < _height; y++)
        {
            var gy = originY + y;
            var top = ((gy / cell) - firstRow) * columns;
            var weight = weights[gy % cell];
            for (var c = 0; c < columns; c++)
            {
                _rowValues[c] = ValueNoise.Lerp(_lattice[top + c], _lattice[top + columns + c], weight);
            }

            // Blend each run of pixels between two lattice columns in one vectorised pass.
            var row = Values.AsSpan(y * _width, _width);
            for (int x = 0, c = 0; x < row.Length; c++)
            {
                var phase = (originX + x) % cell;
                var run = Math.Min(cell - phase, row.Length - x);
                AddLerp(row.Slice(x, run), _rowValues[c], _rowValues[c + 1], weights.AsSpan(phase, run));
                x += run;
            }
        }
    }

    /// <summary>Adds <c>lerp(a, b, t)</c> to each value; vector and scalar paths round identically.</summary>
    private static void AddLerp(Span<float> values, float a, float b, ReadOnlySpan<float> t)
    {
        var difference = b - a;
        var i = 0;
        var vectorA = new Vector<float>(a);
        var vectorDifference = new Vector<float>(difference);
        for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var slice = values.Slice(i, Vector<float>.Count);
            (new Vector<float>(slice) + (vectorA + (vectorDifference * new Vector<float>(t[i..])))).CopyTo(slice);
        }

        for (; i < values.Length; i++)
        {
            values[i] += a + (difference * t[i]);
        }
    }

    /// <summary>Smoothstep weights for the offsets 0 .. cell-1 within a lattice cell.</summary>
    private float[] SmoothWeights(int cell)
    {
        if (!_weights.TryGetValue(cell, out var weights))
        {
            weights = new float[cell];
            for (var k = 0; k < cell; k++)
            {
                weights[k] = ValueNoise.SmoothStep((float)k / cell);
            }

            _weights.Add(cell, weights);
        }

        return weights;
    }

    private static void EnsureCapacity(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new float[length];
        }
    }
}
