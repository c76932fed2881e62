namespace Tessera.Registration;

/// <summary>
/// Groups of tiles joined by links (union–find with path halving): which tiles a chain of links
/// joins, for the largest measured group and the bridges to it.
/// </summary>
internal sealed class TileGroups
{
    private readonly int[] _parent;

    public TileGroups(int tiles)
    {
        _parent = new int[tiles];
        for (int i = 0; i < tiles; i++)
        {
            _parent[i] = i;
        }
    }

    /// <summary>The tile that stands for <paramref name="tile"/>'s group.</summary>
    public int Root(int tile)
    {
        while (_parent[tile] != tile)
        {
            _parent[tile] = _parent[_parent[tile]];
            tile = _parent[tile];
        }

        return tile;
    }

    /// <summary>Puts <paramref name="a"/>'s group into <paramref name="b"/>'s.</summary>
    public void Join(int a, int b) => _parent[Root(a)] = Root(b);
}
