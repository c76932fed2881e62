using System.Globalization;

namespace Tessera.Codecs;

/// <summary>The image size a file's header declares, and the fewest bytes a file of that size can be.</summary>
/// <param name="MinimumBytes">What the header's size takes at the least (0 where there is no such floor).</param>
/// <param name="FileBytes">The file's length.</param>
internal readonly record struct DeclaredSize(long Width, long Height, long MinimumBytes, long FileBytes)
{
    /// <summary>A JPEG's colour components (1 grey, 3 YCbCr or RGB, 4 CMYK or YCCK); 0 where not given.</summary>
    public int Components { get; init; }

    /// <exception cref="TileReadException">The file is too small for the size its header declares: a wrong header, or a file cut short.</exception>
    public void CheckFileHoldsIt(string path)
    {
        if (FileBytes < MinimumBytes)
        {
            throw new TileReadException(path, string.Create(CultureInfo.InvariantCulture,
                $"its header gives {Width}×{Height} px, which takes at least {MinimumBytes:N0} bytes of JPEG data, but the file has {FileBytes:N0}: the header is wrong or the file is truncated"));
        }
    }
}
