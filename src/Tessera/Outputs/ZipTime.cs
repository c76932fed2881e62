namespace Tessera.Outputs;

/// <summary>A time as a zip records it: MS-DOS time and date, local time, to two seconds.</summary>
internal readonly record struct ZipTime(ushort Time, ushort Date)
{
    public static ZipTime From(DateTime local)
    {
        DateTime t = local.Year < 1980 ? new DateTime(1980, 1, 1) : local;
        return new ZipTime((ushort)((t.Hour << 11) | (t.Minute << 5) | (t.Second / 2)), (ushort)(((t.Year - 1980) << 9) | (t.Month << 5) | t.Day));
    }
}
