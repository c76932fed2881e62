namespace Tessera.Registration;

/// <summary>
/// What strips that do not overlap score on this tile set, in one direction: the bar a real match
/// must clear, and the noise of one score.
/// </summary>
/// <param name="Threshold">A pair whose best score is not above this is not significant.</param>
/// <param name="Noise">Standard deviation of the score at an arbitrary shift of unrelated strips (about 1/√(independent pixels)).</param>
/// <param name="Pairs">Non-overlapping pairs the figures rest on; 0 where the grid has none, and the fixed fallback stands.</param>
public sealed record NullModel(double Threshold, double Noise, int Pairs);
