using System.Globalization;

namespace Tessera.Illumination;

/// <summary>What measuring the tiles' gains found, for the gains file and the build's summary.</summary>
/// <param name="Gains">One gain per tile, in the order of the tiles given.</param>
/// <param name="Scale">Tiles were decoded at 1/Scale.</param>
/// <param name="Pairs">Neighbour pairs whose overlap was looked at.</param>
/// <param name="Used">Pairs that gave a gain ratio.</param>
/// <param name="WithoutSignal">Pairs with too few usable samples (black, saturated, or too thin an overlap).</param>
/// <param name="Inconsistent">Pairs whose two tiles do not show the same pixels there (misplaced, another specimen).</param>
/// <param name="ResidualPercent">Weighted root-mean-square of what the solved gains leave of the measured ratios, in %.</param>
public sealed record GainMeasurement(TileGains Gains, int Scale, int Pairs, int Used, int WithoutSignal, int Inconsistent,
    double ResidualPercent, GainSolveStats Solve)
{
    /// <summary>The offsets solved per direction (side by side, one above the other), ln units: what the flat-field leaves between a tile's sides.</summary>
    public IReadOnlyList<double> SideBiases { get; init; } = [];

    /// <summary>Pairs measured during a registration whose tiles were read again, because its global solve placed them elsewhere than their own measurement.</summary>
    public int Reread { get; init; }

    /// <summary>The lines the gains file keeps as comments.</summary>
    public IReadOnlyList<string> Notes() =>
    [
        string.Create(CultureInfo.InvariantCulture,
            $"measured at 1/{Scale} scale: {Pairs} neighbour pairs, {Used} used, {WithoutSignal} without signal (black, saturated or too thin), {Inconsistent} not showing the same pixels{(Reread > 0 ? $"; {Reread} measured again at the place the registration's solve gave them" : "")}"),
        string.Create(CultureInfo.InvariantCulture,
            $"least squares of log-gains pulled weakly towards 1: {Solve.Iterations} iterations, residual {ResidualPercent:F2} % rms{Sides()}"),
    ];

    private string Sides() => SideBiases.Count == 2
        ? $"; left to right {SignedPercent(SideBiases[0])} %, top to bottom {SignedPercent(SideBiases[1])} % left by the flat-field"
        : "";

    /// <summary>
    /// A fraction as a signed percentage with two decimals. Rounded first, and −0 made +0: a
    /// negative value that rounds to zero would otherwise print as "-+0.00".
    /// </summary>
    internal static string SignedPercent(double fraction) =>
        (Math.Round(100 * fraction, 2) + 0.0).ToString("+0.00;-0.00", CultureInfo.InvariantCulture);

    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"{Gains.Describe()}; from {Used} of {Pairs} pairs, residual {ResidualPercent:F2} % rms");
}
