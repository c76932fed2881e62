namespace Tessera.Registration;

/// <summary>Sizes of the strips at the decode scale, and the conversion of strip shifts into full-resolution tile offsets.</summary>
internal sealed class StripGeometry
{
    public StripGeometry(int fullWidth, int fullHeight, int overlapX, int overlapY, int scale, int searchMargin)
    {
        Scale = scale;
        Width = (fullWidth + scale - 1) / scale;
        Height = (fullHeight + scale - 1) / scale;
        Margin = Math.Max(1, (searchMargin + scale - 1) / scale);
        int ox = overlapX / scale, oy = overlapY / scale;
        StripX = Math.Min(Width, ox + Margin);
        StripY = Math.Min(Height, oy + Margin);
        NominalTx = StripX - ox;
        NominalTy = StripY - oy;
        (StartX, LengthX) = (0, Height);
        (StartY, LengthY) = (0, Width);
        if (scale > 1)
        {
            Full = new StripGeometry(fullWidth, fullHeight, overlapX, overlapY, 1, searchMargin);
            (Full.StartX, Full.LengthX) = Full.Middle(Full.Height, Full.StripX);
            (Full.StartY, Full.LengthY) = Full.Middle(Full.Width, Full.StripY);
        }
    }

    /// <summary>The same strips at full resolution, where the shift found at the decode scale is refined; null at scale 1.</summary>
    public StripGeometry? Full { get; }

    public int Scale { get; }
    public int Width { get; }
    public int Height { get; }
    public int Margin { get; }

    /// <summary>
    /// The first row of the tile in the east and west strips, and how many rows they hold: all at
    /// the decode scale, the middle ones at full resolution (<see cref="Middle"/>).
    /// </summary>
    public int StartX { get; private set; }
    public int LengthX { get; private set; }

    /// <summary>The first column of the tile in the north and south strips, and how many they hold.</summary>
    public int StartY { get; private set; }
    public int LengthY { get; private set; }

    /// <summary>Width of the east and west strips; the north and south ones are this high.</summary>
    public int StripX { get; }
    public int StripY { get; }
    public int NominalTx { get; }
    public int NominalTy { get; }

    /// <summary>Offset from a tile to its east neighbour, full resolution, from the shift of east strip to west strip.</summary>
    public (double Dx, double Dy) WestOffset(double tx, double ty) => (Scale * (tx + Width - StripX), Scale * ty);

    /// <summary>Offset from a tile to its south neighbour; the strips are transposed, so the shift's x runs down the image.</summary>
    public (double Dx, double Dy) NorthOffset(double tx, double ty) => (Scale * ty, Scale * (tx + Height - StripY));

    /// <summary>
    /// The middle part of a full-resolution strip that refining a shift reads: twice the strip's
    /// FFT width along it (what the search's transform holds, <see cref="PairAligner"/>), which may
    /// lie up to the search margin off the middle; the whole-overlap subpixel step reads all of it. Both tiles' strips start at the same row of their
    /// tile, so a shift between them is the same as between the whole strips.
    /// </summary>
    private (int Start, int Length) Middle(int length, int stripWidth)
    {
        int used = Math.Min(length, (2 * Fft2D.CeilingPowerOfTwo(stripWidth)) + (2 * Margin));
        return ((length - used) / 2, used);
    }

    /// <summary>The whole-pixel shift of this geometry's strips nearest to a full-resolution offset (the inverse of the two above).</summary>
    public (int Tx, int Ty) Shift(PairDirection direction, double dx, double dy) => direction == PairDirection.West
        ? ((int)Math.Round((dx / Scale) - Width + StripX), (int)Math.Round(dy / Scale))
        : ((int)Math.Round((dy / Scale) - Height + StripY), (int)Math.Round(dx / Scale));
}
