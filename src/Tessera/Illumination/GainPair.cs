namespace Tessera.Illumination;

/// <summary>Which two tiles a pair joins, and how they lie: <see cref="Direction"/> 0 side by side, 1 one above the other; <see cref="Sign"/> +1 where the first is the left (upper) one.</summary>
internal readonly record struct GainPair(int First, int Second, int Direction, int Sign);
