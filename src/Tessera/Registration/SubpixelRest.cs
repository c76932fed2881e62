namespace Tessera.Registration;

/// <summary>What <see cref="SubpixelStep"/> found: the rest of the shift beyond its whole pixels, decoded px.</summary>
/// <param name="X">Across the strip.</param>
/// <param name="Y">Along it.</param>
/// <param name="Correlation">The windowed patches' normalised correlation at that rest.</param>
internal readonly record struct SubpixelRest(double X, double Y, double Correlation);
