using NetVips;
using Tessera.Compositing;
using Tessera.Imaging;
using Tessera.Layout;

namespace Tessera.Tests.Support;

/// <summary>
/// The independent reference: composes the same mosaic with libvips as one image (each tile cut to
/// its cell, the cells joined edge to edge) and lets libvips <c>dzsave</c> make the pyramid.
/// </summary>
public static class VipsReference
{
    public static Image Compose(TileGrid grid, int tileWidth, int tileHeight, int overlapX, int overlapY, Rgb background, int bands)
    {
        var mosaic = new GridMosaic(grid, tileWidth, tileHeight, overlapX, overlapY);
        Image? plane = null;
        for (int row = 0; row < grid.Rows; row++)
        {
            Image? strip = null;
            for (int column = 0; column < grid.Columns; column++)
            {
                PixelRect cell = mosaic.CellRect(column, row);
                PixelRect origin = mosaic.TileRect(column, row);
                string? path = grid[column, row];
                Image piece;
                if (path is null)
                {
                    double[] colour = bands == 1 ? [background.Gray] : [background.R, background.G, background.B];
                    piece = (Image.Black(cell.Width, cell.Height, bands) + colour).Cast(Enums.BandFormat.Uchar);
                }
                else
                {
                    Image tile = Image.NewFromFile(path);
                    if (tile.Bands == 4)
                    {
                        tile = tile.ExtractBand(0, 3);
                    }

                    piece = tile.Crop(cell.X - origin.X, cell.Y - origin.Y, cell.Width, cell.Height);
                }

                strip = strip is null ? piece : strip.Join(piece, Enums.Direction.Horizontal);
            }

            plane = plane is null ? strip : plane.Join(strip!, Enums.Direction.Vertical);
        }

        return plane!;
    }

    /// <summary>Writes <paramref name="image"/> as NAME.dzi with libvips' defaults, or the given tile settings.</summary>
    public static void Dzsave(Image image, string dziPath, string suffix, int tileSize = 254, int overlap = 1)
    {
        image.Dzsave(dziPath[..^4], suffix: suffix, tileSize: tileSize, overlap: overlap);
    }
}
