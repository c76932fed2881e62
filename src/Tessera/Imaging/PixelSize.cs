using System.Globalization;

namespace Tessera.Imaging;

/// <summary>
/// The physical size of one full-resolution pixel (square), as a microscope's or camera's
/// calibration gives it: what a scale bar, OME metadata and a viewer's coordinates need.
/// Held in micrometres, the unit microscopy reports it in.
/// </summary>
public readonly record struct PixelSize
{
    private static readonly (string Suffix, double Micrometres)[] Units =
    [
        ("nm", 1e-3), ("µm", 1), ("μm", 1), ("um", 1), ("mm", 1e3), ("cm", 1e4), ("m", 1e6),
    ];

    public PixelSize(double micrometres)
    {
        if (!double.IsFinite(micrometres) || micrometres <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(micrometres), micrometres, "A pixel size is a positive, finite length.");
        }

        Micrometres = micrometres;
    }

    public double Micrometres { get; }

    /// <summary>
    /// Reads a length with its unit, such as <c>0.325um</c>, <c>0.325 µm</c>, <c>650nm</c> or
    /// <c>0.01mm</c>. A unit is required: a bare number is ambiguous between µm and mm.
    /// </summary>
    public static bool TryParse(string? text, out PixelSize size)
    {
        size = default;
        string trimmed = text?.Trim() ?? "";
        foreach ((string suffix, double scale) in Units)
        {
            if (trimmed.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(trimmed.AsSpan(0, trimmed.Length - suffix.Length).Trim(), NumberStyles.Float, CultureInfo.InvariantCulture, out double value)
                && double.IsFinite(value * scale) && value * scale > 0)
            {
                size = new PixelSize(value * scale);
                return true;
            }
        }

        return false;
    }

    public static PixelSize Parse(string text) => TryParse(text, out PixelSize size) ? size
        : throw new FormatException($"\"{text}\" is not a pixel size: give a positive length with its unit, e.g. 0.325um, 650nm or 0.01mm.");

    /// <summary>The size in µm, with as many digits as it was given (round-trips through <see cref="Parse"/>).</summary>
    public override string ToString() => Micrometres.ToString("R", CultureInfo.InvariantCulture) + "µm";
}
