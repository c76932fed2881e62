namespace Tessera.Viewer;

/// <summary>How sure the registration was of where a tile lies, from its links: what colours its outline in the viewer.</summary>
public enum TileQuality
{
    /// <summary>No registration: the tile sits where the grid or a positions file without a report put it.</summary>
    Nominal,

    /// <summary>Every link measured, kept by the solve and sharp (σ at most 1 px) on both axes in at least one link.</summary>
    Measured,

    /// <summary>Placed by measured links only, but weak ones: bridged, or every link unsure (σ over 1 px) on some axis.</summary>
    Weak,

    /// <summary>Placed by measured links, but at least one of its links was rejected (not significant, blank, ambiguous, outside the stage model, or removed by the solve).</summary>
    Rejected,

    /// <summary>No link of its own was used: the stage model alone placed it.</summary>
    Model,
}
