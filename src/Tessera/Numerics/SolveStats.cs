namespace Tessera.Numerics;

/// <summary>How an iterative solve ended.</summary>
/// <param name="Iterations">Conjugate-gradient iterations run.</param>
/// <param name="RelativeResidual">|b − A x| / |b| at the end (0 when there was nothing to solve).</param>
internal readonly record struct SolveStats(int Iterations, double RelativeResidual);
