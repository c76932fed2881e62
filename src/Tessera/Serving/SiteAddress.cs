namespace Tessera.Serving;

/// <summary>What an address of the site names; for a tile, its level and its file name (COLUMN_ROW.FORMAT), rebuilt from the numbers.</summary>
internal readonly record struct SiteAddress(AddressKind Kind, int Level = 0, string File = "")
{
    /// <summary>LEVEL/COLUMN_ROW.FORMAT, as responses name the tile.</summary>
    public string TileName => $"{Level.ToString(System.Globalization.CultureInfo.InvariantCulture)}/{File}";
}
