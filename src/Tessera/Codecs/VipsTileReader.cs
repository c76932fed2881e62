using System.Globalization;
using NetVips;
using Tessera.Imaging;
using VipsImage = NetVips.Image;

namespace Tessera.Codecs;

/// <summary>
/// Reads the inputs SkiaSharp and libjpeg-turbo do not: TIFF (multi-page, tiled, striped, any
/// compression libtiff knows), WebP, and PNG with 16-bit samples or transparency, through libvips.
/// Samples come out raw (8 or 16 bits, 1 to 4 bands) and <see cref="SampleConverter"/> makes the
/// engine's pixels of them.
/// </summary>
internal static class VipsTileReader
{
    /// <summary>What a file holds: size, bands (alpha last) and bits per sample.</summary>
    public readonly record struct Layout(int Width, int Height, int Bands, int Bits)
    {
        public bool HasAlpha => Bands is 2 or 4;
        public bool IsGrey => Bands <= 2;
        public PixelFormat Format => IsGrey ? PixelFormat.Gray8 : PixelFormat.Rgbx8888;
    }

    public static Layout ReadLayout(string path, int page)
    {
        using VipsImage image = Open(path, page);
        return Describe(path, image);
    }

    /// <summary>
    /// Decodes the file and hands its raw samples (rows packed, bands interleaved, native byte order)
    /// to <paramref name="use"/>. <paramref name="accept"/> sees the layout first, from the header
    /// alone (libvips opens lazily), and may refuse it by throwing before any pixel is decoded.
    /// </summary>
    public static unsafe T Read<T>(string path, int page, Action<Layout> accept, Func<Layout, nint, T> use)
    {
        using VipsImage image = Open(path, page);
        Layout layout = Describe(path, image);
        accept(layout);
        nint memory;
        ulong size;
        try
        {
            memory = image.WriteToMemory(out size);
        }
        catch (VipsException e)
        {
            throw new TileReadException(path, Problem(e));
        }

        try
        {
            ulong expected = (ulong)layout.Width * (ulong)layout.Height * (ulong)layout.Bands * (ulong)(layout.Bits / 8);
            if (memory == 0 || size != expected)
            {
                throw new TileReadException(path, "libvips returned fewer pixels than the header promises");
            }

            return use(layout, memory);
        }
        finally
        {
            NetVips.NetVips.Free(memory);
        }
    }

    private static VipsImage Open(string path, int page)
    {
        if (!File.Exists(path))
        {
            throw new TileReadException(path, "the file does not exist");
        }

        // libvips opens the file itself, with a blocking open: a pipe named like a tile would hang it.
        if (InputFile.Problem(path) is { } problem)
        {
            throw new TileReadException(path, problem);
        }

        if (new FileInfo(path).Length == 0)
        {
            throw new TileReadException(path, "the file is empty");
        }

        try
        {
            bool tiff = IsTiff(path);
            if (tiff && page > 0)
            {
                using VipsImage firstPage = VipsImage.NewFromFile(path, access: Enums.Access.Sequential, failOn: Enums.FailOn.Error, revalidate: true);
                int pages = firstPage.GetTypeOf("n-pages") != 0 ? (int)firstPage.Get("n-pages") : 1;
                if (page >= pages)
                {
                    throw new TileReadException(path, string.Create(CultureInfo.InvariantCulture,
                        $"it has {pages} page(s), and Input.Page {page} asks for page {page + 1} (pages count from 0)"), null, "Input.Page");
                }
            }

            VipsImage image = VipsImage.NewFromFile(path, access: Enums.Access.Sequential, failOn: Enums.FailOn.Error, revalidate: true,
                kwargs: tiff && page > 0 ? new VOption { { "page", page } } : null);
            return image;
        }
        catch (VipsException e)
        {
            throw new TileReadException(path, Problem(e));
        }
        catch (Exception e) when (e is TypeInitializationException or DllNotFoundException or EntryPointNotFoundException)
        {
            throw new TileReadException(path, $"libvips, which reads TIFF, WebP and 16-bit or transparent PNG, could not be loaded ({e.GetBaseException().Message})", e);
        }
    }

    private static bool IsTiff(string path)
    {
        Span<byte> head = stackalloc byte[4];
        using var handle = InputFile.OpenRead(path);
        int n = FileReads.ReadAtMost(handle, head, 0);
        return InputKinds.IsTiff(head[..n]);
    }

    private static Layout Describe(string path, VipsImage image)
    {
        int bits = image.Format switch
        {
            Enums.BandFormat.Uchar => 8,
            Enums.BandFormat.Ushort => 16,
            _ => throw new TileReadException(path, $"its samples are {image.Format}; Tessera reads 8- and 16-bit unsigned samples"),
        };

        if (image.Interpretation is Enums.Interpretation.Cmyk or Enums.Interpretation.Lab or Enums.Interpretation.Labs or Enums.Interpretation.Labq)
        {
            throw new TileReadException(path, $"it is in the {image.Interpretation} colour space; Tessera reads grey and RGB, with or without alpha");
        }

        if (image.Bands is < 1 or > 4)
        {
            throw new TileReadException(path, string.Create(CultureInfo.InvariantCulture,
                $"it has {image.Bands} bands; Tessera reads grey (1), grey and alpha (2), RGB (3) and RGBA (4)"));
        }

        return new Layout(image.Width, image.Height, image.Bands, bits);
    }

    /// <summary>libvips' error text, on one line.</summary>
    private static string Problem(VipsException e)
    {
        string[] lines = e.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        string text = string.Join("; ", lines.Distinct()).TrimEnd('.');
        return text.Length == 0 ? "libvips could not read it" : $"the image data is corrupt or unsupported ({text})";
    }
}
