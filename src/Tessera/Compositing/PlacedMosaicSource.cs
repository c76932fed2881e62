using System.Numerics;
using System.Runtime.CompilerServices;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Layout;

namespace Tessera.Compositing;

/// <summary>
/// The stitched plane of a <see cref="PlacedMosaic"/>, rendered on demand from the tile files and
/// blended as <see cref="BlendMode"/> says. Uncovered pixels get the background.
/// </summary>
/// <remarks>
/// A render walks its rectangle in bands of rows over which the same tiles are present, holding
/// only those tiles; along each row it finds runs of pixels over which the answer (the winning
/// tile, or the set of tiles to blend) stays the same, and copies or blends each run at once. The
/// run boundaries depend on the rectangle asked for, the pixel values do not: winners come from
/// exact integer comparisons, and blended pixels from the same float operations in the same order
/// (no fused multiply-add) wherever the pixel falls in a run.
/// </remarks>
public sealed class PlacedMosaicSource : TiledSource
{
    private readonly PlacedMosaic _mosaic;
    private readonly BlendMode _mode;
    private readonly Action<int, string, PixelBuffer> _validate;

    /// <param name="cacheBudgetBytes">The most decoded tile memory to keep for later renders.</param>
    /// <param name="correction">Applied to each tile once, as it is decoded (flat-field, say); null for none.</param>
    public PlacedMosaicSource(PlacedMosaic mosaic, BlendMode mode, PixelFormat format, ITileCodec codec, Rgb background,
        long cacheBudgetBytes, PixelMemoryPool? pool = null, ITileCorrection? correction = null)
        : base(format, codec, background, cacheBudgetBytes, pool, correction)
    {
        _mosaic = mosaic;
        _mode = mode;
        _validate = ValidateTile;
    }

    public override int Width => _mosaic.Width;
    public override int Height => _mosaic.Height;

    public override void Plan(IReadOnlyList<PixelRect> renders, int lookahead, IReadOnlyList<int>? bands = null) =>
        Cache.SetPlan(_mosaic.Count, renders, _mosaic.TilesMeeting, lookahead, bands);

    public override void Render(PixelBuffer target)
    {
        PixelRect bounds = target.Bounds;
        var meeting = new List<int>();
        _mosaic.TilesMeeting(bounds, meeting);

        // Tiles enter in order of their first row here (then id), and leave after their last.
        var byTop = new Placed[meeting.Count];
        for (int i = 0; i < meeting.Count; i++)
        {
            byTop[i] = new Placed(meeting[i], _mosaic.RectOf(meeting[i]), bounds);
        }

        Array.Sort(byTop, static (a, b) => a.Top != b.Top ? a.Top.CompareTo(b.Top) : a.Id.CompareTo(b.Id));
        var leases = new Dictionary<int, DecodedTileCache.Lease>(byTop.Length);
        var active = new List<Placed>(byTop.Length);
        var runner = new RowRunner(this, target);
        try
        {
            int next = 0;
            int y = bounds.Y;
            while (y < bounds.Bottom)
            {
                active.RemoveAll(p => p.Bottom <= y);
                while (next < byTop.Length && byTop[next].Top <= y)
                {
                    Placed placed = byTop[next++];
                    DecodedTileCache.Lease lease = Cache.Acquire(placed.Id, _mosaic.PathOf(placed.Id), _validate);
                    leases[placed.Id] = lease;
                    placed.Pixels = lease.Pixels;
                    InsertById(active, placed);
                }

                // The band ends where a tile leaves or the next one enters.
                int bandEnd = bounds.Bottom;
                foreach (Placed p in active)
                {
                    bandEnd = Math.Min(bandEnd, p.Bottom);
                }

                if (next < byTop.Length)
                {
                    bandEnd = Math.Min(bandEnd, byTop[next].Top);
                }

                runner.SetTiles(active);
                for (; y < bandEnd; y++)
                {
                    runner.Row(y);
                }

                foreach (Placed p in active)
                {
                    if (p.Bottom <= bandEnd && leases.Remove(p.Id, out DecodedTileCache.Lease lease))
                    {
                        lease.Dispose();
                    }
                }
            }
        }
        finally
        {
            foreach (DecodedTileCache.Lease lease in leases.Values)
            {
                lease.Dispose();
            }
        }
    }

    private static void InsertById(List<Placed> active, Placed placed)
    {
        int at = active.Count;
        while (at > 0 && active[at - 1].Id > placed.Id)
        {
            at--;
        }

        active.Insert(at, placed);
    }

    private void ValidateTile(int id, string path, PixelBuffer pixels)
    {
        PixelRect expected = _mosaic.RectOf(id);
        if (pixels.Width != expected.Width || pixels.Height != expected.Height)
        {
            throw new TileReadException(path,
                $"it is {pixels.Width}×{pixels.Height} px but was placed as {expected.Width}×{expected.Height} px");
        }
    }

    /// <summary>A tile present in a render, its rows and columns clipped to the render.</summary>
    private sealed class Placed(int id, PixelRect rect, PixelRect bounds)
    {
        public int Id { get; } = id;
        public PixelRect Rect { get; } = rect;
        public int Top { get; } = Math.Max(rect.Y, bounds.Y);
        public int Bottom { get; } = Math.Min(rect.Bottom, bounds.Bottom);
        public int Left { get; } = Math.Max(rect.X, bounds.X);
        public int Right { get; } = Math.Min(rect.Right, bounds.Right);

        /// <summary>Twice the centre, so centres of odd-sized tiles stay whole numbers.</summary>
        public long CentreX2 { get; } = (2L * rect.X) + rect.Width;
        public long CentreY2 { get; } = (2L * rect.Y) + rect.Height;

        public PixelBuffer Pixels { get; set; } = null!;
    }

    /// <summary>Fills the rows of one render, run by run.</summary>
    private sealed class RowRunner(PlacedMosaicSource source, PixelBuffer target)
    {
        private readonly int _bpp = target.BytesPerPixel;
        private readonly int _samples = target.Format.SamplesPerPixel();
        private readonly bool _wide = target.Format.IsSixteenBit();
        private readonly int[] _covering = new int[64];
        private Placed[] _tiles = [];
        private long[] _rowDistance = [];
        private float[] _weightSums = [];
        private float[] _raw = [];
        private float[] _accumulator = [];

        public void SetTiles(List<Placed> tiles)
        {
            _tiles = tiles.ToArray();
            _rowDistance = new long[_tiles.Length];
        }

        public void Row(int y)
        {
            PixelRect bounds = target.Bounds;
            long y2 = (2L * y) + 1;
            for (int i = 0; i < _tiles.Length; i++)
            {
                long dy = y2 - _tiles[i].CentreY2;
                _rowDistance[i] = dy * dy;
            }

            int x = bounds.X;
            while (x < bounds.Right)
            {
                // The tiles covering x (ascending id), and where that set next changes.
                int count = 0, end = bounds.Right;
                for (int i = 0; i < _tiles.Length; i++)
                {
                    Placed t = _tiles[i];
                    if (t.Left <= x && x < t.Right)
                    {
                        if (count == _covering.Length)
                        {
                            throw new LayoutException($"More than {_covering.Length} tiles cover pixel ({x}, {y}); that is not a mosaic.");
                        }

                        _covering[count++] = i;
                        end = Math.Min(end, t.Right);
                    }
                    else if (t.Left > x)
                    {
                        end = Math.Min(end, t.Left);
                    }
                }

                if (count == 0)
                {
                    source.Background.Fill(target.RowAt(x, y, end - x), source.Format);
                }
                else if (count == 1)
                {
                    Copy(_covering[0], x, end, y);
                }
                else
                {
                    switch (source._mode)
                    {
                        case BlendMode.Overlay:
                            Copy(_covering[count - 1], x, end, y);
                            break;
                        case BlendMode.Seam:
                            end = SeamRun(count, x, end, y);
                            break;
                        default:
                            Blend(count, x, end, y);
                            break;
                    }
                }

                x = end;
            }
        }

        private long Distance(int i, int x)
        {
            long dx = (2L * x) + 1 - _tiles[i].CentreX2;
            return (dx * dx) + _rowDistance[i];
        }

        /// <summary>Copies from the nearest-centre tile at x for as long as it stays nearest; returns where it stops.</summary>
        private int SeamRun(int count, int x, int end, int y)
        {
            int winner = _covering[0];
            long best = Distance(winner, x);
            for (int k = 1; k < count; k++)
            {
                long d = Distance(_covering[k], x);
                if (d <= best)
                {
                    best = d;
                    winner = _covering[k];
                }
            }

            for (int k = 0; k < count; k++)
            {
                int other = _covering[k];
                if (other != winner && _tiles[other].CentreX2 > _tiles[winner].CentreX2)
                {
                    // Only a tile centred further right can overtake the winner as x grows.
                    end = Math.Min(end, FirstWin(other, winner, x, end));
                }
            }

            Copy(winner, x, end, y);
            return end;
        }

        private bool Beats(int other, int winner, int x)
        {
            long d = Distance(other, x), w = Distance(winner, x);
            return d < w || (d == w && _tiles[other].Id > _tiles[winner].Id);
        }

        /// <summary>The first pixel in (x, end) where <paramref name="other"/> beats <paramref name="winner"/>, or end.</summary>
        private int FirstWin(int other, int winner, int x, int end)
        {
            // D_w - D_o = k (2s - A_w - A_o) + (E_w - E_o) with s = 2x + 1 and k = A_o - A_w > 0: rising in x.
            long aw = _tiles[winner].CentreX2, ao = _tiles[other].CentreX2;
            double k = ao - aw;
            double s = ((aw + ao) - ((_rowDistance[winner] - _rowDistance[other]) / k)) / 2;
            double estimate = Math.Floor((s - 1) / 2);
            int candidate = (int)Math.Clamp(estimate, x + 1, end);
            while (candidate > x + 1 && Beats(other, winner, candidate - 1))
            {
                candidate--;
            }

            while (candidate < end && !Beats(other, winner, candidate))
            {
                candidate++;
            }

            return candidate;
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private void Copy(int tile, int x, int end, int y)
        {
            Placed t = _tiles[tile];
            PixelBuffer pixels = t.Pixels;
            int bytes = (end - x) * _bpp;
            pixels.Data.AsSpan(pixels.OffsetOf(x - t.Rect.X, y - t.Rect.Y), bytes).CopyTo(target.RowAt(x, y, end - x));
        }

        /// <summary>Weighted mean of the covering tiles over [x, end), weights falling off towards each tile's edges.</summary>
        /// <remarks>
        /// Every pixel gets the same float operations in the same order, whichever path and lane
        /// computes it: w_k = wx_k · wy_k; s = Σ w_k (in tile order); n_k = w_k · (1 / s);
        /// a = Σ n_k · p_k (in tile order); out = (byte)min(a + 0.5, 255), or (ushort)min(a + 0.5, 65535)
        /// for 16-bit samples.
        /// </remarks>
        private void Blend(int count, int x, int end, int y)
        {
            int length = end - x, channels = length * _samples;
            EnsureScratch(length, channels, count);
            Span<float> sums = _weightSums.AsSpan(0, length);
            Span<float> accumulator = _accumulator.AsSpan(0, channels);
            sums.Clear();
            accumulator.Clear();
            for (int k = 0; k < count; k++)
            {
                Placed t = _tiles[_covering[k]];
                float wy = EdgeDistance(y, t.Rect.Y, t.Rect.Bottom);
                Span<float> raw = _raw.AsSpan(k * length, length);
                int left = x - t.Rect.X + 1, right = t.Rect.Right - x;
                for (int i = 0; i < length; i++)
                {
                    float w = Math.Min(left + i, right - i) * wy;
                    raw[i] = w;
                    sums[i] += w;
                }
            }

            for (int i = 0; i < length; i++)
            {
                sums[i] = 1f / sums[i];
            }

            for (int k = 0; k < count; k++)
            {
                Placed t = _tiles[_covering[k]];
                Span<float> weights = _raw.AsSpan(k * length, length);
                for (int i = 0; i < length; i++)
                {
                    weights[i] *= sums[i];
                }

                PixelBuffer pixels = t.Pixels;
                ReadOnlySpan<byte> source = pixels.Data.AsSpan(pixels.OffsetOf(x - t.Rect.X, y - t.Rect.Y), length * _bpp);
                if (_wide)
                {
                    Accumulate(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(source), weights, accumulator, _samples);
                }
                else if (_bpp == 4 && System.Runtime.Intrinsics.X86.Avx2.IsSupported)
                {
                    AccumulateRgbx(source, weights, accumulator);
                }
                else
                {
                    Accumulate(source, weights, accumulator, _bpp);
                }
            }

            if (_wide)
            {
                Round(accumulator, System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(target.RowAt(x, y, length)));
            }
            else
            {
                Round(accumulator, target.RowAt(x, y, length));
            }
        }

        /// <summary>accumulator[c] += weights[c / 4] × pixels[c], 8 pixels at a time (AVX2).</summary>
        private static unsafe void AccumulateRgbx(ReadOnlySpan<byte> pixels, ReadOnlySpan<float> weights, Span<float> accumulator)
        {
            int length = weights.Length, i = 0;
            fixed (byte* p = pixels)
            fixed (float* w = weights, a = accumulator)
            {
                var spread0 = System.Runtime.Intrinsics.Vector256.Create(0, 0, 0, 0, 1, 1, 1, 1);
                var spread1 = System.Runtime.Intrinsics.Vector256.Create(2, 2, 2, 2, 3, 3, 3, 3);
                var spread2 = System.Runtime.Intrinsics.Vector256.Create(4, 4, 4, 4, 5, 5, 5, 5);
                var spread3 = System.Runtime.Intrinsics.Vector256.Create(6, 6, 6, 6, 7, 7, 7, 7);
                for (; i <= length - 8; i += 8)
                {
                    var eight = System.Runtime.Intrinsics.X86.Avx.LoadVector256(w + i);
                    Step(p + (i * 4), a + (i * 4), System.Runtime.Intrinsics.X86.Avx2.PermuteVar8x32(eight, spread0));
                    Step(p + (i * 4) + 8, a + (i * 4) + 8, System.Runtime.Intrinsics.X86.Avx2.PermuteVar8x32(eight, spread1));
                    Step(p + (i * 4) + 16, a + (i * 4) + 16, System.Runtime.Intrinsics.X86.Avx2.PermuteVar8x32(eight, spread2));
                    Step(p + (i * 4) + 24, a + (i * 4) + 24, System.Runtime.Intrinsics.X86.Avx2.PermuteVar8x32(eight, spread3));
                }
            }

            for (; i < length; i++)
            {
                for (int c = 0; c < 4; c++)
                {
                    accumulator[(i * 4) + c] += weights[i] * pixels[(i * 4) + c];
                }
            }

            static void Step(byte* source, float* sum, System.Runtime.Intrinsics.Vector256<float> weight)
            {
                var values = System.Runtime.Intrinsics.X86.Avx.ConvertToVector256Single(System.Runtime.Intrinsics.X86.Avx2.ConvertToVector256Int32(source));
                var product = System.Runtime.Intrinsics.X86.Avx.Multiply(weight, values);
                System.Runtime.Intrinsics.X86.Avx.Store(sum, System.Runtime.Intrinsics.X86.Avx.Add(System.Runtime.Intrinsics.X86.Avx.LoadVector256(sum), product));
            }
        }

        /// <summary>accumulator[c] += weights[c / samples] × pixels[c]: the portable path, for 8- and 16-bit samples.</summary>
        private static void Accumulate<T>(ReadOnlySpan<T> pixels, ReadOnlySpan<float> weights, Span<float> accumulator, int samples)
            where T : unmanaged, INumberBase<T>
        {
            for (int i = 0; i < pixels.Length; i++)
            {
                accumulator[i] += weights[i / samples] * float.CreateTruncating(pixels[i]);
            }
        }

        /// <summary>output = min(255, accumulator + 0.5), truncated (vectorised; same result as the scalar loop).</summary>
        private static void Round(ReadOnlySpan<float> accumulator, Span<byte> output)
        {
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                int width = Vector<byte>.Count, quarter = Vector<float>.Count;
                var half = new Vector<float>(0.5f);
                var top = new Vector<float>(255f);
                for (; i <= output.Length - width; i += width)
                {
                    Vector<uint> a = ToUInt(accumulator.Slice(i), half, top);
                    Vector<uint> b = ToUInt(accumulator.Slice(i + quarter), half, top);
                    Vector<uint> c = ToUInt(accumulator.Slice(i + (2 * quarter)), half, top);
                    Vector<uint> d = ToUInt(accumulator.Slice(i + (3 * quarter)), half, top);
                    Vector.Narrow(Vector.Narrow(a, b), Vector.Narrow(c, d)).CopyTo(output.Slice(i));
                }
            }

            for (; i < output.Length; i++)
            {
                float v = Math.Min(accumulator[i] + 0.5f, 255f);
                output[i] = (byte)v;
            }
        }

        /// <summary>output = min(65535, accumulator + 0.5), truncated: the 16-bit form of the rounding above.</summary>
        private static void Round(ReadOnlySpan<float> accumulator, Span<ushort> output)
        {
            int i = 0;
            if (Vector.IsHardwareAccelerated)
            {
                int width = Vector<ushort>.Count, half = Vector<float>.Count;
                var point5 = new Vector<float>(0.5f);
                var top = new Vector<float>(ushort.MaxValue);
                for (; i <= output.Length - width; i += width)
                {
                    Vector<uint> a = ToUInt(accumulator.Slice(i), point5, top);
                    Vector<uint> b = ToUInt(accumulator.Slice(i + half), point5, top);
                    Vector.Narrow(a, b).CopyTo(output.Slice(i));
                }
            }

            for (; i < output.Length; i++)
            {
                float v = Math.Min(accumulator[i] + 0.5f, ushort.MaxValue);
                output[i] = (ushort)v;
            }
        }

        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static Vector<uint> ToUInt(ReadOnlySpan<float> values, Vector<float> half, Vector<float> top) =>
            Vector.AsVectorUInt32(Vector.ConvertToInt32(Vector.Min(new Vector<float>(values) + half, top)));

        /// <summary>1 at a tile's outermost pixels, rising by 1 per pixel towards its middle.</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static float EdgeDistance(int position, int start, int end) => Math.Min(position - start + 1, end - position);

        private void EnsureScratch(int length, int channels, int count)
        {
            if (_weightSums.Length < length)
            {
                _weightSums = new float[Math.Max(length, 256)];
            }

            if (_raw.Length < length * count)
            {
                _raw = new float[Math.Max(length * count, 1024)];
            }

            if (_accumulator.Length < channels)
            {
                _accumulator = new float[Math.Max(channels, 1024)];
            }
        }
    }
}

/// <summary>A change made to every input tile as it is decoded, before it is placed (flat-field correction, say).</summary>
public interface ITileCorrection
{
    /// <summary>A short description recorded with the job, so shards check they all correct the same way.</summary>
    string Describe();

    /// <summary>Corrects <paramref name="tile"/> in place.</summary>
    void Apply(PixelBuffer tile);

    /// <summary>Corrects tile <paramref name="id"/> in place, for corrections that differ per tile (gains).</summary>
    void Apply(PixelBuffer tile, int id) => Apply(tile);
}
