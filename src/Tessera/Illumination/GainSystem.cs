using Tessera.Numerics;

namespace Tessera.Illumination;

/// <summary>
/// The normal equations of the log-gain least squares (<see cref="GainSolver"/>): the links' graph
/// Laplacian plus the pull on the tiles' block, bordered by the shared offsets of the link directions.
/// </summary>
internal sealed class GainSystem : ISymmetricOperator
{
    private readonly ReadOnlyMemory<GainLink> _links;
    private readonly double[] _biasDiagonal;

    /// <param name="links">Kept, not copied, for as long as the system is used.</param>
    /// <param name="gridWidth">Where above 0, the tiles are the cells of a grid this wide, row-major: links that are each the west or north pair of their second tile, in its order, west before north, make the tiles' block on the grid (<see cref="LaplacianMatrix.OnGrid"/>).</param>
    public GainSystem(int tiles, ReadOnlyMemory<GainLink> links, double pull, int biases, double biasPull, int gridWidth = 0)
    {
        _biasDiagonal = new double[biases];
        Array.Fill(_biasDiagonal, biasPull);
        ReadOnlySpan<GainLink> span = links.Span;
        for (int l = 0; l < span.Length; l++)
        {
            if (span[l].Bias >= 0)
            {
                _biasDiagonal[span[l].Bias] += span[l].Weight;
            }
        }

        _links = links;

        // On a grid, the weights by second tile and direction (16 bytes a tile) where rows cost 20
        // bytes a link; else read from the links as the rows are made: an array of them (16 bytes
        // a link), the pulls (8 a tile) and what reweighting would need (8 a link) stood beside the solve's storage.
        if (gridWidth > 0 && OnGrid(tiles, gridWidth, span) is var (west, north))
        {
            Tiles = LaplacianMatrix.OnGrid(pull, gridWidth, west, north);
            return;
        }

        Tiles = LaplacianMatrix.FromLinks(tiles, pull, links.Length, l =>
        {
            GainLink link = links.Span[l];
            return new LaplacianLink(link.First, link.Second, link.Weight);
        });
    }

    /// <summary>Each link's weight by its second tile, west and north, where the links are a grid's in its order, none twice; else null.</summary>
    private static (double[] West, double[] North)? OnGrid(int tiles, int width, ReadOnlySpan<GainLink> links)
    {
        var (west, north) = (new double[tiles], new double[tiles]);
        long last = -1;
        foreach (GainLink link in links)
        {
            // A gains' link names no direction: a west pair is one its tiles' places make one.
            bool isWest = link.First == link.Second - 1 && link.Second % width > 0;
            if (!LaplacianMatrix.IsNextOnGrid(link.First, link.Second, isWest, width, tiles, ref last))
            {
                return null;
            }

            (isWest ? west : north)[link.Second] = link.Weight;
        }

        return (west, north);
    }

    /// <summary>The tiles' block: the Laplacian and the pull.</summary>
    public LaplacianMatrix Tiles { get; }

    public int Size => Tiles.Size + _biasDiagonal.Length;

    /// <summary>The block-diagonal preconditioner: multigrid on the tiles, the diagonal on the offsets.</summary>
    public IPreconditioner Preconditioner() => new BorderedPreconditioner(new AggregationMultigrid(Tiles), Tiles.Size, _biasDiagonal);

    /// <summary>result = A · v: the tiles' block, then each link's coupling w·s between its tiles and its direction's offset.</summary>
    public void Multiply(ReadOnlySpan<double> v, Span<double> result)
    {
        int tiles = Tiles.Size;
        Tiles.Multiply(v[..tiles], result[..tiles]);
        for (int k = 0; k < _biasDiagonal.Length; k++)
        {
            result[tiles + k] = _biasDiagonal[k] * v[tiles + k];
        }

        foreach (GainLink link in _links.Span)
        {
            if (link.Bias >= 0)
            {
                int k = tiles + link.Bias;
                double coupling = link.Sign * link.Weight;
                result[link.First] += coupling * v[k];
                result[link.Second] -= coupling * v[k];
                result[k] += coupling * (v[link.First] - v[link.Second]);
            }
        }
    }
}
