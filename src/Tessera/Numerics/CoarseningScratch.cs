namespace Tessera.Numerics;

/// <summary>The work arrays of <see cref="LaplacianMatrix.CoarsenInto"/>, kept by the multigrid for every level and every rebuild.</summary>
internal sealed class CoarseningScratch
{
    /// <summary>Where each aggregate's members start in <see cref="Order"/>.</summary>
    public int[] Members = [];

    /// <summary>The unknowns, aggregate by aggregate.</summary>
    public int[] Order = [];

    /// <summary>Next free place of each aggregate in <see cref="Order"/>.</summary>
    public int[] Fill = [];

    /// <summary>Where the coarse row being gathered has its entry for each aggregate.</summary>
    public int[] Slot = [];
}
