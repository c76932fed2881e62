using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>Each codec reads good tiles, names bad ones, and is not upset by them afterwards.</summary>
public sealed class CodecTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public static TheoryData<CodecChoice> Codecs() => [CodecChoice.Skia, CodecChoice.TurboJpeg];

    [Theory]
    [MemberData(nameof(Codecs))]
    public void A_corrupt_tile_does_not_break_the_next_decode(CodecChoice choice)
    {
        SampleGrid.Write(_dir.Combine("tiles"), Support.Samples.Small(TileFormat.Jpeg) with { Across = 2, Down = 1, TileWidth = 65, TileHeight = 65, OverlapX = 0, OverlapY = 0 });
        string good = _dir.Combine("tiles", "1_0.jpg"), bad = _dir.Combine("tiles", "0_0.jpg");
        byte[] bytes = File.ReadAllBytes(bad);

        ITileCodec codec = TileCodecs.Create(choice, out _);
        try
        {
            // Cut anywhere from the headers to the last scan; all on this thread, so a codec that
            // keeps per-thread state reuses it for the good tile that follows.
            for (int length = 20; length < bytes.Length - 2; length += 37)
            {
                File.WriteAllBytes(bad, bytes[..length]);
                var e = Assert.ThrowsAny<TileReadException>(() => codec.Decode(bad, PixelFormat.Rgbx8888).Dispose());
                Assert.Contains("0_0.jpg", e.Message);
                using PixelBuffer pixels = codec.Decode(good, PixelFormat.Rgbx8888);
                Assert.Equal((65, 65), (pixels.Width, pixels.Height));
            }
        }
        finally
        {
            (codec as IDisposable)?.Dispose();
        }
    }

    public void Dispose() => _dir.Dispose();
}
