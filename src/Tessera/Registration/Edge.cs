namespace Tessera.Registration;

/// <summary>The edges of a tile whose strips registration keeps.</summary>
internal enum Edge
{
    East,
    West,
    North,
    South,
}
