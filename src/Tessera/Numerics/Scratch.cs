namespace Tessera.Numerics;

/// <summary>
/// Arrays that a solver keeps from one use to the next: grown when a use needs more, never shrunk,
/// so that solving again on the same graph allocates nothing.
/// </summary>
internal static class Scratch
{
    /// <summary>
    /// An array of at least <paramref name="length"/> elements: <paramref name="array"/> where it is
    /// long enough, else a new one (contents not kept) with an eighth to spare, so that a rebuild
    /// whose levels come out a little larger (dropped links pair differently) still fits.
    /// </summary>
    public static T[] AtLeast<T>(ref T[] array, int length)
    {
        if (array.Length < length)
        {
            array = new T[length + (length / 8)];
        }

        return array;
    }

    /// <summary>The same, keeping the first <paramref name="used"/> elements; grows by half again at least, as a list does.</summary>
    public static T[] Keeping<T>(ref T[] array, int length, int used)
    {
        if (array.Length < length)
        {
            var grown = new T[Math.Max(length, array.Length + (array.Length / 2))];
            Array.Copy(array, grown, used);
            array = grown;
        }

        return array;
    }
}
