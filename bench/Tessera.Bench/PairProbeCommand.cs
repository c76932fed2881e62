using System.Globalization;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Layout;
using Tessera.Registration;

namespace Tessera.Bench;

/// <summary>
/// <c>pair-probe DIR [--overlap-x 80] [--overlap-y 60] [--scale 2] [--pair 0_0-0_1] [--offset 0,0] [--surface R]</c>: each neighbour
/// pair of a jittered set (truth.tsv beside the tiles) at its true shift, on the full-resolution
/// strips the refine reads, whitened and shading-matched as it does them. Prints, per pair, what
/// each subpixel step finds there (the truth is whole, so all of it is error) with its patches'
/// correlation, and what the aligner's own refine makes of it: which estimate a pair should take,
/// and whether something measured on the pair says so. With <c>--offset DX,DY</c> the steps start
/// that far off the truth, as they do where the climb before them stopped a pixel short; with
/// <c>--surface R</c> it prints the plain correlation within R px of the truth above each pair's
/// line (an askew ridge shows there as a second local maximum).
/// </summary>
internal static class PairProbeCommand
{
    /// <summary>The steps compared: the search's crop under Hann, and the whole overlap under windows of these tapers (across, along).</summary>
    private static readonly (string Name, double Across, double Along)[] Windows =
        [("whole hann", 1, 1), ("whole 0.25/0.1", 0.25, 0.1), ("whole 1/0.1", 1, 0.1), ("whole 0.5/0.1", 0.5, 0.1)];

    public static void Run(CommandArguments args)
    {
        string directory = args.Positional(0, "DIR");
        int overlapX = args.Int("overlap-x", 80, 0), overlapY = args.Int("overlap-y", 60, 0), scale = args.Int("scale", 2, 1);
        string only = args.String("pair", "");
        int surface = args.Int("surface", 0, 0);
        int[] offset = args.String("offset", "0,0").Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
        args.EnsureAllUsed(1);

        TileGrid grid = GridScanner.Scan(directory, new LayoutOptions("{x}_{y}.jpg"));
        ITileCodec codec = TileCodecs.Create(CodecChoice.Auto, out _);
        ImageHeader header = codec.ReadHeader(grid.FirstTile);
        var options = new RegistrationOptions();
        var geometry = new StripGeometry(header.Width, header.Height, overlapX, overlapY, scale, options.SearchMargin);
        StripGeometry full = geometry.Full ?? throw new ArgumentException("pair-probe needs a decode scale above 1 (--scale).");
        var truth = ReadTruth(Path.Combine(directory, "truth.tsv"));
        var pool = new PixelMemoryPool();
        var strips = new StripPool();
        var tiles = new Dictionary<(int, int), TileStrips>();
        TileStrips Tile(int c, int r) => tiles.TryGetValue((c, r), out var t)
            ? t
            : tiles[(c, r)] = TileStrips.Read(grid[c, r]!, codec, geometry, header, pool, strips, null).Full!;

        var west = new Probe(full.StripX, full.LengthX, full.NominalTx, full.Margin, options);
        var north = new Probe(full.StripY, full.LengthY, full.NominalTy, full.Margin, options);
        Console.WriteLine("pair\tdir\tncc\tcrop x\tcrop y\tcrop rho\t" + string.Join("\t", Windows.Select(w => $"{w.Name} x\t{w.Name} y\t{w.Name} rho")) + "\taligner x\taligner y\taligner crop x\taligner crop y");
        for (int r = 0; r < grid.Rows; r++)
        {
            for (int c = 0; c < grid.Columns; c++)
            {
                foreach (PairDirection direction in (ReadOnlySpan<PairDirection>)[PairDirection.West, PairDirection.North])
                {
                    var (fc, fr) = direction == PairDirection.West ? (c - 1, r) : (c, r - 1);
                    string name = $"{fc}_{fr}-{c}_{r}";
                    if (fc < 0 || fr < 0 || (only.Length > 0 && only != name))
                    {
                        continue;
                    }

                    var (ax, ay) = truth[(fc, fr)];
                    var (bx, by) = truth[(c, r)];
                    var (tx, ty) = full.Shift(direction, bx - ax, by - ay);
                    TileStrips a = Tile(fc, fr), b = Tile(c, r);
                    string line = direction == PairDirection.West
                        ? west.Line(a.East!, b.West!, tx, ty, offset[0], offset[1], surface)
                        : north.Line(a.South!, b.North!, tx, ty, offset[0], offset[1], surface);
                    Console.WriteLine($"{name}\t{(direction == PairDirection.West ? "h" : "v")}\t{line}");
                }
            }
        }
    }

    private static Dictionary<(int, int), (int X, int Y)> ReadTruth(string path)
    {
        var truth = new Dictionary<(int, int), (int, int)>();
        foreach (string row in File.ReadLines(path).Skip(1))
        {
            int[] v = row.Split('\t').Select(f => int.Parse(f, CultureInfo.InvariantCulture)).ToArray();
            truth[(v[0], v[1])] = (v[2], v[3]);
        }

        return truth;
    }

    /// <summary>One strip shape's steps, with the strips prepared as the refine prepares them.</summary>
    private sealed class Probe
    {
        private readonly int _width;
        private readonly int _length;
        private readonly PairAligner _aligner;
        private readonly StripWhitening _whitening;
        private readonly float[] _a, _b, _shaded;
        private readonly SubpixelStep _crop;
        private readonly SubpixelStep[] _whole;
        private readonly OverlapScores _scores;

        public Probe(int width, int length, int nominalTx, int margin, RegistrationOptions options)
        {
            (_width, _length) = (width, length);
            _aligner = new PairAligner(width, length, nominalTx, margin, options, refining: true);
            _whitening = new StripWhitening(width, length, refining: true);
            (_a, _b, _shaded) = (new float[width * length], new float[width * length], new float[width * length]);
            _crop = new SubpixelStep(_aligner.Fft, _aligner.Fft.CreateWorkspace(), 1, 1);
            IFft2D whole = FftBackends.Create(_aligner.Fft.Width, Fft2D.CeilingPowerOfTwo(length));
            _whole = [.. Windows.Select(w => new SubpixelStep(whole, whole.CreateWorkspace(), w.Across, w.Along))];
            _scores = new OverlapScores(width, length, nominalTx, margin, tables: false);
        }

        /// <summary>The steps cut (ox, oy) px off the true shift (tx, ty), and the aligner's refine from the truth.</summary>
        /// <param name="surface">Also prints the plain correlation within this many px of the truth, a row per line starting with #.</param>
        public string Line(byte[] a, byte[] b, int tx, int ty, int ox, int oy, int surface)
        {
            _whitening.Apply(a, _a);
            ShadingMatch.Apply(a, b, _width, _length, tx, ty, _shaded);
            _whitening.Apply(_shaded, _b);
            _scores.Reset(_a, _b);
            var fields = new List<string> { F(_scores.Correlation(tx, ty)) };
            for (int dy = -surface; dy <= surface; dy++)
            {
                Console.WriteLine("#\t" + string.Join('\t', Enumerable.Range(-surface, (2 * surface) + 1).Select(dx => F(_scores.Correlation(tx + dx, ty + dy)))));
            }

            foreach (SubpixelStep step in (IEnumerable<SubpixelStep>)[_crop, .. _whole])
            {
                SubpixelRest rest = step.Refine(_a, _b, _width, _length, tx + ox, ty + oy, null);
                double correlation = step.LastCorrelation(_a, _b, _width, _length, tx + ox, ty + oy);
                fields.AddRange([F(rest.X + ox), F(rest.Y + oy), F(correlation)]);
            }

            StripMeasurement m = _aligner.Polish(a, b, tx, ty, new StripMeasurement(false, tx, ty, 0.9, 1, 1, -1), scoreNoise: null);
            fields.AddRange([F(m.Tx - tx), F(m.Ty - ty), F(m.SubpixelX), F(m.SubpixelY)]);
            return string.Join('\t', fields);
        }

        private static string F(double v) => v.ToString("F3", CultureInfo.InvariantCulture);
    }
}
