using System.Globalization;

namespace Tessera.Bench;

/// <summary>Parameters of a generated tile set; tile (x, y) starts at global pixel (x * StepX, y * StepY).</summary>
internal sealed record SlideSpec(
    int Across, int Down, int Width, int Height, int OverlapX, int OverlapY, int Quality, int Seed)
{
    /// <summary>Bump when the generated content changes, so old data sets are regenerated.</summary>
    private const int ContentVersion = 1;

    public int StepX => Width - OverlapX;

    public int StepY => Height - OverlapY;

    public int TileCount => Across * Down;

    /// <summary>The text of the completion marker; equal text means the data set can be reused.</summary>
    public string MarkerText => string.Create(
        CultureInfo.InvariantCulture,
        $"tessera-bench slide v{ContentVersion} across={Across} down={Down} width={Width} height={Height} " +
        $"overlap-x={OverlapX} overlap-y={OverlapY} quality={Quality} seed={Seed}\n");
}
