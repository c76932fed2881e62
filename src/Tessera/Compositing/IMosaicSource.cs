using Tessera.Imaging;

namespace Tessera.Compositing;

/// <summary>A stitched plane rendered from tile files; owns the decoded tiles it keeps.</summary>
public interface IMosaicSource : IPixelSource, IDisposable
{
    /// <summary>Input tiles decoded so far; above the tile count where tiles had to be decoded again.</summary>
    long Decodes { get; }
}
