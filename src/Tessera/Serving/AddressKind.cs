namespace Tessera.Serving;

/// <summary>The kinds of address a pyramid's site has.</summary>
internal enum AddressKind
{
    /// <summary>Nothing of this pyramid.</summary>
    None,

    /// <summary><c>/</c> and <c>/NAME.html</c>: the viewer page.</summary>
    Page,

    /// <summary><c>/NAME.dzi</c>.</summary>
    Descriptor,

    /// <summary><c>/NAME_files/LEVEL/COLUMN_ROW.FORMAT</c>.</summary>
    Tile,

    /// <summary><c>/NAME_overlay/cCOLUMN_ROW.js</c>: a chunk of the tile overlay, where the pyramid has one.</summary>
    Overlay,
}
