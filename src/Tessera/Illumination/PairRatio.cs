namespace Tessera.Illumination;

/// <summary>One pair's measurement: ln of the ratio of means, the samples it rests on and their robust spread.</summary>
internal readonly record struct PairRatio(double LogRatio, int Samples, double Spread);
