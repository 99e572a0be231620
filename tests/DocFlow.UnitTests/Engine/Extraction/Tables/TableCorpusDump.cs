using DocFlow.UnitTests.Support;
using Xunit.Abstractions;

namespace DocFlow.UnitTests.Engine.Extraction.Tables;

public sealed class TableCorpusDump(ITestOutputHelper output)
{
    [Fact]
    public void Dump()
    {
        var name = Environment.GetEnvironmentVariable("DUMP_CASE");
        if (name is null) return;
        var doc = TableCorpusScore.Extract(TableCorpus.All.Single(c => c.Name == name).Build());
        var text = doc.Text!;
        foreach (var line in doc.Pages![0].Lines!)
        {
            var s = line.Layout!.TextAnchor!.TextSegments![0];
            var v = line.Layout.BoundingPoly!.Vertices!;
            output.WriteLine($"{v.Min(p => p.Y),6:0.0} {v.Min(p => p.X),6:0.0}  {text[(int)s.StartIndex..(int)s.EndIndex].TrimEnd()}");
        }
        foreach (var tok in doc.Pages![0].Tokens!.Take(400))
        {
            var s = tok.Layout!.TextAnchor!.TextSegments![0];
            var v = tok.Layout.BoundingPoly!.Vertices!;
            output.WriteLine($"  tok {v.Min(p => p.X),6:0.0}-{v.Max(p => p.X),6:0.0} y{v.Min(p => p.Y),6:0.0}-{v.Max(p => p.Y),6:0.0} [{text[(int)s.StartIndex..(int)s.EndIndex]}]");
        }
        foreach (var t in doc.Pages[0].Tables ?? [])
        {
            output.WriteLine("TABLE");
            foreach (var r in (t.HeaderRows ?? []).Concat(t.BodyRows ?? []))
                output.WriteLine("  | " + string.Join(" | ", r.Cells!.Select(c => TableCorpusScore.CellText(c.Layout, text) + (c.ColSpan > 1 ? $"<{c.ColSpan}>" : ""))));
        }
    }
}
