using System.Numerics;
using SkiaSharp;

namespace Tessera.Bench;

/// <summary>
/// Renders tiles of a virtual, procedurally generated brightfield slide: glass background, tissue
/// whose stain colour drifts slowly, mottled texture, sensor grain and dark cell nuclei. Every
/// pixel is a pure function of its global coordinates and the seed. One instance per thread.
/// </summary>
internal sealed class SlideRenderer
{
    private const int NucleusCell = 36;
    private const uint NucleusChance = 110; // out of 256 cells
    private const float TissueThreshold = 0.42f;

    private static readonly Octave[] TissueOctaves = [new(1024, 0.75f), new(256, 0.25f)];
    private static readonly Octave[] TintOctaves = [new(4096, 1f)];
    private static readonly Octave[] TextureOctaves = [new(128, 0.45f), new(32, 0.3f), new(8, 0.25f)];

    private static readonly Rgb Glass = new(242f, 240f, 238f);
    private static readonly Rgb Eosin = new(236f, 170f, 200f);
    private static readonly Rgb Haematoxylin = new(196f, 150f, 214f);
    private static readonly Rgb Nucleus = new(78f, 48f, 128f);

    private static readonly Vector<int> LaneIndices = Vector.CreateSequence(0, 1);

    private readonly SlideSpec _spec;
    private readonly uint _seed;
    private readonly NoiseField _tissue;
    private readonly NoiseField _tint;
    private readonly NoiseField _texture;
    private readonly uint[] _pixels;
    private readonly SKImageInfo _info;
    private readonly SKJpegEncoderOptions _jpegOptions;

    public SlideRenderer(SlideSpec spec)
    {
        _spec = spec;
        _seed = (uint)spec.Seed * 0x2545F491u;
        _tissue = new NoiseField(spec.Width, spec.Height);
        _tint = new NoiseField(spec.Width, spec.Height);
        _texture = new NoiseField(spec.Width, spec.Height);
        _pixels = new uint[spec.Width * spec.Height];
        _info = new SKImageInfo(spec.Width, spec.Height, SKColorType.Rgba8888, SKAlphaType.Opaque);
        _jpegOptions = new SKJpegEncoderOptions(
            spec.Quality, SKJpegEncoderDownsample.Downsample420, SKJpegEncoderAlphaOption.Ignore);
    }

    /// <summary>Renders tile (<paramref name="column"/>, <paramref name="row"/>) and encodes it as JPEG.</summary>
    public unsafe SKData RenderJpeg(int column, int row)
    {
        int originX = column * _spec.StepX, originY = row * _spec.StepY;
        _tissue.Fill(originX, originY, TissueOctaves, _seed ^ 0x1u);
        _tint.Fill(originX, originY, TintOctaves, _seed ^ 0x2u);
        _texture.Fill(originX, originY, TextureOctaves, _seed ^ 0x3u);
        PaintStain(originX, originY);
        PaintNuclei(originX, originY);

        fixed (uint* pixels = _pixels)
        {
            using var pixmap = new SKPixmap(_info, (IntPtr)pixels, _info.RowBytes);
            return pixmap.Encode(_jpegOptions) ?? throw new BenchException("JPEG encoding failed");
        }
    }

    /// <summary>
    /// Background, stain and grain, one vector of pixels at a time. A row whose width is not a
    /// multiple of the vector size ends with a vector that overlaps its predecessor, which just
    /// repaints the same values (so tiles must be at least one vector wide).
    /// </summary>
    private void PaintStain(int originX, int originY)
    {
        var lanes = Vector<float>.Count;
        for (var y = 0; y < _spec.Height; y++)
        {
            for (var x = 0; x < _spec.Width; x += lanes)
            {
                PaintStainVector(Math.Min(x, _spec.Width - lanes), y, originX, originY);
            }
        }
    }

    private void PaintStainVector(int x, int y, int originX, int originY)
    {
        var i = (y * _spec.Width) + x;
        var coverage = Vector.Clamp(
            (new Vector<float>(_tissue.Values.AsSpan(i)) - new Vector<float>(TissueThreshold)) * 6f,
            Vector<float>.Zero,
            Vector<float>.One);
        var tint = new Vector<float>(_tint.Values.AsSpan(i));
        var shade = Vector<float>.One - (new Vector<float>(_texture.Values.AsSpan(i)) * 0.5f);

        var globalX = new Vector<int>(originX + x) + LaneIndices;
        var hash = ValueNoise.Hash(Vector.AsVectorUInt32(globalX), new Vector<uint>((uint)(originY + y)), _seed);
        var grain = (Vector.ConvertToSingle(Vector.AsVectorInt32(hash & new Vector<uint>(15))) - new Vector<float>(7.5f)) * 0.8f;

        var red = StainChannel(Glass.R, Eosin.R, Haematoxylin.R, tint, shade, coverage, grain);
        var green = StainChannel(Glass.G, Eosin.G, Haematoxylin.G, tint, shade, coverage, grain);
        var blue = StainChannel(Glass.B, Eosin.B, Haematoxylin.B, tint, shade, coverage, grain);
        var rgba = red | (green << 8) | (blue << 16) | new Vector<uint>(0xFF000000u);
        rgba.CopyTo(_pixels.AsSpan(i));
    }

    /// <summary>One colour channel: glass blended towards the shaded stain colour, plus grain, as a byte.</summary>
    private static Vector<uint> StainChannel(
        float glass, float eosin, float haematoxylin, Vector<float> tint, Vector<float> shade, Vector<float> coverage, Vector<float> grain)
    {
        var stain = (new Vector<float>(eosin) + (new Vector<float>(haematoxylin - eosin) * tint)) * shade;
        var value = new Vector<float>(glass) + ((stain - new Vector<float>(glass)) * coverage) + grain;
        var clamped = Vector.Clamp(value + new Vector<float>(0.5f), Vector<float>.Zero, new Vector<float>(255f));
        return Vector.AsVectorUInt32(Vector.ConvertToInt32(clamped));
    }

    /// <summary>
    /// At most one elliptical nucleus per lattice cell, kept inside its cell so nuclei never overlap
    /// and the result does not depend on drawing order.
    /// </summary>
    private void PaintNuclei(int originX, int originY)
    {
        int width = _spec.Width, height = _spec.Height;
        for (var cellY = originY / NucleusCell; cellY <= (originY + height - 1) / NucleusCell; cellY++)
        {
            for (var cellX = originX / NucleusCell; cellX <= (originX + width - 1) / NucleusCell; cellX++)
            {
                var h = ValueNoise.Hash(cellX, cellY, _seed ^ 0x4u);
                if ((h & 0xFF) >= NucleusChance)
                {
                    continue;
                }

                var radiusX = 4 + (int)((h >> 8) & 7);
                var radiusY = 4 + (int)((h >> 11) & 7);
                var centerX = (cellX * NucleusCell) + radiusX + 1 + (int)((h >> 14) % (uint)(NucleusCell - (2 * radiusX) - 1));
                var centerY = (cellY * NucleusCell) + radiusY + 1 + (int)((h >> 22) % (uint)(NucleusCell - (2 * radiusY) - 1));
                if (ValueNoise.Sample(centerX, centerY, TissueOctaves, _seed ^ 0x1u) < TissueThreshold + 0.08f)
                {
                    continue;
                }

                PaintNucleus(centerX - originX, centerY - originY, radiusX, radiusY);
            }
        }
    }

    private void PaintNucleus(int centerX, int centerY, int radiusX, int radiusY)
    {
        int width = _spec.Width, height = _spec.Height;
        for (var y = Math.Max(0, centerY - radiusY); y <= Math.Min(height - 1, centerY + radiusY); y++)
        {
            var dy = (float)(y - centerY) / radiusY;
            for (var x = Math.Max(0, centerX - radiusX); x <= Math.Min(width - 1, centerX + radiusX); x++)
            {
                var dx = (float)(x - centerX) / radiusX;
                var distance = (dx * dx) + (dy * dy);
                if (distance < 1f)
                {
                    var i = (y * width) + x;
                    var weight = 0.85f * (1f - (distance * distance));
                    _pixels[i] = Rgb.Lerp(Rgb.FromRgba(_pixels[i]), Nucleus, weight).ToRgba();
                }
            }
        }
    }

    private readonly record struct Rgb(float R, float G, float B)
    {
        public static Rgb Lerp(Rgb a, Rgb b, float t) =>
            new(ValueNoise.Lerp(a.R, b.R, t), ValueNoise.Lerp(a.G, b.G, t), ValueNoise.Lerp(a.B, b.B, t));

        public static Rgb FromRgba(uint rgba) => new(rgba & 0xFF, (rgba >> 8) & 0xFF, (rgba >> 16) & 0xFF);

        /// <summary>Packs as little-endian RGBA8888 with opaque alpha.</summary>
        public uint ToRgba() => Channel(R) | (Channel(G) << 8) | (Channel(B) << 16) | 0xFF000000u;

        private static uint Channel(float v) => (uint)Math.Clamp(v + 0.5f, 0f, 255f);
    }
}
