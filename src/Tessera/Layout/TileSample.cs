namespace Tessera.Layout;

/// <summary>A few tiles that stand for a whole set: what statistics over the tiles read.</summary>
public static class TileSample
{
    /// <summary>
    /// Up to <paramref name="count"/> of <paramref name="files"/>, spread evenly over the list (of n,
    /// those at ⌊k·n/count⌋), or all of them when there are no more than that. Deterministic, so
    /// every shard of a job picks the same ones.
    /// </summary>
    public static List<string> Spread(IReadOnlyList<string> files, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        if (files.Count <= count)
        {
            return [.. files];
        }

        var chosen = new List<string>(count);
        for (int k = 0; k < count; k++)
        {
            chosen.Add(files[(int)((long)k * files.Count / count)]);
        }

        return chosen;
    }
}
