namespace Tessera.Registration;

/// <summary>What <see cref="SubpixelStep"/> found: the rest of the shift beyond its whole pixels, decoded px.</summary>
/// <param name="X">Across the strip.</param>
/// <param name="Y">Along it.</param>
internal readonly record struct SubpixelRest(double X, double Y);
