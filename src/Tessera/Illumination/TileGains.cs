using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tessera.Illumination;

/// <summary>
/// One exposure gain per tile: a tile as recorded is its gain times the evenly lit scene (after
/// the flat-field it was measured under), so dividing by the gain evens the tiles out. Gains are
/// kept to six decimals, as the gains file writes them, so that measured gains and the same gains
/// read back give the same pixels.
/// </summary>
public sealed class TileGains
{
    /// <summary>The smallest and largest gain accepted: beyond these a tile is not mis-exposed but something else.</summary>
    public const double MinGain = 0.1, MaxGain = 10;

    private readonly IReadOnlyList<string> _paths;
    private readonly double[] _gains;

    /// <param name="paths">Each tile's file, in the order of the tiles' ids in the build; held, not copied (a registration gives a view of its grid, which holds the names compactly and makes a path only when it is read), so it must not change.</param>
    /// <param name="gains">Each tile's gain, within <see cref="MinGain"/>–<see cref="MaxGain"/>.</param>
    /// <param name="measuredAfter">The correction applied to the tiles before the gains were measured (a flat-field's description), or "none".</param>
    public TileGains(IReadOnlyList<string> paths, IReadOnlyList<double> gains, string measuredAfter)
    {
        if (paths.Count != gains.Count)
        {
            throw new ArgumentException($"{paths.Count} tiles but {gains.Count} gains.", nameof(gains));
        }

        _paths = paths;
        _gains = new double[gains.Count];
        for (int i = 0; i < _gains.Length; i++)
        {
            double g = gains[i];
            if (!double.IsFinite(g) || g < MinGain || g > MaxGain)
            {
                throw new ArgumentOutOfRangeException(nameof(gains), g, $"The gain of \"{paths[i]}\" is outside {MinGain}–{MaxGain}.");
            }

            _gains[i] = Math.Round(g, 6);
        }

        MeasuredAfter = measuredAfter;
    }

    public int Count => _gains.Length;

    /// <summary>The correction the gains were measured after ("none" for none): a build must apply the same one first.</summary>
    public string MeasuredAfter { get; }

    public string PathOf(int tile) => _paths[tile];

    public double GainOf(int tile) => _gains[tile];

    /// <summary>A short description with a digest, recorded in the job file so that shards apply the same gains.</summary>
    public string Describe()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        for (int i = 0; i < _gains.Length; i++)
        {
            hash.AppendData(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{Path.GetFileName(_paths[i])}\n{_gains[i]:F6}\n")));
        }

        string digest = Convert.ToHexString(hash.GetHashAndReset())[..16].ToLowerInvariant();
        double min = _gains.Length == 0 ? 1 : _gains.Min(), max = _gains.Length == 0 ? 1 : _gains.Max();
        return string.Create(CultureInfo.InvariantCulture, $"gains of {_gains.Length} tiles, {min:F3}–{max:F3}, sha256 {digest}");
    }

    /// <summary>
    /// The same gains in the order of <paramref name="paths"/> (a build's tiles), matched by full
    /// path; every tile must have one.
    /// </summary>
    /// <exception cref="GainsFileException">A tile of <paramref name="paths"/> has no gain in <paramref name="source"/>.</exception>
    public TileGains InOrderOf(IReadOnlyList<string> paths, string source)
    {
        var byPath = new Dictionary<string, double>(StringComparer.Ordinal);
        for (int i = 0; i < _paths.Count; i++)
        {
            byPath[Path.GetFullPath(_paths[i])] = _gains[i];
        }

        var gains = new double[paths.Count];
        for (int i = 0; i < paths.Count; i++)
        {
            if (!byPath.TryGetValue(Path.GetFullPath(paths[i]), out gains[i]))
            {
                throw new GainsFileException($"The gains file \"{source}\" has no gain for the tile \"{Path.GetFileName(paths[i])}\"; it belongs to other positions.");
            }
        }

        return new TileGains(paths, gains, MeasuredAfter);
    }
}
