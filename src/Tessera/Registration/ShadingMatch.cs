using System.Buffers;
using System.Runtime.Intrinsics;

namespace Tessera.Registration;

/// <summary>
/// Gives the second strip of a pair the first one's shading before both are whitened for the
/// subpixel step: over their overlap at a whole-pixel shift, the plane P(u, v) that best maps B
/// onto A (least squares of A − P·B, so that bright pixels count most), applied to all of B.
/// </summary>
/// <remarks>
/// Each tile's vignetting darkens it towards its own border, so across an overlap the two tiles'
/// brightness slopes the opposite way. A band-pass of a sloped picture moves its detail by a
/// fraction of a pixel towards the brighter side, in the two tiles in opposite directions, and
/// dividing by the local brightness afterwards does not move it back (8×8 integer grid with
/// vignetting alone: −0.034 px across per pair, which adds up over a row of tiles). With the
/// same shading the same picture whitens the same in both tiles.
/// </remarks>
internal static class ShadingMatch
{
    /// <summary>A plane that scales B by more than this (or less than its inverse) anywhere is no shading: B is left as it is.</summary>
    private const double MaxRatio = 4;

    /// <summary>
    /// Writes B · P to <paramref name="target"/>, where B(u, v) = A(u + tx, v + ty) on the overlap;
    /// where the overlap is too small or the fit meaningless, B itself.
    /// </summary>
    public static void Apply(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int width, int length, int tx, int ty, Span<float> target)
    {
        int u0 = Math.Max(0, -tx), u1 = Math.Min(width, width - tx), v0 = Math.Max(0, -ty), v1 = Math.Min(length, length - ty);
        double cu = 0.5 * (width - 1), cv = 0.5 * (length - 1), su = Math.Max(1, cu), sv = Math.Max(1, cv);
        if (u1 - u0 < 4 || v1 - v0 < 4 || !Fit(a, b, width, tx, ty, (u0, u1, v0, v1), (cu, cv, su, sv), out double p0, out double pu, out double pv))
        {
            Copy(b[..(width * length)], target);
            return;
        }

        // The plane's term of each column once, not a division per pixel.
        double[] columns = ArrayPool<double>.Shared.Rent(width);
        for (int u = 0; u < width; u++)
        {
            columns[u] = pu * (u - cu) / su;
        }

        int vector = Vector256<double>.Count;
        for (int v = 0; v < length; v++)
        {
            double rowValue = p0 + (pv * (v - cv) / sv);
            int row = v * width, u = 0;

            // Four at a time, in double as below: the same products, rounded to float the same.
            var rowVector = Vector256.Create(rowValue);
            for (; Vector256.IsHardwareAccelerated && u + vector <= width; u += vector)
            {
                Vector256<double> pixels = Vector256.Create((double)b[row + u], b[row + u + 1], b[row + u + 2], b[row + u + 3]);
                Vector128<float> scaled = Vector256.Narrow((rowVector + Vector256.Create(columns.AsSpan(u, vector))) * pixels, Vector256<double>.Zero).GetLower();
                scaled.CopyTo(target.Slice(row + u, vector));
            }

            for (; u < width; u++)
            {
                target[row + u] = (float)((rowValue + columns[u]) * b[row + u]);
            }
        }

        ArrayPool<double>.Shared.Return(columns);
    }

    /// <summary>The normal equations of A ≈ (p0 + pu·x + pv·y)·B over the overlap (x, y centred and scaled to ±1), solved; false where the plane is no plausible shading.</summary>
    private static bool Fit(ReadOnlySpan<byte> a, ReadOnlySpan<byte> b, int width, int tx, int ty, (int U0, int U1, int V0, int V1) overlap,
        (double Cu, double Cv, double Su, double Sv) frame, out double p0, out double pu, out double pv)
    {
        // Σ B²·φφᵀ and Σ A·B·φ for φ = (1, x, y); per row in single sums, added up in double.
        double m00 = 0, m01 = 0, m02 = 0, m11 = 0, m12 = 0, m22 = 0, r0 = 0, r1 = 0, r2 = 0;

        // Each column's x once, not a division per pixel (the same quotient either way).
        double[] xs = ArrayPool<double>.Shared.Rent(width);
        for (int u = overlap.U0; u < overlap.U1; u++)
        {
            xs[u] = (u - frame.Cu) / frame.Su;
        }

        for (int v = overlap.V0; v < overlap.V1; v++)
        {
            double y = (v - frame.Cv) / frame.Sv;
            double s0 = 0, s1 = 0, s2 = 0, q0 = 0, q1 = 0;
            for (int u = overlap.U0; u < overlap.U1; u++)
            {
                double bb = b[(v * width) + u], ab = a[((v + ty) * width) + u + tx] * bb, x = xs[u];
                bb *= bb;
                s0 += bb;
                s1 += bb * x;
                s2 += bb * x * x;
                q0 += ab;
                q1 += ab * x;
            }

            m00 += s0;
            m01 += s1;
            m11 += s2;
            m02 += s0 * y;
            m12 += s1 * y;
            m22 += s0 * y * y;
            r0 += q0;
            r1 += q1;
            r2 += q0 * y;
        }

        ArrayPool<double>.Shared.Return(xs);

        // Cramer's rule on the symmetric 3 × 3 system.
        double det = (m00 * ((m11 * m22) - (m12 * m12))) - (m01 * ((m01 * m22) - (m12 * m02))) + (m02 * ((m01 * m12) - (m11 * m02)));
        p0 = pu = pv = 0;
        if (!(Math.Abs(det) > 1e-12 * m00 * m11 * m22) || m00 <= 0)
        {
            return false;
        }

        p0 = ((r0 * ((m11 * m22) - (m12 * m12))) - (m01 * ((r1 * m22) - (m12 * r2))) + (m02 * ((r1 * m12) - (m11 * r2)))) / det;
        pu = ((m00 * ((r1 * m22) - (m12 * r2))) - (r0 * ((m01 * m22) - (m12 * m02))) + (m02 * ((m01 * r2) - (r1 * m02)))) / det;
        pv = ((m00 * ((m11 * r2) - (r1 * m12))) - (m01 * ((m01 * r2) - (r1 * m02))) + (r0 * ((m01 * m12) - (m11 * m02)))) / det;

        // The plane's values at the strip's corners (x, y = ±1) must all be a plausible gain.
        foreach (double corner in (ReadOnlySpan<double>)[p0 - pu - pv, p0 + pu - pv, p0 - pu + pv, p0 + pu + pv])
        {
            if (!(corner > 1 / MaxRatio && corner < MaxRatio))
            {
                return false;
            }
        }

        return true;
    }

    private static void Copy(ReadOnlySpan<byte> source, Span<float> target)
    {
        for (int i = 0; i < source.Length; i++)
        {
            target[i] = source[i];
        }
    }
}
