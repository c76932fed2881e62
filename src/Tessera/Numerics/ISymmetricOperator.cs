namespace Tessera.Numerics;

/// <summary>A symmetric positive definite matrix, known only by what it does to a vector.</summary>
internal interface ISymmetricOperator
{
    int Size { get; }

    /// <summary>result = A · v.</summary>
    void Multiply(ReadOnlySpan<double> v, Span<double> result);
}
