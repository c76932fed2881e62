using System.Collections;
using Tessera.Layout;

namespace Tessera.Registration;

/// <summary>
/// The report's list of pairs, read straight from the registration's links: a record, with the
/// tiles' names, is made only when asked for (as the report file is written, line by line), so a
/// 600×600 grid's 720,000 pairs cost their links' 48 bytes each, not a record and two strings.
/// </summary>
internal sealed class PairTable(TileGrid grid, List<PairLink> links) : IReadOnlyList<PairRecord>
{
    public int Count => links.Count;

    public PairRecord this[int index]
    {
        get
        {
            PairLink l = links[index];
            return new PairRecord(Name(l.First), Name(l.Second), l.Direction, l.Dx, l.Dy, l.SigmaX, l.SigmaY, l.Correlation, l.Outcome);
        }
    }

    public IEnumerator<PairRecord> GetEnumerator()
    {
        for (int i = 0; i < links.Count; i++)
        {
            yield return this[i];
        }
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    /// <summary>Every pair's line of the report, in order, its tiles' names read in place from the grid's paths.</summary>
    public void Write(PairLineWriter line)
    {
        Span<char> first = stackalloc char[NameBuffer], second = stackalloc char[NameBuffer];
        foreach (PairLink l in links)
        {
            line.Write(NameSpan(l.First, first), NameSpan(l.Second, second), l.Direction, l.Dx, l.Dy, l.SigmaX, l.SigmaY, l.Correlation, l.Outcome);
        }
    }

    // A name's chars, decoded in place; a longer one is decoded into an array of its own.
    private const int NameBuffer = 512;

    private ReadOnlySpan<char> NameSpan(int cell, Span<char> buffer) => grid.FileName(cell % grid.Columns, cell / grid.Columns, buffer);

    private string Name(int cell) => NameSpan(cell, stackalloc char[NameBuffer]).ToString();
}
