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
        Full = scale > 1 ? new StripGeometry(fullWidth, fullHeight, overlapX, overlapY, 1, searchMargin) : null;
    }

    /// <summary>The same strips at full resolution, where the shift found at the decode scale is refined; null at scale 1.</summary>
    public StripGeometry? Full { get; }

    public int Scale { get; }
    public int Width { get; }
    public int Height { get; }
    public int Margin { get; }

    /// <summary>Width of the east and west strips; the north and south ones are this high.</summary>
    public int StripX { get; }
    public int StripY { get; }
    public int NominalTx { get; }
    public int NominalTy { get; }

    /// <summary>Offset from a tile to its east neighbour, full resolution, from the shift of east strip to west strip.</summary>
    public (double Dx, double Dy) WestOffset(double tx, double ty) => (Scale * (tx + Width - StripX), Scale * ty);

    /// <summary>Offset from a tile to its south neighbour; the strips are transposed, so the shift's x runs down the image.</summary>
    public (double Dx, double Dy) NorthOffset(double tx, double ty) => (Scale * ty, Scale * (tx + Height - StripY));

    /// <summary>The whole-pixel shift of this geometry's strips nearest to a full-resolution offset (the inverse of the two above).</summary>
    public (int Tx, int Ty) Shift(PairDirection direction, double dx, double dy) => direction == PairDirection.West
        ? ((int)Math.Round((dx / Scale) - Width + StripX), (int)Math.Round(dy / Scale))
        : ((int)Math.Round((dy / Scale) - Height + StripY), (int)Math.Round(dx / Scale));
}
