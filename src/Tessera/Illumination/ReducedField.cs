namespace Tessera.Illumination;

/// <summary>
/// A flat-field at the scale gains are measured at: the mean gain and dark offset over each
/// scale × scale box of the tile, so that a reduced sample is corrected as its pixels would be.
/// Without a field, samples pass unchanged.
/// </summary>
internal sealed class ReducedField
{
    private readonly float[]? _inverseGain;
    private readonly float[]? _dark;

    private ReducedField(int scale, int width, int height, float[]? inverseGain, float[]? dark)
    {
        Scale = scale;
        Width = width;
        Height = height;
        _inverseGain = inverseGain;
        _dark = dark;
    }

    public int Scale { get; }
    public int Width { get; }
    public int Height { get; }
    public bool HasField => _inverseGain is not null;

    public static ReducedField Create(FlatField? field, int scale)
    {
        if (field is null)
        {
            return new ReducedField(scale, 0, 0, null, null);
        }

        // Gains are measured on 8-bit grey: a 16-bit field's dark offset is brought to that scale.
        double darkScale = (double)byte.MaxValue / field.MaxValue;
        int w = (field.Width + scale - 1) / scale, h = (field.Height + scale - 1) / scale;
        var gain = new double[w * h];
        var dark = new double[w * h];
        var counts = new int[w * h];
        for (int y = 0; y < field.Height; y++)
        {
            for (int x = 0; x < field.Width; x++)
            {
                int cell = ((y / scale) * w) + (x / scale), p = (y * field.Width) + x;
                gain[cell] += field.Gain[p];
                dark[cell] += field.Dark?[p] ?? 0;
                counts[cell]++;
            }
        }

        var inverse = new float[w * h];
        var offset = new float[w * h];
        for (int c = 0; c < inverse.Length; c++)
        {
            inverse[c] = (float)(counts[c] / gain[c]);
            offset[c] = (float)(dark[c] * darkScale / counts[c]);
        }

        return new ReducedField(scale, w, h, inverse, field.Dark is null ? null : offset);
    }

    /// <summary>(v − dark) / gain at reduced pixel (x, y); NaN where nothing is left after the dark offset.</summary>
    public float Correct(byte v, int x, int y)
    {
        if (_inverseGain is null)
        {
            return v;
        }

        int c = (y * Width) + x;
        float value = v - (_dark?[c] ?? 0f);
        return value > 1f ? value * _inverseGain[c] : float.NaN;
    }
}
