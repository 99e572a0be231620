using DocFlow.Engine.Ocr;

namespace DocFlow.UnitTests.Engine.Ocr;

public sealed class TesseractModelNamesTests
{
    [Theory]
    [InlineData("eng", "tesseract-ocr-eng")]
    [InlineData("chi_sim", "tesseract-ocr-chi-sim")]
    [InlineData("Latin", "tesseract-ocr-script-latn")]
    [InlineData("Cyrillic", "tesseract-ocr-script-cyrl")]
    [InlineData("HanS_vert", "tesseract-ocr-script-hans-vert")]
    [InlineData("Canadian_Aboriginal", "tesseract-ocr-script-cans")]
    public void AptPackage_NamesDebiansPackage(string model, string package) =>
        Assert.Equal(package, TesseractEnginePool.AptPackage(model));

    [Theory]
    [InlineData("eng", "en")]
    [InlineData("eng+deu", "en+de")]
    [InlineData("eng+Latin", "en")]
    [InlineData("Latin+msa", "ms")]
    [InlineData("Latin", "Latin")]
    public void LanguageCode_LeavesScriptModelsOut(string models, string code) =>
        Assert.Equal(code, TesseractEnginePool.LanguageCode(models.Split('+')));
}
