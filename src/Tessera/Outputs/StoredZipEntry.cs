namespace Tessera.Outputs;

/// <summary>
/// One entry of a <see cref="StoredZip"/>: its bytes are <see cref="Length"/> bytes at
/// <see cref="DataOffset"/> of the zip file, as they are (stored, never compressed).
/// </summary>
/// <param name="Name">The full name in the zip, with forward slashes; a folder's ends with a slash.</param>
/// <param name="Crc32">The CRC-32 the central directory records for the bytes.</param>
public readonly record struct StoredZipEntry(string Name, long DataOffset, long Length, uint Crc32, DateTimeOffset LastWriteTime)
{
    public bool IsFolder => Name.EndsWith('/');
}
