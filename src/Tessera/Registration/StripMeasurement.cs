namespace Tessera.Registration;

/// <summary>
/// What <see cref="PairAligner"/> found for two strips, in strip coordinates (decoded pixels), before
/// the tile set's null distribution says how much it is worth.
/// </summary>
/// <param name="Blank">One strip has no texture at all; nothing else is set.</param>
/// <param name="Tx">Shift along the strip's width (subpixel): B(u, v) = A(u + Tx, v + Ty).</param>
/// <param name="Ty">Shift along its length.</param>
/// <param name="Score">Normalised cross-correlation of the whitened strips at the best whole-pixel shift.</param>
/// <param name="CurvatureX">How much the score drops one pixel either side across (2·S(t) − S(t−1) − S(t+1)).</param>
/// <param name="CurvatureY">The same along.</param>
/// <param name="Competitor">The best score of a distinct match (a separate peak, with a dip between it and the best); −1 when there is none.</param>
/// <param name="AtWindowEdge">The best shift lies on the search window's edge: the window, not the images, stopped the score rising.</param>
/// <param name="SubpixelX">How far across the subpixel peak lies from the whole-pixel maximum of the correlation it refines (decoded px).</param>
/// <param name="SubpixelY">The same along.</param>
/// <param name="BroadX">How the score falls across over wider steps than <paramref name="CurvatureX"/>'s one pixel: the largest (2·S(t) − S(t−k) − S(t+k)) / k for k of 2, 4 and 8; NaN where it was not measured, as the judgement does not read it (<see cref="PairJudgement.ReadsBroad"/>).</param>
/// <param name="BroadY">The same along.</param>
/// <param name="CurvatureXY">The peak's cross term: a quarter of how much more the score drops along (1, 1) than along (1, −1), one pixel either side; 0 where the peak runs with the axes.</param>
internal readonly record struct StripMeasurement(bool Blank, double Tx, double Ty, double Score, double CurvatureX, double CurvatureY, double Competitor,
    bool AtWindowEdge = false, double SubpixelX = 0, double SubpixelY = 0, double BroadX = double.NaN, double BroadY = double.NaN,
    double CurvatureXY = 0)
{
    public static StripMeasurement BlankStrip(int nominalTx) => new(true, nominalTx, 0, 0, 0, 0, -1);
}
