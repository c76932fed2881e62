namespace Tessera.Numerics;

/// <summary>One edge of a weighted graph Laplacian: Weight · (x[First] − x[Second])² in the energy.</summary>
internal readonly record struct LaplacianLink(int First, int Second, double Weight);
