namespace Tessera.Registration;

/// <summary>
/// A tile whose every link is weak on some axis, and how sure its position is from its own links
/// (1/√Σ w over them; infinite where no link measured that axis and the stage model placed it).
/// </summary>
public readonly record struct TileUncertainty(string Tile, double SigmaX, double SigmaY);
