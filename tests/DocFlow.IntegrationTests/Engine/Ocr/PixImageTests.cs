using DocFlow.Engine.Imaging;
using DocFlow.IntegrationTests.Support;
using DocFlow.Processing;

namespace DocFlow.IntegrationTests.Engine.Ocr;

public sealed class PixImageTests
{
    [Theory]
    [InlineData("png")]
    [InlineData("jpg")]
    [InlineData("bmp")]
    [InlineData("gif")]
    [InlineData("pgm")]
    [InlineData("webp")]
    [InlineData("tiff")]
    public void Decode_SupportedFormat_ReadsDimensions(string format)
    {
        var bytes = OcrTestImages.Blank(321, 123, format);

        using var image = PixImage.Decode(bytes);

        Assert.Equal(321, image.Width);
        Assert.Equal(123, image.Height);
        Assert.Contains(image.Depth, new[] { 1, 2, 4, 8, 16, 32 });
    }

    [Fact]
    public void Decode_PngWithDensity_ReportsResolution()
    {
        using var image = PixImage.Decode(OcrTestImages.Render("Resolution"));

        Assert.InRange(image.XResolution, 299, 301);
    }

    [Fact]
    public void CountFrames_MultiPageTiff_ReturnsPageCount()
    {
        var tiff = OcrTestImages.MultiPageTiff(
            OcrTestImages.Blank(100, 50, "png"), OcrTestImages.Blank(200, 60, "png"), OcrTestImages.Blank(300, 70, "png"));

        Assert.Equal(3, PixImage.CountFrames(tiff));
        Assert.Equal(1, PixImage.CountFrames(OcrTestImages.Blank(10, 10, "png")));
        Assert.Equal(1, PixImage.CountFrames(OcrTestImages.Blank(10, 10, "tiff")));
    }

    [Fact]
    public void Decode_TiffFrame_ReturnsThatFrame()
    {
        var tiff = OcrTestImages.MultiPageTiff(
            OcrTestImages.Blank(100, 50, "png"), OcrTestImages.Blank(200, 60, "png"), OcrTestImages.Blank(300, 70, "png"));

        for (var frame = 0; frame < 3; frame++)
        {
            using var image = PixImage.Decode(tiff, frame);
            Assert.Equal(100 * (frame + 1), image.Width);
            Assert.Equal(50 + 10 * frame, image.Height);
        }
        var error = Assert.Throws<DocumentException>(() => PixImage.Decode(tiff, 3));
        Assert.Equal(DocumentErrorCode.Corrupt, error.Code);
    }

    [Fact]
    public void Decode_CorruptBytes_ThrowsCorrupt()
    {
        var png = OcrTestImages.Blank(200, 100, "png");
        var random = new byte[4096];
        new Random(7).NextBytes(random);

        foreach (var bytes in new[] { random, png[..(png.Length / 3)], png[..8], Array.Empty<byte>() })
        {
            var error = Assert.Throws<DocumentException>(() => PixImage.Decode(bytes));
            Assert.Equal(DocumentErrorCode.Corrupt, error.Code);
            Assert.False(string.IsNullOrWhiteSpace(error.Message));
        }
    }

    [Fact]
    public void CountFrames_BrokenTiffDirectory_ThrowsCorrupt()
    {
        var tiff = OcrTestImages.Blank(50, 50, "tiff");
        // Point the first directory past the end of the file.
        var broken = tiff.ToArray();
        BitConverter.TryWriteBytes(broken.AsSpan(4), broken[0] == 'I' ? (uint)broken.Length + 100 : System.Buffers.Binary.BinaryPrimitives.ReverseEndianness((uint)broken.Length + 100));

        var error = Assert.Throws<DocumentException>(() => PixImage.CountFrames(broken));
        Assert.Equal(DocumentErrorCode.Corrupt, error.Code);
    }

    [Fact]
    public void Rotate_QuarterTurns_SwapsDimensionsAndMovesPixels()
    {
        using var image = PixImage.Decode(OcrTestImages.Blank(300, 100, "png"));

        using var once = image.Rotate(1);
        using var twice = image.Rotate(2);
        using var back = once.Rotate(-1);

        Assert.Equal((100, 300), (once.Width, once.Height));
        Assert.Equal((300, 100), (twice.Width, twice.Height));
        Assert.Equal((300, 100), (back.Width, back.Height));
    }

    [Fact]
    public void ScaledGreyAny_SmallEnlargement_SharpensEdges_LargerOneOnlyInterpolates()
    {
        // A grey bar (64) three pixels wide on white: interpolation alone never goes darker than the bar (every output
        // pixel is a mix of its neighbours); the small enlargement's unsharp mask does, giving back the edge contrast.
        using var image = PixImage.Decode(Pgm(40, 40, (x, _) => x is >= 18 and <= 20 ? (byte)64 : (byte)255));

        using var small = image.ScaledGreyAny(1.3f);
        using var large = image.ScaledGreyAny(2f);

        Assert.Equal((52, 52), (small.Width, small.Height));
        Assert.True(Darkest(small) < 64, $"1.3x: darkest {Darkest(small)}, not sharpened");
        Assert.InRange(Darkest(large), 64, 80);
        Assert.Equal(255, large.GreyAt(2, 40));
    }

    private static int Darkest(PixImage image)
    {
        var darkest = 255;
        for (var x = 0; x < image.Width; x++)
            darkest = Math.Min(darkest, image.GreyAt(x, image.Height / 2));
        return darkest;
    }

    private static byte[] Pgm(int width, int height, Func<int, int, byte> grey)
    {
        var header = System.Text.Encoding.ASCII.GetBytes($"P5\n{width} {height}\n255\n");
        var bytes = new byte[header.Length + width * height];
        header.CopyTo(bytes, 0);
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
                bytes[header.Length + y * width + x] = grey(x, y);
        return bytes;
    }
}
