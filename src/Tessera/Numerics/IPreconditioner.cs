namespace Tessera.Numerics;

/// <summary>z ≈ A⁻¹ r, symmetric and positive definite, so that conjugate gradients may use it.</summary>
internal interface IPreconditioner
{
    void Apply(ReadOnlySpan<double> r, Span<double> z);
}
