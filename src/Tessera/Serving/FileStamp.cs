namespace Tessera.Serving;

/// <summary>
/// What a file looks like from outside — length, modification and creation time — read with one
/// stat. A file replaced or rewritten has another stamp; one that is missing has <see cref="Missing"/>.
/// </summary>
internal readonly record struct FileStamp(long Length, DateTime Modified, DateTime Created)
{
    public static readonly FileStamp Missing = new(-1, default, default);

    public static FileStamp Of(string path)
    {
        var file = new FileInfo(path);
        return file.Exists ? new FileStamp(file.Length, file.LastWriteTimeUtc, file.CreationTimeUtc) : Missing;
    }
}
