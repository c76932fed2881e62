namespace Tessera.Illumination;

/// <summary>
/// Gains to measure during a registration, from the same strips it correlates (one decode per
/// tile): each pair's brightness ratio over its overlap, after <see cref="FlatField"/> is divided out.
/// </summary>
public sealed record GainSampling(FlatField? FlatField, GainBalanceOptions Options);
