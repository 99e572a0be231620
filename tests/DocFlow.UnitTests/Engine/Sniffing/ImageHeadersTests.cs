using DocFlow.Engine.Sniffing;
using DocFlow.Processing;
using DocFlow.UnitTests.Support;

namespace DocFlow.UnitTests.Engine.Sniffing;

public sealed class ImageHeadersTests
{
    public static TheoryData<string, byte[], int, int> SingleFrame() => new()
    {
        { "png", TestImages.Png(37, 21), 37, 21 },
        { "png header only", TestImages.PngHeader(7000, 9000), 7000, 9000 },
        { "jpeg baseline", TestImages.JpegHeader(1234, 567), 1234, 567 },
        { "jpeg progressive", TestImages.JpegHeader(640, 480, sof: 0xC2), 640, 480 },
        { "bmp", TestImages.Bmp(300, 200), 300, 200 },
        { "bmp top-down", TestImages.Bmp(300, -200), 300, 200 },
        { "bmp core header", TestImages.Bmp(31, 17, core: true), 31, 17 },
        { "gif", TestImages.Gif(320, 240), 320, 240 },
        { "webp lossy", TestImages.WebPLossy(1000, 700), 1000, 700 },
        { "webp lossless", TestImages.WebPLossless(16383, 3), 16383, 3 },
        { "webp extended", TestImages.WebPExtended(20000, 10000), 20000, 10000 },
        { "tiff", TestImages.Tiff([(2480, 3508)]), 2480, 3508 },
        { "tiff big-endian long fields", TestImages.Tiff([(70000, 5)], bigEndian: true, longFields: true), 70000, 5 },
    };

    [Theory]
    [MemberData(nameof(SingleFrame))]
    public void ReadFrames_ReturnsSizeFromHeader(string name, byte[] content, int width, int height)
    {
        var frames = ImageHeaders.ReadFrames(content, FileSniffer.Sniff(content).MimeType);
        Assert.True(frames.Count == 1 && frames[0] == new ImageFrameSize(width, height), $"{name}: got {string.Join(", ", frames)}");
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void ReadFrames_MultiPageTiff_ReturnsEveryPage(bool bigEndian)
    {
        (int, int)[] pages = [(100, 200), (300, 400), (5, 6), (2480, 3508)];
        var frames = ImageHeaders.ReadFrames(TestImages.Tiff(pages, bigEndian), "image/tiff");
        Assert.Equal(pages.Select(p => new ImageFrameSize(p.Item1, p.Item2)), frames);
    }

    [Fact]
    public void ReadFrames_TiffBeyondFrameLimit_StopsAfterOneMore()
    {
        var frames = ImageHeaders.ReadFrames(TestImages.Tiff([.. Enumerable.Repeat((10, 10), 50)]), "image/tiff", maxFrames: 5);
        Assert.Equal(6, frames.Count);
    }

    public static TheoryData<string, byte[], string> Garbled() => new()
    {
        { "png cut in IHDR", TestImages.PngHeader(10, 10)[..20], "image/png" },
        { "png zero width", TestImages.PngHeader(0, 10), "image/png" },
        { "jpeg without SOF", [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x04, 0, 0, 0xFF, 0xDA, 0, 2], "image/jpeg" },
        { "jpeg cut short", TestImages.JpegHeader(100, 100)[..24], "image/jpeg" },
        { "jpeg garbage after SOI", [0xFF, 0xD8, 0x12, 0x34, 0x56], "image/jpeg" },
        { "tiff IFD past end", [(byte)'I', (byte)'I', 42, 0, 0xFF, 0xFF, 0, 0], "image/tiff" },
        { "tiff without width", TiffWithoutWidth(), "image/tiff" },
        { "tiff looping IFDs", LoopingTiff(), "image/tiff" },
        { "bmp cut short", TestImages.Bmp(10, 10)[..20], "image/bmp" },
        { "gif cut short", TestImages.Gif(10, 10)[..8], "image/gif" },
        { "webp unknown chunk", [.. TestImages.WebPLossy(10, 10)[..12], .. "ABCD"u8.ToArray(), 0, 0, 0, 0, 0, 0, 0, 0, 0, 0], "image/webp" },
        { "webp lossy without start code", Corrupted(TestImages.WebPLossy(10, 10), 23), "image/webp" },
    };

    [Theory]
    [MemberData(nameof(Garbled))]
    public void ReadFrames_GarbledHeader_ThrowsCorrupt(string name, byte[] content, string mime)
    {
        var e = Assert.Throws<DocumentException>(() => ImageHeaders.ReadFrames(content, mime));
        Assert.True(e.Code == DocumentErrorCode.Corrupt && e.MimeType == mime, $"{name}: {e.Code} {e.Message}");
        Assert.Contains("damaged", e.Message);
    }

    [Fact]
    public void Gif_SizeIsTheLargestFrame_NotTheLogicalScreen()
    {
        var gif = DocFlow.Samples.BadInputs.GifLogicalScreenBypass(30_000, screenSide: 1);
        Assert.Equal([new ImageFrameSize(30_000, 30_000)], ImageHeaders.ReadFrames(gif, "image/gif"));
        var info = ImageHeaders.ReadGif(gif);
        Assert.Equal(1, info.Frames);
        Assert.Equal(900_000_000, info.TotalPixels);
    }

    [Fact]
    public void Gif_FramesAreCounted_UpToOneMoreThanAsked()
    {
        var gif = DocFlow.Samples.BadInputs.GifWithFrames(1_000, 8);
        Assert.Equal(1_000, ImageHeaders.ReadGif(gif).Frames);
        Assert.Equal(1_000 * 64, ImageHeaders.ReadGif(gif).TotalPixels);
        Assert.Equal(11, ImageHeaders.ReadGif(gif, maxFrames: 10).Frames);
    }

    private static byte[] Corrupted(byte[] content, int at)
    {
        content[at] ^= 0xFF;
        return content;
    }

    private static byte[] TiffWithoutWidth()
    {
        var tiff = TestImages.Tiff([(10, 10)]);
        tiff[8 + 2 + 12] = 0x99; // the ImageWidth entry's tag (second entry) becomes an unknown tag
        return tiff;
    }

    private static byte[] LoopingTiff()
    {
        var tiff = TestImages.Tiff([(10, 10)]);
        tiff[8 + 2 + 4 * 12] = 8; // the next-IFD offset points back at the first IFD
        return tiff;
    }
}
