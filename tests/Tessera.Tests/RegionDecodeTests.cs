using NetVips;
using Tessera.Build;
using Tessera.Codecs;
using Tessera.Imaging;
using Tessera.Pyramid;
using Tessera.Samples;
using Tessera.Tests.Support;
using Xunit;

namespace Tessera.Tests;

/// <summary>
/// Decoding part of a JPEG (what the grid compositor does with the part of each tile it shows)
/// gives exactly the pixels of a whole decode, writes nothing else, and leaves every file it cannot
/// judge to the whole decode.
/// </summary>
public sealed class RegionDecodeTests : IDisposable
{
    private readonly TempDirectory _dir = new();
    private readonly TurboJpegCodec _codec = TurboJpegCodec.TryCreate(new SkiaTileCodec(), out _)
        ?? throw new InvalidOperationException("libturbojpeg0 is needed (scripts/setup.sh installs it).");

    public static TheoryData<string, int, int> Kinds() => new()
    {
        { "420", 800, 600 },
        { "420", 333, 217 },
        { "444", 301, 190 },
        { "grey", 257, 129 },
        { "progressive", 321, 200 },
    };

    [Fact]
    public void The_native_layer_is_built_and_loads() =>
        Assert.True(_codec.DecodesRegions, $"libtessera_jpeg.so did not load: {_codec.RegionProblem}");

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_region_is_exactly_the_whole_decode_there_and_nothing_else_is_written(string kind, int width, int height)
    {
        string path = WriteJpeg(kind, width, height);
        PixelFormat format = kind == "grey" ? PixelFormat.Gray8 : PixelFormat.Rgbx8888;
        using PixelBuffer whole = _codec.Decode(path, format);

        // The target is larger than the image and placed elsewhere, as a block of the plane is.
        var target = new PixelBuffer(new PixelRect(-50, 1000, width + 100, height + 40), format);
        var own = new PixelBuffer(new PixelRect(0, 0, width, height), format);
        int checkedRegions = 0;
        foreach (PixelRect region in Regions(width, height))
        {
            Array.Fill(target.Data, (byte)0xA5);
            int atX = -50 + 37, atY = 1000 + 11;
            Assert.True(_codec.TryDecodeRegion(path, width, height, region, target, atX, atY), $"{kind}: {region} was refused");
            AssertOnlyPartWritten(whole, region, target, atX, atY, $"{kind} {width}×{height}: region {region}");

            // Into a buffer of the image itself, libjpeg writes in place: the region must still be exact.
            Array.Fill(own.Data, (byte)0xA5);
            Assert.True(_codec.TryDecodeRegion(path, width, height, region, own, region.X, region.Y));
            for (int y = region.Y; y < region.Bottom; y++)
            {
                Assert.True(own.RowAt(region.X, y, region.Width).SequenceEqual(whole.RowAt(region.X, y, region.Width)),
                    $"{kind} {width}×{height}: region {region} decoded in place differs from the whole decode in row {y}");
            }

            checkedRegions++;
        }

        Assert.True(checkedRegions > 20);
        target.Dispose();
        own.Dispose();
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public void A_stream_gives_the_whole_decode_a_band_at_a_time(string kind, int width, int height)
    {
        string path = WriteJpeg(kind, width, height);
        PixelFormat format = kind == "grey" ? PixelFormat.Gray8 : PixelFormat.Rgbx8888;
        using PixelBuffer whole = _codec.Decode(path, format);
        foreach (PixelRect region in new[] { new PixelRect(0, 0, width, height), new PixelRect(17, 9, width - 40, height - 30), new PixelRect(33, 5, 41, height - 5) })
        {
            using IRegionStream stream = _codec.TryOpenRegionStream(path, width, height, region, format)
                ?? throw new InvalidOperationException($"{kind}: {region} could not be streamed");
            Assert.Equal(region.Y, stream.NextRow);

            // Bands of uneven heights, some of only part of the columns, one after a gap of rows.
            int y = region.Y, band = 0;
            while (y < region.Bottom)
            {
                int height1 = Math.Min(region.Bottom - y, 1 + ((band * 23) % 50));
                int skip = band == 2 ? Math.Min(3, region.Bottom - y - height1) : 0;
                var part = new PixelRect(region.X + (band % 2 * 3), y + skip, region.Width - (band % 2 * 5), height1);
                using var target = new PixelBuffer(new PixelRect(-7, 500, part.Width + 20, part.Height + 4), format);
                Array.Fill(target.Data, (byte)0xA5);
                stream.Read(part, target, -7 + 11, 500 + 2);
                AssertOnlyPartWritten(whole, part, target, -7 + 11, 500 + 2, $"{kind} {width}×{height}: stream of {region}, band {part}");

                Assert.Equal(part.Bottom, stream.NextRow);
                y = part.Bottom;
                band++;
            }

            Assert.True(band >= 3);
        }
    }

    /// <summary>
    /// Where the target's rows reach far enough beside the part, libjpeg writes its rows straight
    /// into the target, the columns it puts out beside the part included, and the layer puts those
    /// back: with room from none to more than the widest spill on either side, and crops that fall
    /// on and off the 16-px iMCU columns, the part is exact and nothing beside it changes.
    /// </summary>
    [Theory]
    [MemberData(nameof(Kinds))]
    public void Pixels_beside_a_part_written_straight_into_the_target_are_left_as_they_were(string kind, int width, int height)
    {
        string path = WriteJpeg(kind, width, height);
        PixelFormat format = kind == "grey" ? PixelFormat.Gray8 : PixelFormat.Rgbx8888;
        using PixelBuffer whole = _codec.Decode(path, format);
        int[] rooms = [0, 2, 17, 34, 40];
        foreach (int x in new[] { 0, 3, 17, 40 })
        {
            var region = new PixelRect(x, 9, width - x - 21, Math.Min(60, height - 9));
            foreach (int left in rooms)
            {
                foreach (int right in rooms)
                {
                    using var target = new PixelBuffer(new PixelRect(100, 200, left + region.Width + right, region.Height + 2), format);
                    Array.Fill(target.Data, (byte)0xA5);
                    Assert.True(_codec.TryDecodeRegion(path, width, height, region, target, 100 + left, 201));
                    AssertOnlyPartWritten(whole, region, target, 100 + left, 201, $"{kind}: region {region}, room {left} | {right}");

                    Array.Fill(target.Data, (byte)0xA5);
                    using IRegionStream stream = _codec.TryOpenRegionStream(path, width, height, region, format)!;
                    var first = region with { Height = region.Height / 2 };
                    stream.Read(first, target, 100 + left, 201);
                    stream.Read(new PixelRect(region.X, first.Bottom, region.Width, region.Bottom - first.Bottom), target, 100 + left, 201 + first.Height);
                    AssertOnlyPartWritten(whole, region, target, 100 + left, 201, $"{kind}: stream of {region}, room {left} | {right}");
                }
            }
        }
    }

    [Fact]
    public void A_stream_refuses_rows_gone_by_and_files_it_cannot_judge()
    {
        string path = WriteJpeg("420", 200, 150);
        byte[] bytes = File.ReadAllBytes(path);
        var region = new PixelRect(20, 15, 160, 120);
        using var target = new PixelBuffer(new PixelRect(0, 0, 200, 150), PixelFormat.Rgbx8888);
        using (IRegionStream stream = _codec.TryOpenRegionStream(path, 200, 150, region, PixelFormat.Rgbx8888)!)
        {
            stream.Read(region with { Height = 40 }, target, 20, 15);
            Assert.Throws<ArgumentOutOfRangeException>(() => stream.Read(new PixelRect(20, 50, 160, 10), target, 20, 50));
            Assert.Throws<ArgumentOutOfRangeException>(() => stream.Read(new PixelRect(0, 60, 160, 10), target, 0, 60));
            stream.Read(new PixelRect(20, 60, 160, 75), target, 20, 60);
        }

        // Another size, a truncated file, bytes after the image: no stream (decode whole instead).
        Assert.Null(_codec.TryOpenRegionStream(path, 201, 150, region, PixelFormat.Rgbx8888));
        string truncated = _dir.Combine("stream-truncated.jpg");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length * 2 / 3)]);
        Assert.Null(_codec.TryOpenRegionStream(truncated, 200, 150, region, PixelFormat.Rgbx8888));
        string trailing = _dir.Combine("stream-trailing.jpg");
        File.WriteAllBytes(trailing, [.. bytes, 0, 1, 2, 3]);
        Assert.Null(_codec.TryOpenRegionStream(trailing, 200, 150, region, PixelFormat.Rgbx8888));

        // Corrupt: named, and the decoder streams the next file as before.
        int sof = bytes.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        bytes[sof + 1] = 0xC5;
        string bad = _dir.Combine("stream-bad.jpg");
        File.WriteAllBytes(bad, bytes);
        Assert.Contains("stream-bad.jpg", Assert.Throws<TileReadException>(() => _codec.TryOpenRegionStream(bad, 200, 150, region, PixelFormat.Rgbx8888)).Message);
        using IRegionStream again = _codec.TryOpenRegionStream(path, 200, 150, region, PixelFormat.Rgbx8888)!;
        again.Read(region, target, 20, 15);
    }

    [Fact]
    public void The_cache_streams_a_tile_only_down_one_strip_of_renders()
    {
        string path = WriteJpeg("420", 200, 150);
        using PixelBuffer whole = _codec.Decode(path, PixelFormat.Rgbx8888);
        var image = new PixelRect(0, 0, 200, 150);
        PixelRect[] strip = [new(0, 0, 200, 40), new(0, 40, 200, 50), new(0, 90, 200, 60)];
        PixelRect[] notStrip = [new(0, 0, 200, 40), new(0, 30, 200, 60), new(0, 90, 200, 60)];
        foreach (var (renders, streamed) in new[] { (strip, true), (notStrip, false) })
        {
            using var cache = new Compositing.DecodedTileCache(_codec, PixelFormat.Rgbx8888, 1L << 30, pool: null);
            cache.SetPlan(1, renders, (_, tiles) => { tiles.Clear(); tiles.Add(0); }, lookahead: 10);
            foreach (PixelRect render in renders)
            {
                using var target = new PixelBuffer(render, PixelFormat.Rgbx8888);
                var result = cache.TryStreamInto(0, path, 200, 150, image, render, target, render.X, render.Y, wait: true);
                Assert.Equal(streamed ? Compositing.DecodedTileCache.StreamResult.Written : Compositing.DecodedTileCache.StreamResult.NotStreamed, result);
                if (streamed)
                {
                    for (int y = render.Y; y < render.Bottom; y++)
                    {
                        Assert.True(target.Row(y - render.Y).SequenceEqual(whole.RowAt(0, y, 200)), $"row {y} of {render} differs from the whole decode");
                    }
                }
            }

            Assert.Equal(streamed ? 1 : 0, cache.Decodes);
        }
    }

    [Fact]
    public void Files_it_cannot_judge_go_to_the_whole_decode_untouched()
    {
        string path = WriteJpeg("420", 200, 150);
        byte[] bytes = File.ReadAllBytes(path);
        var target = new PixelBuffer(new PixelRect(0, 0, 200, 150), PixelFormat.Rgbx8888);
        Array.Fill(target.Data, (byte)7);
        var region = new PixelRect(20, 15, 160, 120);

        // Another size than the grid's: refused, and the whole decode names the size.
        Assert.False(_codec.TryDecodeRegion(path, 201, 150, region, target, 20, 15));

        // Truncated (no EOI at the end): refused; the whole decode says it is truncated.
        string truncated = _dir.Combine("truncated.jpg");
        File.WriteAllBytes(truncated, bytes[..(bytes.Length * 2 / 3)]);
        Assert.False(_codec.TryDecodeRegion(truncated, 200, 150, region, target, 20, 15));
        Assert.Contains("truncated", Assert.Throws<TileReadException>(() => _codec.Decode(truncated, PixelFormat.Rgbx8888)).Message);

        // Bytes after the image: refused, and decoded whole as before.
        string trailing = _dir.Combine("trailing.jpg");
        File.WriteAllBytes(trailing, [.. bytes, 0, 1, 2, 3]);
        Assert.False(_codec.TryDecodeRegion(trailing, 200, 150, region, target, 20, 15));
        _codec.Decode(trailing, PixelFormat.Rgbx8888).Dispose();

        Assert.Equal(-1, target.Data.AsSpan(0, 200 * 150 * 4).IndexOfAnyExcept((byte)7));
        target.Dispose();
    }

    [Fact]
    public void A_corrupt_file_is_named_and_the_decoder_goes_on()
    {
        string path = WriteJpeg("420", 200, 150);
        byte[] bytes = File.ReadAllBytes(path);

        // The frame marker turned into one for a JPEG process libjpeg does not implement.
        int sof = bytes.AsSpan().IndexOf([(byte)0xFF, (byte)0xC0]);
        Assert.True(sof > 0);
        bytes[sof + 1] = 0xC5;
        string bad = _dir.Combine("bad.jpg");
        File.WriteAllBytes(bad, bytes);

        using var target = new PixelBuffer(new PixelRect(0, 0, 200, 150), PixelFormat.Rgbx8888);
        var e = Assert.Throws<TileReadException>(() => _codec.TryDecodeRegion(bad, 200, 150, new PixelRect(10, 10, 50, 50), target, 10, 10));
        Assert.Contains("bad.jpg", e.Message);
        Assert.True(_codec.TryDecodeRegion(path, 200, 150, new PixelRect(10, 10, 50, 50), target, 10, 10));
    }

    [Fact]
    public void A_pyramid_built_from_regions_is_the_one_built_from_whole_tiles()
    {
        string tiles = _dir.Combine("tiles");
        SampleGrid.Write(tiles, Support.Samples.Small(TileFormat.Jpeg) with { Across = 7, Down = 5, TileWidth = 300, TileHeight = 220, OverlapX = 34, OverlapY = 26 });
        TurboJpegCodec whole = TurboJpegCodec.TryCreate(new SkiaTileCodec(), out _, regions: false)!;
        Assert.False(whole.DecodesRegions);
        try
        {
            // Small blocks, so that many tiles are shared between blocks (cached, their cells
            // decoded) and many are not (decoded straight into the block).
            foreach (string? flatField in new[] { null, "auto" })
            {
                string a = _dir.Combine($"regions-{flatField}", "out.dzi"), b = _dir.Combine($"whole-{flatField}", "out.dzi");
                BuildRequest request = Build(tiles, a, flatField);
                BuildResult built = PyramidBuild.Run(request, _codec);
                PyramidBuild.Run(request with { OutputPath = b }, whole);
                Assert.True(built.InputDecodes >= 35);
                PyramidComparison.AssertIdenticalFiles(b, a);
            }
        }
        finally
        {
            whole.Dispose();
        }
    }

    private static BuildRequest Build(string tiles, string output, string? flatField) => new()
    {
        InputDirectory = tiles,
        OutputPath = output,
        Overlap = new Layout.OverlapSpec(34, 26, IsPercent: false),
        Pyramid = new PyramidOptions { TileSize = 62, BlockLevels = 2, Threads = 2 },
        FlatField = flatField is null ? null : Illumination.FlatFieldSpec.Parse(flatField, null),
    };

    /// <summary>
    /// Checks that <paramref name="part"/> of the image went to <paramref name="target"/> at
    /// (<paramref name="atX"/>, <paramref name="atY"/>) exactly as <paramref name="whole"/> has it,
    /// and that every other byte of the target still holds the fill 0xA5.
    /// </summary>
    private static void AssertOnlyPartWritten(PixelBuffer whole, PixelRect part, PixelBuffer target, int atX, int atY, string what)
    {
        int bpp = target.BytesPerPixel;
        for (int y = target.Bounds.Y; y < target.Bounds.Bottom; y++)
        {
            for (int x = target.Bounds.X; x < target.Bounds.Right; x++)
            {
                int ix = x - atX + part.X, iy = y - atY + part.Y;
                ReadOnlySpan<byte> got = target.Data.AsSpan(target.OffsetOf(x, y), bpp);
                if (part.Contains(new PixelRect(ix, iy, 1, 1)))
                {
                    Assert.True(got.SequenceEqual(whole.Data.AsSpan(whole.OffsetOf(ix, iy), bpp)), $"{what} differs from the whole decode at ({ix}, {iy})");
                }
                else if (got.IndexOfAnyExcept((byte)0xA5) >= 0)
                {
                    Assert.Fail($"{what} wrote the target at ({x}, {y}), outside it");
                }
            }
        }
    }

    /// <summary>Regions touching every edge, one pixel, one row and column, and odd offsets in between.</summary>
    private static IEnumerable<PixelRect> Regions(int width, int height)
    {
        int[] starts = [0, 1, 2, 3, 7, 15, 16, 17, 31, 33, 40];
        foreach (int x in starts)
        {
            foreach (int y in new[] { 0, 1, 5, 8, 16, 30, 33 })
            {
                yield return new PixelRect(x, y, width - (2 * x), height - (2 * y));
                yield return new PixelRect(x, y, Math.Min(37, width - x), Math.Min(29, height - y));
            }
        }

        yield return new PixelRect(0, 0, width, height);
        yield return new PixelRect(width - 1, height - 1, 1, 1);
        yield return new PixelRect(0, height / 2, width, 1);
        yield return new PixelRect(width / 2, 0, 1, height);
        yield return new PixelRect(width - 19, height - 23, 19, 23);
    }

    /// <summary>A textured test image saved by libvips as the kind of JPEG asked for.</summary>
    private string WriteJpeg(string kind, int width, int height)
    {
        string path = _dir.Combine($"{kind}-{width}x{height}.jpg");
        using Image noise = Image.Gaussnoise(width, height, mean: 128, sigma: 40);
        using Image xy = Image.Xyz(width, height);
        using Image ramp = (xy[0] * (200.0 / width)) + (xy[1] * (55.0 / height));
        using Image grey = ((noise * 0.5) + ramp).Cast(Enums.BandFormat.Uchar);
        using Image bands = kind == "grey" ? grey.Copy() : grey.Bandjoin(grey.Flip(Enums.Direction.Horizontal), grey.Flip(Enums.Direction.Vertical));
        bands.Jpegsave(path, q: 90,
            interlace: kind == "progressive",
            subsampleMode: kind == "444" ? Enums.ForeignSubsample.Off : Enums.ForeignSubsample.On);
        return path;
    }

    public void Dispose()
    {
        _codec.Dispose();
        _dir.Dispose();
    }
}
