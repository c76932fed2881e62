namespace Tessera.Registration;

/// <summary>
/// One neighbour pair as the report lists it: the two tiles, the direction, the measured offset
/// from the first to the second (full-resolution px), its standard uncertainty per axis (infinite
/// where that axis was not measured), the score of the match and what became of it.
/// </summary>
public readonly record struct PairRecord(string First, string Second, PairDirection Direction, double Dx, double Dy,
    double SigmaX, double SigmaY, double Score, PairOutcome Outcome);
