using DocFlow.Documents;
using DocFlow.Engine.Ocr;

namespace DocFlow.UnitTests.Engine.Ocr;

/// <summary>Two readings of a receipt merged word by word (<see cref="ReadingMerge"/>).</summary>
public sealed class ReadingMergeTests
{
    private static WordLayout W(string text, float left, float right, float confidence, float top = 100, float bottom = 120) =>
        new(text, new Box(left, top, right, bottom), confidence);

    /// <summary>One block of one paragraph per line, as Tesseract's automatic segmentation often gives a receipt's lines.</summary>
    private static List<BlockLayout> Reading(params WordLayout[][] lines) => lines.Select(words =>
    {
        var line = new LineLayout(words, Box.Union(words.Select(w => w.Box)), words.Average(w => w.Confidence));
        return new BlockLayout([new ParagraphLayout([line], line.Box, line.Confidence)], line.Box, line.Confidence);
    }).ToList();

    private static string Text(IReadOnlyList<BlockLayout> blocks) => string.Join("\n", blocks.SelectMany(b => b.Paragraphs)
        .SelectMany(p => p.Lines).Select(l => string.Join(' ', l.Words.Select(w => w.Text))));

    [Fact]
    public void A_word_the_second_reading_read_more_confidently_replaces_the_first_readings()
    {
        var first = Reading([W("LOT", 10, 50, 0.95f), W("211082111", 60, 160, 0.15f), W("JALAN", 170, 230, 0.93f)]);
        var second = Reading([W("LOT", 12, 50, 0.9f), W("2110&2111", 61, 158, 0.9f), W("JALAN", 171, 229, 0.9f)]);

        var merged = ReadingMerge.Merge(first, second);

        Assert.Equal("LOT 2110&2111 JALAN", Text(merged));
        // The other words keep the first reading's (equal text, or not more confident).
        Assert.Equal(0.95f, merged[0].Paragraphs[0].Lines[0].Words[0].Confidence);
        Assert.Equal(0.9f, merged[0].Paragraphs[0].Lines[0].Words[1].Confidence);
    }

    [Fact]
    public void A_less_confident_or_barely_more_confident_second_reading_changes_nothing()
    {
        var first = Reading([W("PERMAS", 10, 90, 0.80f), W("UTARA", 100, 160, 0.80f)]);
        var second = Reading([W("FERMAS", 10, 90, 0.60f), W("UTAKA", 100, 160, 0.80f + ReadingMerge.Margin / 2)]);

        Assert.Equal("PERMAS UTARA", Text(ReadingMerge.Merge(first, second)));
    }

    [Fact]
    public void Amounts_dates_and_times_stay_the_first_readings()
    {
        // The receipt rules read both readings for these and choose by the till's arithmetic and labels.
        var first = Reading(
            [W("TOTAL", 10, 70, 0.9f), W("112.46", 200, 260, 0.40f)],
            [W("Date:", 10, 60, 0.9f, 140, 160), W("D2/02/17", 70, 150, 0.25f, 140, 160), W("18:24", 160, 210, 0.3f, 140, 160)]);
        var second = Reading(
            [W("TOTAL", 10, 70, 0.9f), W("112.45", 200, 260, 0.95f)],
            [W("Date:", 10, 60, 0.9f, 140, 160), W("D2/O2/17", 70, 150, 0.9f, 140, 160), W("18.24", 160, 210, 0.9f, 140, 160)]);

        Assert.Equal("TOTAL 112.46\nDate: D2/02/17 18:24", Text(ReadingMerge.Merge(first, second)));
    }

    [Fact]
    public void Words_split_differently_are_replaced_as_a_group()
    {
        var first = Reading([W("J", 10, 20, 0.9f), W("JUN", 25, 60, 0.4f), W("SS3", 70, 100, 0.0f), W("21/35", 105, 150, 0.9f)]);
        var second = Reading([W("JLN", 12, 58, 0.9f), W("$$21/35", 68, 150, 0.8f)]);

        // J, JUN (mean 0.65) and JLN (0.9) overlap; SS3 and 21/35 (mean 0.45) and $$21/35 (0.8).
        Assert.Equal("JLN $$21/35", Text(ReadingMerge.Merge(first, second)));
    }

    [Fact]
    public void Only_a_line_level_with_it_counts_and_nothing_is_added()
    {
        var first = Reading([W("SEKSYEN", 10, 90, 0.3f), W("U5", 100, 130, 0.9f)]);
        // The second reading's line one line lower (no vertical overlap), and a word to the right of the first's line.
        var second = Reading([W("SEKSYEN", 10, 90, 0.95f, 125, 145)], [W("BANDAR", 300, 380, 0.95f)]);

        Assert.Equal("SEKSYEN U5", Text(ReadingMerge.Merge(first, second)));
        Assert.Same(first, ReadingMerge.Merge(first, []));
    }
}
