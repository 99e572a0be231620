using SkiaSharp;

namespace DocFlow.UnitTests.Support;

/// <summary>Real JPEG files, encoded with SkiaSharp (referenced through DocFlow.Samples).</summary>
public static class TestJpeg
{
    /// <summary>A grayscale JPEG with a gradient and a dark bar, so it is not uniform.</summary>
    public static byte[] Gray(int width, int height)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque));
        for (var y = 0; y < height; y++)
            for (var x = 0; x < width; x++)
            {
                var v = y > height / 3 && y < height / 3 + 10 ? (byte)20 : (byte)(200 + x * 55 / Math.Max(1, width - 1));
                bitmap.SetPixel(x, y, new SKColor(v, v, v));
            }
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 85);
        return data.ToArray();
    }
}
