using DocFlow.Documents;
using DocFlow.Engine.Extraction;
using DocFlow.Engine.Extraction.Forms;
using DocFlow.Engine.Extraction.Forms.Learning;
using DocFlow.Engine.Extraction.Tables;
using DocFlow.UnitTests.Engine.Extraction.Tables;

namespace DocFlow.UnitTests.Engine.Extraction.Forms;

/// <summary>The learned form extractor (shipped models) on scanned-looking pages built in code.</summary>
public sealed class LearnedFormTests
{
    private static List<(string Name, string Value)> Fields(FixturePage page)
    {
        var (document, layouts) = page.Build(PageSource.Ocr);
        new TableEnricher().Enrich(document, layouts, CancellationToken.None);
        new FormEnricher().Enrich(document, layouts, CancellationToken.None);
        // A value over several lines spans their line breaks in the text; compare words.
        static string Words(string text) => string.Join(' ', text.Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries));
        return [.. (document.Pages![0].FormFields ?? []).Select(f => (Words(FixturePage.Text(document, f.FieldName)), Words(FixturePage.Text(document, f.FieldValue))))];
    }

    [Fact]
    public void TheEngineShipsTheFormModels_WithTheFeaturesItComputes()
    {
        var models = FormModels.Embedded;

        Assert.NotNull(models);
        Assert.Equal(FormSegments.JoinFeatureNames, models.Join!.Features);
        Assert.Equal(FormSegments.FeatureNames, models.Question.Features);
        Assert.Equal(FormSegments.FeatureNames, models.Answer.Features);
        Assert.Equal(FormSegments.FeatureNames, models.Header.Features);
        Assert.Equal(FormLinking.MergeFeatureNames, models.Merge.Features);
        Assert.Equal(FormLinking.LinkFeatureNames, models.Link.Features);
        Assert.Equal(FormLinking.RerankFeatureNames, models.Rerank!.Features);
        Assert.Equal(FormModels.RerankLinkThreshold, models.LinkThreshold);
    }

    [Fact]
    public void KeysWithoutColons_TakeTheValuesToTheirRight()
    {
        var fields = Fields(new FixturePage()
            .Line(60, 14, (180, "PRODUCT SPECIFICATION"))
            .Line(100, (50, "BRAND"), (200, "Phoenix Lights"))
            .Line(120, (50, "COMPANY"), (200, "B.A.T. Cyprus Ltd."))
            .Line(140, (50, "DATE"), (200, "May 1, 1985")));

        Assert.Contains(("COMPANY", "B.A.T. Cyprus Ltd."), fields);
        Assert.Contains(("DATE", "May 1, 1985"), fields);
    }

    [Fact]
    public void AValueBelowItsKey_IsItsValue()
    {
        var fields = Fields(new FixturePage()
            .Line(100, (50, "SUPERVISOR / MANAGER"), (300, "DATE"))
            .Line(116, (50, "J. S. Wigand"), (300, "9/3/92")));

        Assert.Contains(("SUPERVISOR / MANAGER", "J. S. Wigand"), fields);
        Assert.Contains(("DATE", "9/3/92"), fields);
    }

    [Fact]
    public void ARowOfColumnHeaders_GivesOnePairPerCellBelow()
    {
        var fields = Fields(new FixturePage()
            .Line(100, (200, "Tar"), (300, "Nicotine"))
            .Line(118, (200, "9.1"), (300, "0.88"))
            .Line(134, (200, "5.5"), (300, "0.55")));

        Assert.Contains(("Tar", "9.1"), fields);
        Assert.Contains(("Tar", "5.5"), fields);
        Assert.Contains(("Nicotine", "0.88"), fields);
        Assert.Contains(("Nicotine", "0.55"), fields);
    }

    [Fact]
    public void AValueOverSeveralLines_IsOneValue()
    {
        var fields = Fields(new FixturePage()
            .Line(100, (50, "SUGGESTION"), (160, "Discontinue coal retention analyses on"))
            .Line(114, (160, "licensee submitted product samples."))
            .Line(150, (50, "DATE"), (160, "9/3/92")));

        Assert.Contains(("SUGGESTION", "Discontinue coal retention analyses on licensee submitted product samples."), fields);
    }

    [Fact]
    public void ACheckBox_IsTheValueOfItsLabel()
    {
        var fields = Fields(new FixturePage()
            .Line(100, (50, "Have you contacted your manager?"))
            .Line(116, (50, "☒ Yes"), (150, "☐ No")));

        Assert.Contains(("Yes", "☒"), fields);
        Assert.Contains(("No", "☐"), fields);
    }

    [Fact]
    public void TheUnderscoresOfAFillInLine_AreNotPartOfTheValue()
    {
        var fields = Fields(new FixturePage()
            .Line(100, (50, "NAME"), (120, "__M._HAMANN____"))
            .Line(120, (50, "PHONE"), (120, "_______ 4471 ____")));

        Assert.Contains(("NAME", "M._HAMANN"), fields);
        Assert.Contains(("PHONE", "4471"), fields);
    }

    [Fact]
    public void AColonReadAsACommaOrAPoint_EndsTheKey_ButAnAbbreviationKeepsItsPoint()
    {
        var fields = Fields(new FixturePage()
            .Line(100, (50, "DATE,"), (200, "9/3/92"))
            .Line(140, (50, "COMPANY."), (200, "B.A.T. Cyprus Ltd."))
            .Line(160, (50, "REF NO."), (200, "A-7731")));

        Assert.Contains(("DATE", "9/3/92"), fields);
        Assert.Contains(("COMPANY", "B.A.T. Cyprus Ltd."), fields);
        Assert.Contains(("REF NO.", "A-7731"), fields);
    }

    [Theory]
    [InlineData("DATE,", true)]
    [InlineData("Name;", true)]
    [InlineData("Address.", true)]
    [InlineData("No.", false)]
    [InlineData("Tel.", false)]
    [InlineData("10.", false)]
    [InlineData(",", false)]
    [InlineData("DATE", false)]
    public void AMisreadColon_IsACommaOrSemicolon_OrAPointAfterAWord(string word, bool expected) =>
        Assert.Equal(expected, FormEnricher.EndsWithMisreadColon(word));

    [Fact]
    public void AKeyStartingLowerCase_MakesNoPair_UnlessTheDecodingAllowsIt()
    {
        var (document, layouts) = new FixturePage()
            .Line(100, (50, "DATE"), (200, "9/3/92"))
            .Line(120, (50, "signed by"), (200, "J. S. Wigand"))
            .Line(140, (50, "GROUP"), (200, "LICENSEE"))
            .Build(PageSource.Ocr);
        var view = DocFlow.Engine.Extraction.DocumentView.Pages(document, layouts)[0];
        var models = FormModels.Embedded!;

        var allowed = LearnedForms.Find(view, models, decoding: FormDecoding.Default with { LowerCaseKeys = true });
        var pairs = LearnedForms.Find(view, models);

        Assert.Contains(allowed, p => p.Question.Text == "signed by");
        Assert.DoesNotContain(pairs, p => LearnedForms.StartsLower(p.Question.Text));
        Assert.Contains(pairs, p => p.Question.Text == "DATE" && p.Answer.Text == "9/3/92");
    }

    [Theory]
    [InlineData("cc:", true)]
    [InlineData("CC", true)]
    [InlineData("Copies to:", true)]
    [InlineData("Distribution:", true)]
    [InlineData("Cost:", false)]
    [InlineData("cc: J. Smith", false)]
    public void ADistributionListKey_IsCcCopiesToOrDistribution(string text, bool expected) =>
        Assert.Equal(expected, LearnedForms.IsCopyListKey(text));

    [Fact]
    public void ADistributionList_GivesItsKeyOnePairPerName_UpToTheNextKey()
    {
        var page = new FixturePage()
            .Line(100, (50, "DATE"), (200, "9/3/92"))
            .Line(300, (50, "cc:"), (100, "A. H. Tisch"), (300, "V. Norman"))
            .Line(316, (100, "R. H. Orcutt"), (300, "A. W. Spears"))
            .Line(332, (100, "M. A. Peterson"))
            .Line(348, (50, "Subject:"), (200, "Product test"));
        var (document, layouts) = page.Build(PageSource.Ocr);
        var view = DocFlow.Engine.Extraction.DocumentView.Pages(document, layouts)[0];
        var models = FormModels.Embedded!;

        var pairs = LearnedForms.Find(view, models, decoding: FormDecoding.Default with { CopyLists = true });
        var without = LearnedForms.Find(view, models, decoding: FormDecoding.Default with { CopyLists = false });

        var names = pairs.Where(p => p.Question.Text == "cc:").Select(p => p.Answer.Text).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(["A. H. Tisch", "A. W. Spears", "M. A. Peterson", "R. H. Orcutt", "V. Norman"], names);
        Assert.DoesNotContain(pairs, p => p.Question.Text == "cc:" && p.Answer.Text.Contains("Product", StringComparison.Ordinal));
        Assert.Contains(pairs, p => p.Question.Text == "DATE" && p.Answer.Text == "9/3/92");
        Assert.True(without.Count(p => p.Question.Text == "cc:") < names.Count);
    }

    private static List<(string Name, string Value)> FieldsWith(FixturePage page, FormEnricher enricher)
    {
        var (document, layouts) = page.Build(PageSource.Ocr);
        enricher.Enrich(document, layouts, CancellationToken.None);
        return [.. (document.Pages![0].FormFields ?? []).Select(f => (FixturePage.Text(document, f.FieldName), FixturePage.Text(document, f.FieldValue)))];
    }

    [Fact]
    public void OneLabelAboveAValue_AmongLearnedPairs_IsNoPair_ButAFormLaidOutThatWayKeepsThem()
    {
        static FixturePage Form(int labelsAbove)
        {
            var page = new FixturePage()
                .Line(60, (50, "DATE"), (200, "9/3/92"))
                .Line(80, (50, "GROUP"), (200, "LICENSEE"));
            string[] labels = ["Full name", "Home address", "Relationship"];
            string[] values = ["Marta Kowalczyk", "27 Willow Lane", "Sister"];
            for (var i = 0; i < labelsAbove; i++)
                page = page.Line(140 + 50 * i, 8, (50, labels[i])).Line(152 + 50 * i, 12, (50, values[i]));
            return page;
        }

        var lone = FieldsWith(Form(1), new FormEnricher());
        var loneAllowed = FieldsWith(Form(1), new FormEnricher { MinLabelsAbove = 1 });
        var three = FieldsWith(Form(3), new FormEnricher());

        Assert.Contains(("Full name", "Marta Kowalczyk"), loneAllowed);
        Assert.DoesNotContain(("Full name", "Marta Kowalczyk"), lone);
        Assert.Contains(("Full name", "Marta Kowalczyk"), three);
        Assert.Contains(("Relationship", "Sister"), three);
    }

    [Fact]
    public void ATitleAboveTheForm_IsNotAKey()
    {
        var fields = Fields(new FixturePage()
            .Line(40, 18, (150, "R&D QUALITY IMPROVEMENT"))
            .Line(100, (50, "DATE"), (200, "9/3/92"))
            .Line(120, (50, "GROUP"), (200, "LICENSEE")));

        Assert.DoesNotContain(fields, f => f.Name.Contains("QUALITY", StringComparison.Ordinal));
        Assert.Contains(("DATE", "9/3/92"), fields);
    }
}

/// <summary>Phrases of a page without a join model: the rule cuts at wide gaps, after a key's colon and at fill characters.</summary>
public sealed class FormSegmentsTests
{
    [Fact]
    public void WithoutAJoinModel_APhraseEndsAtAWideGap_AfterAColon_AndAtAFillLine()
    {
        var (document, layouts) = new FixturePage()
            .Line(100, (50, "Date: 9/3/92"), (200, "Ref no"), (260, "____"), (290, "A-7"))
            .Build(PageSource.Ocr);
        var view = DocFlow.Engine.Extraction.DocumentView.Pages(document, layouts)[0];

        var (segments, _) = FormSegments.Segment(view, models: null);

        Assert.Equal(["Date:", "9/3/92", "Ref no", "A-7"], segments.Select(s => s.Text));
    }

    private static FormSegment Segment(string text, float left, float top, float right, int row) =>
        new([.. text.Split(' ').Select((w, i) => new WordView(w, new Box(left + i * (right - left) / text.Split(' ').Length, top, left + (i + 1) * (right - left) / text.Split(' ').Length - 2, top + 10), 90, 0, w.Length))], row, 0);

    [Theory]
    [InlineData("Male", "(99)", 13, true, true)]
    [InlineData("STRENGTH", "(7=Stronger)", 12, true, true)]
    [InlineData("This Change:", "(From Current Budget)", 12, true, true)]
    [InlineData("Tar", "(Mg/Cigt)", 30, true, false)] // more than 1.5 text heights under it
    [InlineData("MENTHOL:", "(8) PACK SIZE SOLD:", 12, true, false)] // an enumerated key of its own
    [InlineData("Cost Per", "Interview", 12, true, true)]
    [InlineData("Cost Per", "Interview", 12, false, false)] // unfinished lines only when asked
    [InlineData("NO. OF", "STORES", 12, true, true)]
    [InlineData("Approved By", "J. Smith", 12, true, false)] // "by" ends labels
    [InlineData("Bobbin Width", "Bobbin Length", 12, true, false)] // two keys, one over the other
    public void AKeysSecondLine_IsABracketedQualifier_OrTheRestOfAnUnfinishedLine(string upper, string lower, float top, bool wrapped, bool expected)
    {
        List<FormSegment> segments = [Segment(upper, 100, 0, 180, 0), Segment(lower, 95, top, 190, 1)];
        float[][] roles = [[0.8f, 0.1f, 0.1f], [0.3f, 0.6f, 0.1f]];

        Assert.Equal(expected, FormLinking.IsKeyContinuation(segments, roles, (0, 1), 10, wrapped: wrapped));
    }

    [Fact]
    public void ABracketedLineUnderAValue_DoesNotContinueIt()
    {
        List<FormSegment> segments = [Segment("4/19/74", 100, 0, 160, 0), Segment("(PLI 7/025)", 100, 12, 170, 1)];
        float[][] roles = [[0.1f, 0.9f, 0f], [0.2f, 0.7f, 0.1f]];

        Assert.False(FormLinking.IsKeyContinuation(segments, roles, (0, 1), 10));
    }

    [Fact]
    public void APhraseCutAtItsSplits_BecomesItsParts_AndTheRowsLaterPhrasesMoveOn()
    {
        List<FormSegment> segments = [Segment("Total Sample 214", 100, 0, 250, 0), new(Segment("Date", 300, 0, 340, 0).Words, 0, 1), Segment("NAME Paul Smith", 100, 20, 250, 1)];
        var cuts = new Dictionary<int, SortedSet<int>> { [0] = [2], [2] = [1] };

        var cut = FormSegments.ApplySplits(segments, cuts);

        Assert.Equal(["Total Sample", "214", "Date", "NAME", "Paul Smith"], cut.Select(s => s.Text));
        Assert.Equal([0, 1, 2, 0, 1], cut.Select(s => s.IndexInRow));
        Assert.Equal([0, 0, 0, 1, 1], cut.Select(s => s.Row));
        Assert.Same(segments[0].Words[2], cut[1].Words[0]);
    }

    [Fact]
    public void ASplitCandidate_IsEveryPlaceInsideAPhrase_WithEachPartsRolesAsAPhraseOfItsOwn()
    {
        var (document, layouts) = new FixturePage()
            .Line(100, (50, "Total Sample 214"), (300, "Date"))
            .Build(PageSource.Ocr);
        var view = DocFlow.Engine.Extraction.DocumentView.Pages(document, layouts)[0];
        var (segments, median) = FormSegments.Segment(view, models: null);
        float[][] roles = [.. segments.Select(_ => new[] { 0.5f, 0.5f, 0f })];
        // A stand-in role model: a part with digits reads as a value, one without as a key.
        float[] RolesOf(float[] f) => f[Array.IndexOf(FormSegments.FeatureNames, "digits")] > 0 ? [0.1f, 0.9f, 0f] : [0.9f, 0.1f, 0f];

        var candidates = FormSegments.SplitCandidates(view, segments, median, roles, RolesOf, joinP: null);

        Assert.Equal(["Total Sample 214", "Date"], segments.Select(s => s.Text));
        Assert.Equal([(0, 1), (0, 2)], candidates.Select(c => (c.Segment, c.At)));
        float Feature((int, int, float[] F) c, string name) => c.F[Array.IndexOf(FormSegments.SplitFeatureNames, name)];
        Assert.Equal(0.9f, Feature(candidates[1], "leftQ"));
        Assert.Equal(0.9f, Feature(candidates[1], "rightA"));
        Assert.Equal(0.9f, Feature(candidates[0], "rightA")); // "Sample 214" has digits too
        Assert.Equal(2, Feature(candidates[1], "leftWords"));
        Assert.Equal(-1, Feature(candidates[1], "joinP"));
    }

    [Fact]
    public void AColumnHeaderOverTwoLines_IsOneKey_UnlessTheDecodingLeavesItToTheMergeModel()
    {
        var (document, layouts) = new FixturePage()
            .Line(100, (200, "Total"), (300, "Male"), (400, "Female"))
            .Line(112, (200, "(205)"), (300, "(99)"), (400, "(106)"))
            .Line(140, (200, "53"), (300, "60"), (400, "46"))
            .Line(160, (200, "39"), (300, "34"), (400, "43"))
            .Build(PageSource.Ocr);
        var view = DocFlow.Engine.Extraction.DocumentView.Pages(document, layouts)[0];
        var models = FormModels.Embedded!;

        var groups = LearnedForms.Analyse(view, models).Groups.Select(g => g.Text).ToList();
        var apart = LearnedForms.Analyse(view, models, decoding: FormDecoding.Default with { KeyContinuationGap = 0 }).Groups.Select(g => g.Text).ToList();

        Assert.Contains("Male (99)", groups);
        Assert.Contains("Female (106)", groups);
        Assert.DoesNotContain("Male (99)", apart);
    }

    [Fact]
    public void UnderscoresGluedToAWord_AreTrimmedFromItsText_AndItsAnchor()
    {
        var word = new DocFlow.Engine.Extraction.WordView("__9/3/92_", new Box(0, 0, 45, 10), 0.9f, 100, 109);

        var trimmed = FormSegments.TrimFill(word);

        Assert.Equal(("9/3/92", 102, 108), (trimmed.Text, trimmed.Start, trimmed.End));
    }
}

/// <summary>The second-stage link features (a candidate among its competitors) and the decoding's per-layout threshold.</summary>
public sealed class FormLinkRerankTests
{
    private static FormGroup Group(string text, float left, float top, float right, float bottom, float question, float answer)
    {
        var segment = new FormSegment([new WordView(text, new Box(left, top, right, bottom), 90, 0, text.Length)], 0, 0);
        return new FormGroup([0], [segment], [[question, answer, 0f]]);
    }

    private static float Feature(float[] row, string name) => row[Array.IndexOf(FormLinking.RerankFeatureNames, name)];

    /// <summary>The first-stage link features of the candidates on a 1000 × 1000 page (median word height 10), and the
    /// second-stage rows made from them with the first stage's probabilities <paramref name="p"/>.</summary>
    private static (float[][] Link, float[][] Rows) Rerank(List<FormGroup> groups, List<(int Question, int Answer)> candidates, float[] p)
    {
        var link = FormLinking.LinkFeatures(groups, candidates, 10, 1000, 1000, []);
        return (link, FormLinking.RerankFeatures(groups, candidates, link, p, 10, 1000));
    }

    [Fact]
    public void ACandidate_IsComparedWithTheOtherCandidatesOfItsKeyAndOfItsValue()
    {
        List<FormGroup> groups =
        [
            Group("DATE", 0, 0, 50, 10, 0.9f, 0.1f),
            Group("9/3/92", 60, 0, 110, 10, 0.1f, 0.9f),
            Group("LICENSEE", 0, 20, 50, 30, 0.1f, 0.8f),
            Group("GROUP", 120, 0, 170, 10, 0.8f, 0.2f),
        ];
        List<(int Question, int Answer)> candidates = [(0, 1), (0, 2), (3, 1)];

        var (link, rows) = Rerank(groups, candidates, [0.9f, 0.3f, 0.5f]);

        Assert.All(rows, r => Assert.Equal(FormLinking.RerankFeatureNames.Length, r.Length));
        Assert.Equal(link[0], rows[0][..link[0].Length]);
        Assert.Equal(0.9f, Feature(rows[0], "p"));
        Assert.Equal(0, Feature(rows[0], "pRankQ"));
        Assert.Equal(0.3f, Feature(rows[0], "bestOtherQ"));
        Assert.Equal(0.5f, Feature(rows[0], "bestOtherA"));
        Assert.Equal(1, Feature(rows[0], "strongA"));
        Assert.Equal(1, Feature(rows[1], "pRankQ"));
        Assert.Equal(0.9f, Feature(rows[1], "bestOtherQ"));
        Assert.Equal(1, Feature(rows[1], "strongQ"));
        Assert.Equal(0, Feature(rows[1], "strongSameSideQ")); // the strong link is beside the key, this one below it
        Assert.Equal(1, Feature(rows[2], "pRankA"));
        Assert.Equal(0.9f, Feature(rows[2], "bestOtherA"));
    }

    [Fact]
    public void LinksOfKeysOnOneRow_ToValuesOnOneRow_RunParallel()
    {
        List<FormGroup> groups =
        [
            Group("Tar", 0, 0, 40, 10, 0.9f, 0.1f),
            Group("Nicotine", 100, 0, 160, 10, 0.9f, 0.1f),
            Group("9.1", 0, 20, 30, 30, 0.1f, 0.9f),
            Group("0.88", 100, 20, 140, 30, 0.1f, 0.9f),
            Group("5.5", 0, 60, 30, 70, 0.1f, 0.9f),
        ];
        List<(int Question, int Answer)> candidates = [(0, 2), (1, 3), (0, 4)];

        var (_, rows) = Rerank(groups, candidates, [0.8f, 0.7f, 0.2f]);

        Assert.Equal(1, Feature(rows[0], "alignedStrong"));
        Assert.Equal(1, Feature(rows[1], "alignedStrong"));
        Assert.Equal(0, Feature(rows[2], "alignedStrong"));
        Assert.Equal(1, Feature(rows[2], "strongSameSideQ"));
    }

    [Fact]
    public void AnOffRowThreshold_AppliesToValuesBelowTheirKey_Only()
    {
        List<FormGroup> groups =
        [
            Group("DATE", 0, 0, 50, 10, 0.9f, 0.1f),
            Group("9/3/92", 60, 0, 110, 10, 0.1f, 0.9f),
            Group("NAME", 200, 0, 250, 10, 0.9f, 0.1f),
            Group("J. S. Wigand", 200, 20, 280, 30, 0.1f, 0.9f),
        ];
        List<(int Question, int Answer)> candidates = [(0, 1), (2, 3)];
        float[] p = [0.5f, 0.5f];

        var same = FormLinking.Decode(candidates, p, 0.4f, groups);
        var stricter = FormLinking.Decode(candidates, p, 0.4f, groups, offRowThreshold: 0.6f);

        Assert.Equal(2, same.Count);
        Assert.Equal((0, 1, 0.5f), Assert.Single(stricter));
    }

    [Fact]
    public void ATableCell_MayTakeItsRowKeyAndItsColumnKey_ButNotTwoRowKeys()
    {
        List<FormGroup> groups =
        [
            Group("Male", 0, 100, 40, 110, 0.9f, 0.1f),
            Group("SCORE", 100, 80, 150, 90, 0.9f, 0.1f),
            Group("1.9", 100, 100, 130, 110, 0.1f, 0.9f),
            Group("Female", 0, 120, 50, 130, 0.9f, 0.1f),
            Group("5.0", 100, 120, 130, 130, 0.1f, 0.9f),
            Group("Other", 60, 100, 90, 110, 0.9f, 0.1f),
        ];
        List<(int Question, int Answer)> candidates = [(0, 2), (1, 2), (3, 4), (1, 4), (5, 2)];
        float[] p = [0.8f, 0.7f, 0.8f, 0.6f, 0.75f];

        var one = FormLinking.Decode(candidates, p, 0.4f, groups);
        var two = FormLinking.Decode(candidates, p, 0.4f, groups, rowAndColumnKeys: true);
        var weakColumn = FormLinking.Decode(candidates, [0.8f, 0.3f, 0.8f, 0.3f, 0.2f], 0.4f, groups, rowAndColumnKeys: true, secondKeyThreshold: 0.25f);

        Assert.Equal([(0, 2), (3, 4)], one.Select(l => (l.Question, l.Answer)));
        Assert.Equal([(0, 2), (3, 4), (1, 2), (1, 4)], two.Select(l => (l.Question, l.Answer)));
        Assert.DoesNotContain(two, l => l.Question == 5); // a second key on the cell's row: the cell has one already
        Assert.Equal([(0, 2), (3, 4), (1, 2), (1, 4)], weakColumn.Select(l => (l.Question, l.Answer)));
    }

    [Fact]
    public void ThePhrasesStackedUnderAKey_AreItsColumn_DownToAGap()
    {
        List<FormGroup> groups =
        [
            Group("BASE", 100, 0, 140, 10, 0.9f, 0.1f),
            Group("(129)", 102, 20, 140, 30, 0.1f, 0.9f),
            Group("(95)", 102, 40, 135, 50, 0.1f, 0.9f),
            Group("beside", 200, 40, 240, 50, 0.1f, 0.9f),
            Group("(63)", 102, 60, 135, 70, 0.1f, 0.9f),
            Group("after a gap", 100, 130, 180, 140, 0.1f, 0.9f),
        ];

        var stacks = FormLinking.Stacks(groups, 10);

        Assert.Equal([1, 2, 4], stacks[0]);
        Assert.Equal([2, 4], stacks[1]);
        Assert.Empty(stacks[3]);
    }
    /// <summary>A table-like section on a page of median word height 10: a row of three column headers over two rows of cells.</summary>
    private static List<FormGroup> Grid() =>
    [
        Group("BRAND", 0, 0, 50, 10, 0.4f, 0.5f),
        Group("STORES", 100, 0, 150, 10, 0.4f, 0.5f),
        Group("VOLUME", 200, 0, 250, 10, 0.4f, 0.5f),
        Group("Kent", 0, 20, 40, 30, 0.1f, 0.9f),
        Group("12", 110, 20, 130, 30, 0.1f, 0.9f),
        Group("480", 210, 20, 240, 30, 0.1f, 0.9f),
        Group("True", 0, 40, 40, 50, 0.1f, 0.9f),
        Group("7", 110, 40, 120, 50, 0.1f, 0.9f),
        Group("250", 210, 40, 240, 50, 0.1f, 0.9f),
    ];

    [Fact]
    public void ARowOfColumnHeadersOverAGrid_TakesItsColumnsCells_WhenTheDecodingAsksForIt()
    {
        var links = new List<(int Question, int Answer, float P)>();

        FormLinking.GridLinks(Grid(), links, 10, minColumns: 3, gap: 2, replaces: false);

        Assert.Equal([(0, 3), (0, 6), (1, 4), (1, 7), (2, 5), (2, 8)], links.Select(l => (l.Question, l.Answer)).OrderBy(l => l));
        // Only cells whose value has digits: the first column is no column of a numeric table.
        var numeric = new List<(int Question, int Answer, float P)>();
        FormLinking.GridLinks(Grid(), numeric, 10, minColumns: 2, gap: 2, replaces: false, digits: true);
        Assert.Equal([(1, 4), (1, 7), (2, 5), (2, 8)], numeric.Select(l => (l.Question, l.Answer)).OrderBy(l => l));
    }

    [Fact]
    public void ACellsKeyOffItsRow_StaysUnlessTheHeaderRowReplacesIt_AndStackedFieldsAreNoGrid()
    {
        var kept = new List<(int Question, int Answer, float P)> { (0, 7, 0.9f) };
        FormLinking.GridLinks(Grid(), kept, 10, minColumns: 3, gap: 2, replaces: false);
        Assert.Equal([0], kept.Where(l => l.Answer == 7).Select(l => l.Question));
        Assert.Contains(kept, l => l.Question == 1 && l.Answer == 4);

        var replaced = new List<(int Question, int Answer, float P)> { (0, 7, 0.9f) };
        FormLinking.GridLinks(Grid(), replaced, 10, minColumns: 3, gap: 2, replaces: true);
        Assert.Equal([1], replaced.Where(l => l.Answer == 7).Select(l => l.Question));

        // Three labels over one column each, but no row of cells across them: stacked fields, no header row.
        List<FormGroup> fields =
        [
            Group("Name", 0, 0, 50, 10, 0.9f, 0.1f),
            Group("Date", 100, 0, 150, 10, 0.9f, 0.1f),
            Group("Code", 200, 0, 250, 10, 0.9f, 0.1f),
            Group("Smith", 0, 20, 40, 30, 0.1f, 0.9f),
            Group("Jones", 0, 40, 40, 50, 0.1f, 0.9f),
        ];
        var none = new List<(int Question, int Answer, float P)>();
        FormLinking.GridLinks(fields, none, 10, minColumns: 2, gap: 2, replaces: false);
        Assert.Empty(none);
    }
}
