namespace Tessera.Imaging;

/// <summary>An axis-aligned rectangle of whole pixels, half-open: [X, X+Width) × [Y, Y+Height).</summary>
public readonly record struct PixelRect(int X, int Y, int Width, int Height)
{
    public int Right => X + Width;
    public int Bottom => Y + Height;
    public bool IsEmpty => Width <= 0 || Height <= 0;
    public long Area => IsEmpty ? 0 : (long)Width * Height;

    public static PixelRect FromEdges(int left, int top, int right, int bottom) =>
        new(left, top, Math.Max(0, right - left), Math.Max(0, bottom - top));

    public PixelRect Intersect(PixelRect other) => FromEdges(
        Math.Max(X, other.X), Math.Max(Y, other.Y),
        Math.Min(Right, other.Right), Math.Min(Bottom, other.Bottom));

    public bool IntersectsWith(PixelRect other) => !Intersect(other).IsEmpty;

    public bool Contains(PixelRect inner) =>
        inner.X >= X && inner.Y >= Y && inner.Right <= Right && inner.Bottom <= Bottom;

    public PixelRect Inflate(int margin) => FromEdges(X - margin, Y - margin, Right + margin, Bottom + margin);

    public override string ToString() => $"{Width}×{Height} at ({X}, {Y})";
}
