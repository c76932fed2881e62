using Tessera.Outputs;

namespace Tessera.Viewer;

/// <summary>The viewer's files beside pyramid NAME: the page NAME.html, the sidecar NAME.dzi.json and the overlay folder NAME_overlay.</summary>
public sealed record ViewerPaths
{
    /// <param name="pyramid">NAME.dzi or NAME.zip.</param>
    public ViewerPaths(string pyramid)
    {
        var dzi = new DziPaths(pyramid);
        HtmlFile = dzi.HtmlFile;
        MetadataFile = dzi.DziFile + ".json";
        OverlayDirectory = OverlayFolderName(dzi.DziFile[..^4]);
    }

    public string HtmlFile { get; }

    /// <summary>NAME.dzi.json: pixel size and overlay index, for <c>tessera serve</c> and other tools.</summary>
    public string MetadataFile { get; }

    /// <summary>NAME_overlay: the tile overlay's chunks, marked as Tessera's like its other folders.</summary>
    public string OverlayDirectory { get; }

    public static string OverlayFolderName(string name) => name + "_overlay";
}
