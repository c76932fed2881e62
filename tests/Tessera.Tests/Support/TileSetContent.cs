namespace Tessera.Tests.Support;

/// <summary>What a jittered tile set shows: the kinds of image people stitch, each hard in its own way.</summary>
public enum TileSetContent
{
    /// <summary>The made-up stained tissue of <see cref="Tessera.Samples.SyntheticSpecimen"/>: texture everywhere.</summary>
    Specimen,

    /// <summary>A real photograph (scikit-image's astronaut, from the installed Debian package python3-skimage).</summary>
    Photograph,

    /// <summary>Flat colour regions with crisp edges and nothing in between, drawn in code.</summary>
    Illustration,

    /// <summary>A real photograph reduced to a few grey levels of contrast on a broad gradient: almost nothing to see.</summary>
    FaintGradient,

    /// <summary>Sparse Gaussian spots (stars, nuclei) on dark noise, drawn in code.</summary>
    Spots,

    /// <summary>One small random motif repeated with a fixed period: every period matches as well as the true one.</summary>
    Periodic,
}
