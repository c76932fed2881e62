namespace Tessera.Outputs;

/// <summary>The type of one sample (one channel of one pixel) in an OME output.</summary>
public enum SampleType
{
    UInt8,
    UInt16,
}

public static class SampleTypeExtensions
{
    public static int Bytes(this SampleType type) => type == SampleType.UInt16 ? 2 : 1;

    public static int Bits(this SampleType type) => 8 * type.Bytes();

    /// <summary>The OME-XML Pixels Type (uint8, uint16).</summary>
    public static string OmeName(this SampleType type) => type == SampleType.UInt16 ? "uint16" : "uint8";

    /// <summary>The zarr v2 dtype: little-endian where it has an order.</summary>
    public static string ZarrDtype(this SampleType type) => type == SampleType.UInt16 ? "<u2" : "|u1";
}
