using System.Diagnostics;
using System.Text.Json;

namespace Tessera.Tests.Support;

/// <summary>
/// Reads an OME-TIFF with Debian's tifffile and an OME-Zarr with Debian's zarr (the system
/// /usr/bin/python3, never a virtual environment's), and checks each level against the
/// expected pixels: given per level, or the full resolution given and the levels below made
/// independently here with numpy (2×2 mean rounded half up, an odd edge repeated).
/// </summary>
public static class OmeReaders
{
    /// <summary>What a check expects.</summary>
    /// <param name="Kind">"tiff" or "zarr".</param>
    /// <param name="Levels">Raw files of the expected levels (row by row, samples interleaved, little-endian), or only the first where <paramref name="Halve"/>.</param>
    /// <param name="Shapes">Each level's (height, width) — all levels, also where they are made by halving.</param>
    public sealed record Expectation(string Kind, string Path, IReadOnlyList<string> Levels, IReadOnlyList<int[]> Shapes, int Channels, string Dtype,
        int TileSize, bool Halve, double? PixelSizeMicrometres, string Compression = "deflate");

    /// <summary>Runs the check; fails the test with the reader's message.</summary>
    public static void Check(Expectation expectation)
    {
        string json = JsonSerializer.Serialize(expectation);
        var start = new ProcessStartInfo("/usr/bin/python3") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add("-c");
        start.ArgumentList.Add(Script);
        start.ArgumentList.Add(json);
        using Process process = Process.Start(start)!;
        Task<string> output = process.StandardOutput.ReadToEndAsync();
        Task<string> error = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill();
            throw new TimeoutException("the reference reader took more than 3 minutes");
        }

        Xunit.Assert.True(process.ExitCode == 0, $"{expectation.Kind} reader on {expectation.Path}: {error.Result}{output.Result}");
        Xunit.Assert.Contains("ok", output.Result);
    }

    private const string Script = """
        import json, sys
        import numpy as np
        e = json.loads(sys.argv[1])
        dtype = np.dtype(e["Dtype"]).newbyteorder("<")
        c = e["Channels"]

        def load(path, shape):
            a = np.fromfile(path, dtype=dtype)
            return a.reshape((shape[0], shape[1], c)) if c > 1 else a.reshape((shape[0], shape[1]))

        def halve(a):
            if a.shape[0] % 2: a = np.concatenate([a, a[-1:]], axis=0)
            if a.shape[1] % 2: a = np.concatenate([a, a[:, -1:]], axis=1)
            w = a.astype(np.uint32)
            s = w[0::2, 0::2] + w[1::2, 0::2] + w[0::2, 1::2] + w[1::2, 1::2]
            return ((s + 2) >> 2).astype(dtype)

        expected = [load(e["Levels"][0], e["Shapes"][0])]
        for k in range(1, len(e["Shapes"])):
            expected.append(halve(expected[-1]) if e["Halve"] else load(e["Levels"][k], e["Shapes"][k]))
        for k, (a, shape) in enumerate(zip(expected, e["Shapes"])):
            assert a.shape[:2] == tuple(shape), f"expected level {k} is {a.shape}, not {shape}"

        def same(k, got, want):
            assert got.dtype == want.dtype, f"level {k}: sample type {got.dtype}, expected {want.dtype}"
            assert got.shape == want.shape, f"level {k}: shape {got.shape}, expected {want.shape}"
            if not np.array_equal(got, want):
                y, x = np.argwhere((got != want).reshape(got.shape[0], got.shape[1], -1).any(axis=2))[0]
                raise AssertionError(f"level {k}: pixel ({x}, {y}) is {got[y, x]}, expected {want[y, x]}")

        if e["Kind"] == "tiff":
            import tifffile
            with tifffile.TiffFile(e["Path"]) as tif:
                assert tif.is_bigtiff, "not a BigTIFF"
                assert tif.is_ome, "no OME-XML in the first page"
                page = tif.pages[0]
                assert page.is_tiled and page.tilewidth == e["TileSize"] and page.tilelength == e["TileSize"], f"tiles {page.tilewidth}x{page.tilelength}"
                names = {"deflate": 8, "lzw": 5, "jpeg": 7}
                assert int(page.compression) == names[e["Compression"]], f"compression {page.compression}"
                assert len(page.subifds or []) == len(expected) - 1, f"{len(page.subifds or [])} SubIFDs for {len(expected)} levels"
                levels = tif.series[0].levels
                assert len(levels) == len(expected), f"{len(levels)} levels, expected {len(expected)}"
                for k, level in enumerate(levels):
                    same(k, level.asarray(), expected[k])
                pixels = tifffile.xml2dict(tif.ome_metadata)["OME"]["Image"]["Pixels"]
                assert pixels["Type"] == ("uint16" if dtype.itemsize == 2 else "uint8"), pixels["Type"]
                assert pixels["SizeX"] == e["Shapes"][0][1] and pixels["SizeY"] == e["Shapes"][0][0] and pixels["SizeC"] == c, pixels
                if e["PixelSizeMicrometres"] is not None:
                    assert abs(pixels["PhysicalSizeX"] - e["PixelSizeMicrometres"]) < 1e-12, pixels
                    assert abs(pixels["PhysicalSizeY"] - e["PixelSizeMicrometres"]) < 1e-12, pixels
                    assert pixels["PhysicalSizeXUnit"] == "\u00b5m" and pixels["PhysicalSizeYUnit"] == "\u00b5m", pixels
        else:
            import zarr
            g = zarr.open_group(e["Path"], mode="r")
            ms = g.attrs["multiscales"][0]
            assert ms["version"] == "0.4", ms["version"]
            axes = [a["name"] for a in ms["axes"]]
            assert axes == (["c", "y", "x"] if c > 1 else ["y", "x"]), axes
            assert len(ms["datasets"]) == len(expected), f"{len(ms['datasets'])} datasets, expected {len(expected)}"
            for k, ds in enumerate(ms["datasets"]):
                arr = g[ds["path"]]
                want = np.moveaxis(expected[k], 2, 0) if c > 1 else expected[k]
                chunks = (c, e["TileSize"], e["TileSize"]) if c > 1 else (e["TileSize"], e["TileSize"])
                assert arr.chunks == chunks, f"level {k}: chunks {arr.chunks}"
                assert arr.compressor.codec_id == "zlib", arr.compressor
                same(k, arr[...], want)
                scale = ds["coordinateTransformations"][0]["scale"]
                size = e["PixelSizeMicrometres"] or 1
                assert abs(scale[-1] - size * 2 ** k) < 1e-9 and abs(scale[-2] - size * 2 ** k) < 1e-9, scale
            if e["PixelSizeMicrometres"] is not None:
                assert [a.get("unit") for a in ms["axes"] if a["type"] == "space"] == ["micrometer", "micrometer"], ms["axes"]
        print("ok")
        """;
}
