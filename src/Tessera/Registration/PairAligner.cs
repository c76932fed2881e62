using System.Diagnostics;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Tessera.Registration;

/// <summary>
/// Aligns two overlap strips of one shape: <c>A</c> (the first tile's edge strip) and <c>B</c> (the
/// second tile's facing strip), both <c>width</c> × <c>length</c> bytes, row-major, where the
/// second tile's strip holds A shifted: B(u, v) = A(u + tx, v + ty). North/south strips are stored
/// transposed so that one aligner shape serves both directions.
/// </summary>
/// <remarks>
/// Both strips are whitened first (<see cref="StripWhitening"/>), which also removes vignetting,
/// gain and smooth shading. Phase correlation of the Hann-windowed A + iB in one complex FFT gives
/// candidate peaks; every interpretation of each peak (the FFT's wrap-around makes t and t − N
/// alike) inside the search window is scored by normalised cross-correlation on the overlap it
/// implies and climbed to its local maximum. The best is refined on the overlap alone
/// (<see cref="SubpixelStep"/>): at the decode scale on the middle of it that the search's
/// transform holds, at full resolution on all of it, under a flat-topped window. Whether the score
/// means anything is judged later, against what strips that do not overlap score on the same tile set.
/// </remarks>
internal sealed class PairAligner
{
    /// <summary>
    /// How far (one-pixel steps) the full-resolution climb may move a shift found at the decode
    /// scale: a few decoded pixels, not across the window to a chance maximum.
    /// </summary>
    private const int PolishSteps = 12;

    /// <summary>
    /// How far (one-pixel steps) locating a match chosen at the decode scale may move it on the
    /// plain correlation: the score's tilt moved broad peaks by up to four.
    /// </summary>
    private const int LocateSteps = 6;

    /// <summary>
    /// The share of the whole-overlap patch under its window's tapers along the strip
    /// (<see cref="TukeyWindow"/>): a tenth, so that texture near one end counts.
    /// </summary>
    private const double OverlapTaperAlong = 0.1;

    /// <summary>
    /// The same across: half. The patch's ends across are the two tiles' borders; a quarter
    /// weighted the whitening's edge there enough to tilt every shift (+0.006 px on whole ones,
    /// <c>SubpixelBiasTests</c>), and Hann (all of it) lost accuracy on the 8×8 sets (photograph
    /// s5: worst tile 0.96 px against 0.12).
    /// </summary>
    private const double OverlapTaperAcross = 0.5;

    private static readonly (int, int)[] FourNeighbours = [(-1, 0), (1, 0), (0, -1), (0, 1)];

    /// <summary>
    /// Where a match is located (the plain correlation): every shift up to two pixels away at the
    /// decode scale (summed-area tables make each cheap), the first eight (the nearest) at full resolution. An edge seen through the overlap makes the surface a narrow ridge in any
    /// direction; climbing to the four nearest neighbours stopped on its side, 2–4 px short of its
    /// top (8×8 integer grid, clean tiles: worst pair 2.9 px off, tile 1.0 px; with these 0.35 and 0.16).
    /// </summary>
    private static readonly (int, int)[] Reach = Neighbourhood(2);

    private readonly bool _refining;
    private readonly int _width;
    private readonly int _length;
    private readonly int _cropStart;
    private readonly IFft2D _fft;
    private readonly IFft2D? _overlapFft;
    private readonly int _nominalTx;
    private readonly int _margin;
    private readonly RegistrationOptions _options;
    private readonly float[] _windowX;
    private readonly float[] _windowY;
    private readonly ThreadLocal<Scratch> _scratch;

    /// <param name="refining">True for full-resolution strips on which shifts found at the decode scale are refined (<see cref="Polish"/>).</param>
    public PairAligner(int width, int length, int nominalTx, int margin, RegistrationOptions options, bool refining = false)
    {
        _refining = refining;
        _width = width;
        _length = length;
        _nominalTx = nominalTx;
        _margin = margin;
        _options = options;

        // Across the strip: pad to a power of two. Along it: crop to the largest power of two inside
        // unless that loses over 40 % of the strip, then pad.
        int nx = Fft2D.CeilingPowerOfTwo(width);
        int ny = Fft2D.FloorPowerOfTwo(length);
        if (ny < 0.6 * length)
        {
            ny = Fft2D.CeilingPowerOfTwo(length);
        }

        // Rows beyond twice the width add little to finding the peak (measured on the benchmark
        // grids); the NCC that picks and refines it still uses the whole strip.
        ny = Math.Max(Math.Min(ny, 2 * nx), Math.Min(64, ny));
        _cropStart = Math.Max(0, (length - ny) / 2);
        _fft = FftBackends.Create(nx, ny, options.Fft);
        _windowX = TukeyWindow.Hann(width);
        _windowY = TukeyWindow.Hann(Math.Min(ny, length));

        // At full resolution the subpixel step reads the whole overlap along the strip, in a
        // transform of its own: the search's crop of the middle missed texture that lies near one
        // end (8×8 spots s5, each pair at its true shift: the crop's step off by over 0.5 px on 6
        // textured pairs, up to 1.6 px, on patches that held mostly noise; the whole overlap's
        // within 0.15 px on every one).
        _overlapFft = refining ? FftBackends.Create(nx, Fft2D.CeilingPowerOfTwo(length), options.Fft) : null;
        _scratch = new ThreadLocal<Scratch>(() => new Scratch(width, length, nominalTx, _margin, _fft, _overlapFft, refining));
    }

    /// <summary>The FFT in use (its name says which backend).</summary>
    public IFft2D Fft => _fft;

    /// <param name="clearlySignificant">
    /// A best score at which the peaks not yet checked need not be: no chance match could then
    /// come close enough to make the pair ambiguous (<see cref="PairJudgement.ClearlySignificant"/>).
    /// Infinite (every peak checked) where nothing is known of the noise yet.
    /// </param>
    /// <param name="scoreNoise">
    /// The score noise the judgement will weigh this measurement against, for the axes whose broad
    /// fall it reads (<see cref="PairJudgement.ReadsBroad"/>); null where no σ is drawn from this
    /// measurement (the null distribution, or a shift that full resolution polishes): no broad fall is measured.
    /// </param>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public StripMeasurement Align(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, double clearlySignificant = double.PositiveInfinity, double? scoreNoise = null)
    {
        Scratch s = _scratch.Value!;
        RegistrationTimings? timings = _options.Timings;
        long start = RegistrationTimings.Start(timings);
        double stdA = s.Whitening.Apply(a, s.A);
        double stdB = s.Whitening.Apply(b, s.B);
        timings?.Add(RegistrationStage.Whiten, start);
        if (stdA < _options.MinTexture || stdB < _options.MinTexture)
        {
            return StripMeasurement.BlankStrip(_nominalTx);
        }

        start = RegistrationTimings.Start(timings);
        PhaseCorrelate(s);
        timings?.Add(RegistrationStage.PhaseCorrelate, start);
        start = RegistrationTimings.Start(timings);
        s.Scores.Reset(s.A, s.B);
        var candidates = s.Candidates;
        candidates.Clear();
        double best = double.NegativeInfinity;
        for (int p = 0; p < _options.Peaks && best < clearlySignificant && NextPeak(s, out int px, out int py); p++)
        {
            foreach (int tx in (ReadOnlySpan<int>)[px, px - _fft.Width])
            {
                foreach (int ty in (ReadOnlySpan<int>)[py, py - _fft.Height])
                {
                    if (Score(s, tx, ty) > -1)
                    {
                        candidates.Add(Climb(s, tx, ty));
                        best = Math.Max(best, candidates[^1].Score);
                    }
                }
            }
        }

        candidates.Add(Climb(s, _nominalTx, 0));
        (best, int bestTx, int bestTy) = candidates[0];
        foreach (var c in candidates)
        {
            if (c.Score > best)
            {
                (best, bestTx, bestTy) = c;
            }
        }

        timings?.Add(RegistrationStage.Candidates, start);
        start = RegistrationTimings.Start(timings);
        double competitor = Competitor(s, best, bestTx, bestTy);
        var (curvatureX, curvatureY, curvatureXY) = Curvatures(s, best, bestTx, bestTy, plain: false);
        timings?.Add(RegistrationStage.Judge, start);
        bool edge = Math.Abs(bestTx - _nominalTx) >= _margin || Math.Abs(bestTy) >= _margin;

        // Chosen on the scaled score, located on the plain correlation: the scaling for small
        // overlaps tilts a broad peak towards larger ones (8×8 photograph set: many pairs came out
        // 1–4 decoded px too large an overlap, and the full-resolution climb did not always undo it).
        var (_, locTx, locTy) = Climb(s, bestTx, bestTy, LocateSteps, plain: true);

        // Refined here too where full resolution refines it: the climb there must start within
        // half a pixel, or it may settle on a neighbouring local maximum (8×8 photograph set:
        // median 0.33 → 2.1 px when it started from the whole-pixel shift).
        var (fx, fy) = s.Crop.Refine(s.A, s.B, _width, _length, locTx, locTy, timings);
        var m = new StripMeasurement(false, locTx + fx, locTy + fy, best, curvatureX, curvatureY, competitor, edge, fx, fy, CurvatureXY: curvatureXY);
        start = RegistrationTimings.Start(timings);
        m = WithBroad(s, m, scoreNoise, best, bestTx, bestTy, plain: false);
        timings?.Add(RegistrationStage.Judge, start);
        return m;
    }

    /// <summary>
    /// Refines a shift found at a coarser scale on these (full-resolution) strips: climbs the score
    /// from (tx, ty) to its local maximum and refines it as <see cref="Align"/> does. Significance
    /// and competitors stay the coarse measurement's; the curvature and position are these.
    /// </summary>
    /// <param name="scoreNoise">The score noise the judgement will weigh the result against (<see cref="Align"/>).</param>
    public StripMeasurement Polish(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int tx, int ty, StripMeasurement coarse, double? scoreNoise)
    {
        Scratch s = _scratch.Value!;
        RegistrationTimings? timings = _options.Timings;
        long start = RegistrationTimings.Start(timings);
        s.Whitening.Apply(a, s.A);
        ShadingMatch.Apply(a, b, _width, _length, tx, ty, s.Shaded);
        s.Whitening.Apply(s.Shaded, s.B);

        timings?.Add(RegistrationStage.WhitenFull, start);
        start = RegistrationTimings.Start(timings);
        s.Scores.Reset(s.A, s.B);

        // On the plain correlation: the score's scaling for small overlaps tilts the peak towards
        // larger ones by a pixel or more where it is broad (8×8 photograph set, this change alone:
        // median 0.33 → 0.25 px, worst tile 18.3 → 13.8 px).
        var (best, bestTx, bestTy) = Climb(s, tx, ty, PolishSteps, plain: true);
        var (curvatureX, curvatureY, curvatureXY) = Curvatures(s, best, bestTx, bestTy, plain: true);
        timings?.Add(RegistrationStage.ClimbFull, start);

        // The judgement reads how far the crop's step went from the whole pixel: that is what its
        // bars were measured on (with the whole overlap's offsets there, the 5×5 illustration set
        // of RegistrationAccuracyTests ends with tiles 16.9 px off). The position is the whole
        // overlap's where it refines the whole-pixel maximum; where it lies beyond a subpixel
        // step's reach of it, there is no peak near that maximum for it to refine, and the crop's,
        // which the judgement then weighs as such, is kept (5×5 photograph, 0_0–1_0: a chance match
        // along a ridge that the whole overlap moved 2.1 px, out of the solve's reach to drop it,
        // pulled 0_0 0.5 px off).
        SubpixelRest crop = s.Crop.Refine(s.A, s.B, _width, _length, bestTx, bestTy, timings);
        var (x, y) = (bestTx + crop.X, bestTy + crop.Y);
        if (s.Overlap is { } overlap)
        {
            var (wx, wy) = Centred(s, overlap, bestTx, bestTy, crop);
            if (Math.Abs(wx - bestTx) < PairJudgement.SubpixelReach && Math.Abs(wy - bestTy) < PairJudgement.SubpixelReach)
            {
                (x, y) = (wx, wy);
            }
        }

        StripMeasurement m = coarse with
        {
            Tx = x, Ty = y, CurvatureX = curvatureX, CurvatureY = curvatureY, SubpixelX = crop.X, SubpixelY = crop.Y,
            CurvatureXY = curvatureXY,
        };
        start = RegistrationTimings.Start(timings);
        m = WithBroad(s, m, scoreNoise, best, bestTx, bestTy, plain: true);
        timings?.Add(RegistrationStage.ClimbFull, start);
        return m;
    }

    /// <summary>
    /// <paramref name="m"/> with the broad fall of the axes the judgement reads at <paramref name="scoreNoise"/>,
    /// NaN on the others (so that a σ drawn from one not measured shows): the best score <paramref name="best"/>
    /// at (tx, ty), of the scaled score or of the plain correlation.
    /// </summary>
    private static StripMeasurement WithBroad(Scratch s, StripMeasurement m, double? scoreNoise, double best, int tx, int ty, bool plain)
    {
        var (x, y) = scoreNoise is { } noise ? PairJudgement.ReadsBroad(m, noise) : (false, false);
        return m with
        {
            BroadX = x ? Broad(s, best, tx, ty, 1, 0, plain) : double.NaN,
            BroadY = y ? Broad(s, best, tx, ty, 0, 1, plain) : double.NaN,
        };
    }

    /// <summary>
    /// Normalised cross-correlation of the last aligned strips at <paramref name="count"/> shifts
    /// spread over the search window: on strips that do not overlap, the spread of these is the
    /// noise of one score.
    /// </summary>
    public void SampleScores(Span<double> into)
    {
        Scratch s = _scratch.Value!;
        for (int i = 0; i < into.Length; i++)
        {
            // A fixed low-discrepancy walk over the window (golden-ratio steps).
            double u = (i * 0.6180339887) % 1, v = (i * 0.7548776662) % 1;
            int tx = _nominalTx + (int)Math.Round(((2 * u) - 1) * _margin), ty = (int)Math.Round(((2 * v) - 1) * _margin);
            into[i] = Math.Max(Score(s, tx, ty), -1);
        }
    }

    /// <summary>
    /// Hill-climbs from (tx, ty) over the four nearest neighbours to a local maximum, in at most
    /// <paramref name="steps"/> steps (unbounded: <c>-1</c>): of the scaled score, or of the plain correlation.
    /// </summary>
    private (double Score, int Tx, int Ty) Climb(Scratch s, int tx, int ty, int steps = -1, bool plain = false)
    {
        double best = plain ? Plain(s, tx, ty) : Score(s, tx, ty);
        int limit = steps < 0 ? (4 * _margin) + 4 : steps;
        for (int step = 0; step < limit; step++)
        {
            int nextTx = tx, nextTy = ty;
            ReadOnlySpan<(int, int)> neighbours = !plain ? FourNeighbours : _refining ? Reach.AsSpan(0, 8) : Reach;
            foreach (var (dx, dy) in neighbours)
            {
                double c = plain ? Plain(s, tx + dx, ty + dy) : Score(s, tx + dx, ty + dy);
                if (c > best)
                {
                    (best, nextTx, nextTy) = (c, tx + dx, ty + dy);
                }
            }

            // At full resolution the far ring of the reach is looked at only where the near one
            // stopped the climb: on a ridge that runs askew to the grid, a shift two pixels along
            // it can beat every nearest neighbour (8×8 illustration s5, 5_7–6_7: stopped at
            // (−2, −1) from the truth, 0.963 against 0.986 there, and measured 1.6 px off). A
            // step there counts as two, so the climb goes no further than it did.
            if (nextTx == tx && nextTy == ty && plain && _refining)
            {
                foreach (var (dx, dy) in Reach.AsSpan(8))
                {
                    double c = Plain(s, tx + dx, ty + dy);
                    if (c > best)
                    {
                        (best, nextTx, nextTy) = (c, tx + dx, ty + dy);
                    }
                }

                step++;
            }

            if (nextTx == tx && nextTy == ty)
            {
                break;
            }

            (tx, ty) = (nextTx, nextTy);
        }

        return (best, tx, ty);
    }

    /// <summary>
    /// How much the score drops one pixel either side of the peak across and along, and the cross
    /// term b of the quadratic −½(a·x² + 2b·xy + c·y²) through the nearest eight scores: along
    /// (1, 1) the score falls by a + 2b + c, along (1, −1) by a − 2b + c. b is 0 where a diagonal
    /// lies outside the strips.
    /// </summary>
    private static (double X, double Y, double XY) Curvatures(Scratch s, double best, int tx, int ty, bool plain)
    {
        double At(int dx, int dy) => plain ? Plain(s, tx + dx, ty + dy) : Score(s, tx + dx, ty + dy);
        double a = (2 * best) - At(-1, 0) - At(1, 0);
        double c = (2 * best) - At(0, -1) - At(0, 1);
        double rising = At(1, 1), risingBack = At(-1, -1), falling = At(1, -1), fallingBack = At(-1, 1);
        bool inside = Math.Min(Math.Min(rising, risingBack), Math.Min(falling, fallingBack)) > -1;
        return (a, c, inside ? ((fallingBack + falling) - (rising + risingBack)) / 4 : 0);
    }

    /// <summary>
    /// How the score falls away from the best shift along one axis (unit step (ux, uy)) over wider
    /// steps than the curvature's one pixel: the largest (2·S(t) − S(t − k) − S(t + k)) / k for k
    /// of 2, 4 and 8, leaving out a k that reaches past the search window. Along a ridge the
    /// one-pixel curvature is lost in the score's noise while the score still falls over a few
    /// pixels: where the ridge's peak lies along it is known, if less well than across it.
    /// </summary>
    private static double Broad(Scratch s, double best, int tx, int ty, int ux, int uy, bool plain)
    {
        double broad = 0;
        foreach (int k in (ReadOnlySpan<int>)[2, 4, 8])
        {
            int bx = tx - (k * ux), by = ty - (k * uy), ax = tx + (k * ux), ay = ty + (k * uy);
            double before = plain ? Plain(s, bx, by) : Score(s, bx, by), after = plain ? Plain(s, ax, ay) : Score(s, ax, ay);
            if (before > -1 && after > -1)
            {
                broad = Math.Max(broad, ((2 * best) - before - after) / k);
            }
        }

        return broad;
    }

    /// <summary>The shifts (dx, dy) ≠ 0 with |dx|, |dy| ≤ radius, by distance.</summary>
    private static (int, int)[] Neighbourhood(int radius)
    {
        var shifts = new List<(int, int)>();
        for (int dy = -radius; dy <= radius; dy++)
        {
            for (int dx = -radius; dx <= radius; dx++)
            {
                if (dx != 0 || dy != 0)
                {
                    shifts.Add((dx, dy));
                }
            }
        }

        return [.. shifts.OrderBy(d => (d.Item1 * d.Item1) + (d.Item2 * d.Item2))];
    }

    /// <summary>
    /// The best score among the other local maxima found that are a separate match: at least 3 px
    /// from the best, with a dip between them (the score halfway is clearly lower than both). Points
    /// along a ridge (an edge seen through a narrow overlap) have no dip: they are one uncertain
    /// match, not several.
    /// </summary>
    private double Competitor(Scratch s, double best, int bestTx, int bestTy)
    {
        double competitor = -1;
        foreach (var (score, tx, ty) in s.Candidates)
        {
            if (Math.Max(Math.Abs(tx - bestTx), Math.Abs(ty - bestTy)) < 3 || score <= competitor || score <= 0)
            {
                continue;
            }

            double dip = double.PositiveInfinity;
            foreach (double f in (ReadOnlySpan<double>)[0.25, 0.5, 0.75])
            {
                dip = Math.Min(dip, Score(s, (int)Math.Round(bestTx + (f * (tx - bestTx))), (int)Math.Round(bestTy + (f * (ty - bestTy)))));
            }

            if (dip < score - (0.25 * Math.Min(score, best)))
            {
                competitor = score;
            }
        }

        return competitor;
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void PhaseCorrelate(Scratch s)
    {
        int nx = _fft.Width, ny = _fft.Height, w = _width;
        FftWorkspace ws = s.Fft;
        Span<float> re = ws.Re, im = ws.Im;
        int st = ws.Stride;
        ws.Values.Clear();
        int rows = Math.Min(ny, _length);
        for (int y = 0; y < rows; y++)
        {
            ReadOnlySpan<float> a = s.A.AsSpan((y + _cropStart) * w, w), b = s.B.AsSpan((y + _cropStart) * w, w);
            float wy = _windowY[y];
            int x = st == 2 && System.Runtime.Intrinsics.X86.Avx2.IsSupported ? SubpixelStep.Interleave(wy, _windowX, a, b, ws.Values.Slice(y * nx * 2, 2 * nx)) : 0;
            for (; x < w; x++)
            {
                float window = wy * _windowX[x];
                re[((y * nx) + x) * st] = window * a[x];
                im[((y * nx) + x) * st] = window * b[x];
            }
        }

        _fft.Forward(ws);

        // Z = FFT(A + iB): FA = (Z(k) + conj Z(−k)) / 2, FB = (Z(k) − conj Z(−k)) / 2i. The
        // normalised cross-power FA·conj(FB) is Hermitian, so each pair {k, −k} is done once. The
        // spectrum is `outer` lines of `inner` (which axis is which depends on the backend); −k
        // negates both indices, modulo the powers of two.
        int inner = _fft.TransposedSpectrum ? ny : nx, outer = _fft.TransposedSpectrum ? nx : ny;
        for (int ko = 0; ko < outer; ko++)
        {
            int nko = (outer - ko) & (outer - 1);
            for (int ki = 0; ki < inner; ki++)
            {
                int i = (ko * inner) + ki;
                int j = (nko * inner) + ((inner - ki) & (inner - 1));
                if (j < i)
                {
                    continue;
                }

                float zr = re[i * st], zi = im[i * st], wr = re[j * st], wi = im[j * st];
                float ar = 0.5f * (zr + wr), ai = 0.5f * (zi - wi);
                float br = 0.5f * (zi + wi), bi = -0.5f * (zr - wr);
                float cr = (ar * br) + (ai * bi), ci = (ai * br) - (ar * bi);
                float magnitude = MathF.Sqrt((cr * cr) + (ci * ci));
                if (magnitude > 1e-12f)
                {
                    cr /= magnitude;
                    ci /= magnitude;
                }
                else
                {
                    cr = ci = 0;
                }

                re[i * st] = cr;
                im[i * st] = ci;
                re[j * st] = cr;
                im[j * st] = i == j ? 0 : -ci;
            }
        }

        _fft.Inverse(ws);
    }

    /// <summary>
    /// The strongest local maximum of the correlation surface not yet taken whose shift, in some
    /// interpretation, lies in the search window, as (x, y) indices; cells outside it are never
    /// looked at. Taking it blanks the 5 × 5 cells around it.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private bool NextPeak(Scratch s, out int px, out int py)
    {
        Span<float> surface = s.Fft.Re;
        int st = s.Fft.Stride;
        int nx = _fft.Width, ny = _fft.Height;
        WindowCells(s);
        px = -1;
        py = -1;
        float max = float.NegativeInfinity;

        // The lists as spans: the same cells in the same order, without an enumerator per row.
        ReadOnlySpan<int> windowRows = CollectionsMarshal.AsSpan(s.WindowRows), windowColumns = CollectionsMarshal.AsSpan(s.WindowColumns);
        foreach (int y in windowRows)
        {
            int offset = y * nx;
            foreach (int x in windowColumns)
            {
                float value = surface[(offset + x) * st];
                if (value > max)
                {
                    (max, px, py) = (value, x, y);
                }
            }
        }

        if (px < 0)
        {
            return false;
        }

        for (int dy = -2; dy <= 2; dy++)
        {
            for (int dx = -2; dx <= 2; dx++)
            {
                surface[(((py + dy + ny) % ny * nx) + ((px + dx + nx) % nx)) * st] = float.NegativeInfinity;
            }
        }

        return true;
    }

    /// <summary>The rows and columns of the correlation surface that some shift in the search window falls on, listed once per thread.</summary>
    private void WindowCells(Scratch s)
    {
        int nx = _fft.Width, ny = _fft.Height;
        List<int> rows = s.WindowRows, columns = s.WindowColumns;
        if (rows.Count > 0)
        {
            return;
        }

        var seenRows = new HashSet<int>();
        for (int ty = -_margin - 1; ty <= _margin + 1; ty++)
        {
            if (seenRows.Add(((ty % ny) + ny) % ny))
            {
                rows.Add(((ty % ny) + ny) % ny);
            }
        }

        var seenColumns = new HashSet<int>();
        for (int tx = _nominalTx - _margin - 1; tx <= _nominalTx + _margin + 1; tx++)
        {
            if (seenColumns.Add(((tx % nx) + nx) % nx))
            {
                columns.Add(((tx % nx) + nx) % nx);
            }
        }
    }

    /// <summary>
    /// The subpixel shift from <paramref name="step"/>, with the patches cut at the whole pixel
    /// that lies nearest to what the step finds there. Cut a pixel off the match, the patches'
    /// edges hold texture that the other patch holds a pixel further in, and the peak leans back
    /// towards the cut (8×8 photograph s5, 0_0–1_0: 0.15 px off cut at the truth, 0.51 cut a pixel
    /// beside it, where the climb had stopped; integer s5, 7_1–7_2: 0.11 and 0.77). So where this
    /// step's rest or the crop's (<paramref name="crop"/>, Hann-windowed, which leans less) is over
    /// a quarter pixel, the step is measured again from the neighbouring cut it points to, and the
    /// cut with the smaller rest is taken.
    /// </summary>
    private (double X, double Y) Centred(Scratch s, SubpixelStep step, int tx, int ty, SubpixelRest crop)
    {
        SubpixelRest rest = step.Refine(s.A, s.B, _width, _length, tx, ty, _options.Timings);
        int otherTx = tx + Towards(Further(rest.X, crop.X)), otherTy = ty + Towards(Further(rest.Y, crop.Y));
        if (otherTx != tx || otherTy != ty)
        {
            SubpixelRest other = step.Refine(s.A, s.B, _width, _length, otherTx, otherTy, _options.Timings);
            if ((other.X * other.X) + (other.Y * other.Y) < (rest.X * rest.X) + (rest.Y * rest.Y))
            {
                return (otherTx + other.X, otherTy + other.Y);
            }
        }

        return (tx + rest.X, ty + rest.Y);
    }

    /// <summary>Of two rests on one axis, the one further from the whole pixel.</summary>
    private static double Further(double a, double b) => Math.Abs(a) >= Math.Abs(b) ? a : b;

    /// <summary>The neighbouring whole pixel a rest points to, where it is over a quarter pixel; else none.</summary>
    private static int Towards(double rest) => Math.Abs(rest) <= 0.25 ? 0 : Math.Sign(rest);

    private static double Score(Scratch s, int tx, int ty) => s.Scores.Score(tx, ty);

    private static double Plain(Scratch s, int tx, int ty) => s.Scores.Correlation(tx, ty);

    private sealed class Scratch
    {
        public Scratch(int width, int length, int nominalTx, int margin, IFft2D fft, IFft2D? overlapFft, bool refining)
        {
            A = new float[width * length];
            B = new float[width * length];
            Shaded = new float[width * length];
            Whitening = new StripWhitening(width, length, refining);
            Fft = fft.CreateWorkspace();
            Scores = new OverlapScores(width, length, nominalTx, margin, tables: !refining);
            Crop = new SubpixelStep(fft, Fft, 1, 1);
            Overlap = overlapFft is null ? null : new SubpixelStep(overlapFft, overlapFft.CreateWorkspace(), OverlapTaperAcross, OverlapTaperAlong);
        }

        public float[] A { get; }
        public float[] B { get; }
        public float[] Shaded { get; }
        public StripWhitening Whitening { get; }
        public FftWorkspace Fft { get; }
        public OverlapScores Scores { get; }
        public List<(double Score, int Tx, int Ty)> Candidates { get; } = [];
        public List<int> WindowRows { get; } = [];
        public List<int> WindowColumns { get; } = [];

        /// <summary>The subpixel step on the middle of the overlap that the search's transform holds, Hann-windowed; it shares the search's arrays.</summary>
        public SubpixelStep Crop { get; }

        /// <summary>The subpixel step on the whole overlap (full resolution only), under a flat-topped window.</summary>
        public SubpixelStep? Overlap { get; }
    }
}
