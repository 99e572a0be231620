using System.Diagnostics;
using System.IO.Compression;
using System.Text;
using System.Text.Json;
using DocFlow.Documents;
using DocFlow.Engine;
using DocFlow.Processing;

namespace DocFlow.DevSet;

/// <summary>
/// The real-PDF table set (tables-real.json): pages of Debian documentation packages labelled by hand. `tables-real-fetch`
/// downloads and extracts the packages into a cache (the PDFs are never in the repository); `tables-real` runs the engine
/// on the labelled pages, as `docflow process` does, and scores the tables it finds.
/// </summary>
internal static class TablesReal
{
    private static readonly JsonSerializerOptions Json = new() { PropertyNameCaseInsensitive = true };

    // ---------------------------------------------------------------- labels

    internal sealed record Labels(List<LabelledDocument> Documents, List<LabelledPage> Pages);

    internal sealed record LabelledDocument(string Id, string Package, string Version, string Path, string Producer, string Half);

    internal sealed record LabelledPage(string Doc, int Page, string? Note, List<ExpectedTable> Tables);

    /// <summary>A labelled table: rows x columns (header rows counted), cells as [row, column, text] with their boxes
    /// (fractions of the page: left, top, right, bottom). An optional table is neither expected nor a phantom.</summary>
    internal sealed record ExpectedTable(int Rows, int Cols, int Header, bool Optional, List<JsonElement[]> Cells, List<float[]?> Boxes)
    {
        public IEnumerable<(int Row, int Col, string Text, float[]? Box)> Labelled() =>
            Cells.Select((c, i) => (c[0].GetInt32(), c[1].GetInt32(), c[2].GetString() ?? "", i < Boxes.Count ? Boxes[i] : null));
    }

    internal static Labels Load(string path) =>
        JsonSerializer.Deserialize<Labels>(File.ReadAllText(path), Json) ?? throw new InvalidDataException($"{path}: no labels");

    private static string Folder(string cache, LabelledDocument d) => System.IO.Path.Combine(cache, $"{d.Package}_{d.Version}");

    // ---------------------------------------------------------------- fetch

    public static int Fetch(string labelsPath, string cache)
    {
        var labels = Load(labelsPath);
        Directory.CreateDirectory(cache);
        var debs = System.IO.Path.Combine(cache, "debs");
        Directory.CreateDirectory(debs);
        var failed = 0;
        foreach (var group in labels.Documents.GroupBy(d => (d.Package, d.Version)))
        {
            var target = Folder(cache, group.First());
            if (!Directory.Exists(target))
            {
                var deb = Directory.GetFiles(debs, $"{group.Key.Package}_*.deb").FirstOrDefault(f => Matches(f, group.Key.Version));
                if (deb is null)
                {
                    if (Run("apt-get", debs, "download", $"{group.Key.Package}={group.Key.Version}") != 0)
                    {
                        Console.Error.WriteLine($"{group.Key.Package} {group.Key.Version}: apt-get download failed (run apt-get update; is this version still in the archive?)");
                        failed++;
                        continue;
                    }
                    deb = Directory.GetFiles(debs, $"{group.Key.Package}_*.deb").FirstOrDefault(f => Matches(f, group.Key.Version));
                }
                if (deb is null || Run("dpkg-deb", debs, "-x", deb, target + ".tmp") != 0)
                {
                    Console.Error.WriteLine($"{group.Key.Package} {group.Key.Version}: cannot extract");
                    failed++;
                    continue;
                }
                Directory.Move(target + ".tmp", target);
            }
            foreach (var d in group)
            {
                var file = System.IO.Path.Combine(target, d.Path);
                var ok = File.Exists(file);
                if (!ok) failed++;
                Console.WriteLine($"{d.Id,-10} {d.Package} {d.Version} {d.Path}: {(ok ? "present" : "MISSING")}");
            }
        }
        Console.WriteLine($"tables-real-fetch: {labels.Documents.Count - failed} of {labels.Documents.Count} documents in {cache}");
        return failed == 0 ? 0 : 1;
    }

    // The file name escapes ':' (an epoch) as %3a.
    private static bool Matches(string deb, string version) =>
        System.IO.Path.GetFileName(deb).Split('_') is [_, var v, ..] && Uri.UnescapeDataString(v) == version;

    private static int Run(string command, string directory, params string[] args)
    {
        var info = new ProcessStartInfo(command) { WorkingDirectory = directory, RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in args) info.ArgumentList.Add(a);
        using var process = Process.Start(info) ?? throw new InvalidOperationException($"cannot start {command}");
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (process.ExitCode != 0) Console.Error.Write(stderr);
        _ = stdout.Result;
        return process.ExitCode;
    }

    // ---------------------------------------------------------------- score

    /// <summary>A table the engine found: its box (page fractions), its cells on a grid (spans placed), its shape.</summary>
    private sealed record Found(float Left, float Top, float Right, float Bottom, Dictionary<(int, int), string> Cells, int Rows, int Cols)
    {
        public bool Contains(float[] b, float tol)
        {
            var (x, y) = ((b[0] + b[2]) / 2, (b[1] + b[3]) / 2);
            return x >= Left - tol && x <= Right + tol && y >= Top - tol && y <= Bottom + tol;
        }
    }

    private sealed class Tally
    {
        public int Pages, PagesRight, Expected, Found, OneToOne, ShapeRight, Merged, Split, Phantom, Missed, Cells, CellsRight, CellsAnywhere;

        public string Line(string name) =>
            $"{name}: pages with the right table count {PagesRight}/{Pages}; tables expected {Expected}, found {Found}, matched one-to-one {OneToOne} " +
            $"(rows x columns right {ShapeRight}); merged {Merged}, split {Split}, phantom {Phantom}, missed {Missed}; " +
            $"labelled cells right {CellsRight}/{Cells} = {(Cells == 0 ? 1 : (double)CellsRight / Cells):P1} (text found in some cell of the table: {CellsAnywhere}/{Cells})";
    }

    public static async Task<int> ScoreAsync(string labelsPath, string cache, string? half, bool verbose)
    {
        var labels = Load(labelsPath);
        var docs = labels.Documents.ToDictionary(d => d.Id);
        var tallies = new Dictionary<string, Tally>();
        using var engine = new LocalDocumentEngine(new EngineOptions { Slots = 1, MaxPages = 10_000 });
        foreach (var group in labels.Pages.GroupBy(p => p.Doc))
        {
            var doc = docs[group.Key];
            if (half is not null && doc.Half != half) continue;
            var file = System.IO.Path.Combine(Folder(cache, doc), doc.Path);
            if (!File.Exists(file))
            {
                Console.Error.WriteLine($"{file} is missing: run tables-real-fetch first");
                return 1;
            }
            var bytes = Read(file);
            var result = await engine.ProcessAsync(new DocumentInput(doc.Id, bytes) { Pages = PageSelection.Of(group.Select(p => p.Page)) }, CancellationToken.None);
            var text = result.Document.Text ?? "";
            foreach (var labelled in group)
            {
                var page = result.Document.Pages?.FirstOrDefault(p => p.PageNumber == labelled.Page);
                var found = (page?.Tables ?? []).Select(t => ToFound(t, text)).ToList();
                var tally = tallies.TryGetValue(doc.Half, out var t0) ? t0 : tallies[doc.Half] = new Tally();
                var lines = ScorePage(labelled, found, tally);
                if (verbose || lines.Count > 0)
                {
                    var shapes = string.Join(" ", found.Select(f => $"{f.Rows}x{f.Cols}@{f.Top:F2}"));
                    var wanted = string.Join(" ", labelled.Tables.Where(t => !t.Optional).Select(t => $"{t.Rows}x{t.Cols}"));
                    Console.WriteLine($"{doc.Id} p{labelled.Page} [{doc.Half}] expected [{wanted}] found [{shapes}]");
                    foreach (var line in lines) Console.WriteLine("    " + line);
                }
            }
        }
        var all = new Tally();
        foreach (var (name, t) in tallies.OrderBy(k => k.Key, StringComparer.Ordinal))
        {
            Console.WriteLine(t.Line(name));
            foreach (var f in typeof(Tally).GetFields())
                f.SetValue(all, (int)f.GetValue(all)! + (int)f.GetValue(t)!);
        }
        Console.WriteLine(all.Line("all"));
        return 0;
    }

    /// <summary>
    /// Every page's found tables (shape, vertical extent as page fractions, first cells), for finding pages to label in a
    /// new PDF: `tables-scan PDF [FIRST LAST]`. Pages with no table print nothing.
    /// </summary>
    public static async Task<int> ScanAsync(string file, int first, int last)
    {
        using var engine = new LocalDocumentEngine(new EngineOptions { Slots = 1, MaxPages = 10_000 });
        var input = new DocumentInput(System.IO.Path.GetFileName(file), Read(file));
        if (first > 0) input = input with { Pages = PageSelection.Of(Enumerable.Range(first, last - first + 1)) };
        var result = await engine.ProcessAsync(input, CancellationToken.None);
        var text = result.Document.Text ?? "";
        foreach (var page in result.Document.Pages ?? [])
            foreach (var f in (page.Tables ?? []).Select(t => ToFound(t, text)))
                Console.WriteLine($"p{page.PageNumber} {f.Rows}x{f.Cols} y {f.Top:F2}-{f.Bottom:F2}: {Preview(f)}");
        return 0;
    }

    private static byte[] Read(string file)
    {
        if (!file.EndsWith(".gz", StringComparison.Ordinal)) return File.ReadAllBytes(file);
        using var input = new GZipStream(File.OpenRead(file), CompressionMode.Decompress);
        using var output = new MemoryStream();
        input.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Scores one page into the tally; returns what went wrong, one line each.</summary>
    private static List<string> ScorePage(LabelledPage page, List<Found> found, Tally tally)
    {
        const float tol = 0.004f;
        var lines = new List<string>();
        var expected = page.Tables.Where(t => !t.Optional).ToList();
        var optional = page.Tables.Where(t => t.Optional).ToList();
        int Hits(ExpectedTable e, Found f) => e.Labelled().Count(c => c.Box is { } b && f.Contains(b, tol));
        // Found tables that only cover an optional table (a one-column box) are ignored.
        var counted = found.Where(f => expected.Any(e => Hits(e, f) > 0) || !optional.Any(o => Hits(o, f) > 0)).ToList();
        tally.Pages++;
        tally.Expected += expected.Count;
        tally.Found += counted.Count;
        if (counted.Count == expected.Count) tally.PagesRight++;
        else lines.Add($"{counted.Count} tables found, {expected.Count} expected");
        foreach (var f in counted)
        {
            var covers = expected.Count(e => Hits(e, f) > 0);
            if (covers == 0) { tally.Phantom++; lines.Add($"phantom {f.Rows}x{f.Cols} at y {f.Top:F2}-{f.Bottom:F2}: {Preview(f)}"); }
            else if (covers >= 2) { tally.Merged++; lines.Add($"merged: one {f.Rows}x{f.Cols} table at y {f.Top:F2}-{f.Bottom:F2} covers {covers} labelled tables"); }
        }
        foreach (var e in expected)
        {
            var over = counted.Where(f => Hits(e, f) > 0).ToList();
            var cells = e.Labelled().ToList();
            tally.Cells += cells.Count;
            if (over.Count == 0) { tally.Missed++; lines.Add($"missed {e.Rows}x{e.Cols} ({cells.FirstOrDefault().Text})"); continue; }
            if (over.Count >= 2) { tally.Split++; lines.Add($"split: {e.Rows}x{e.Cols} ({cells.FirstOrDefault().Text}) found as {string.Join(" + ", over.Select(f => $"{f.Rows}x{f.Cols}"))}"); }
            var best = over.OrderByDescending(f => Hits(e, f)).First();
            foreach (var (row, col, label, _) in cells)
                if (best.Cells.Values.Any(v => Norm(v) == Norm(label))) tally.CellsAnywhere++;
            if (over.Count != 1 || expected.Count(x => Hits(x, best) > 0) != 1) continue;
            tally.OneToOne++;
            if (best.Rows == e.Rows && best.Cols == e.Cols) tally.ShapeRight++;
            else lines.Add($"shape: {best.Rows}x{best.Cols}, expected {e.Rows}x{e.Cols} ({cells.FirstOrDefault().Text})");
            foreach (var (row, col, label, _) in cells)
            {
                var got = best.Cells.GetValueOrDefault((row, col));
                if (got is not null && Norm(got) == Norm(label)) tally.CellsRight++;
                else lines.Add($"cell r{row} c{col}: expected \"{label}\", got {(got is null ? "nothing" : $"\"{got}\"")}");
            }
        }
        return lines;
    }

    private static string Preview(Found f)
    {
        var s = string.Join(" | ", f.Cells.OrderBy(c => c.Key.Item1).ThenBy(c => c.Key.Item2).Take(6).Select(c => c.Value));
        return s.Length > 90 ? s[..90] + "…" : s;
    }

    /// <summary>Letters and digits only, lower case, compatibility-normalised (ligatures, superscripts): what a cell says, not how it is set.</summary>
    /// <remarks>The build runs in invariant globalization mode, where string.Normalize leaves non-ASCII alone: the Latin
    /// ligatures (U+FB00-FB06) are spelled out here.</remarks>
    internal static string Norm(string s)
    {
        var sb = new StringBuilder();
        foreach (var ch in s)
        {
            var spelled = ch switch
            {
                '\uFB00' => "ff", '\uFB01' => "fi", '\uFB02' => "fl", '\uFB03' => "ffi", '\uFB04' => "ffl", '\uFB05' or '\uFB06' => "st",
                _ => null,
            };
            if (spelled is not null) sb.Append(spelled);
            else if (char.IsLetterOrDigit(ch)) sb.Append(char.ToLowerInvariant(ch));
        }
        return sb.ToString();
    }

    /// <summary>Header rows then body rows on a grid: a cell is placed at the first free column of its row, its spans occupy the rest.</summary>
    private static Found ToFound(Table table, string text)
    {
        var rows = (table.HeaderRows ?? []).Concat(table.BodyRows ?? []).ToList();
        var taken = new HashSet<(int, int)>();
        var cells = new Dictionary<(int, int), string>();
        var cols = 0;
        for (var r = 0; r < rows.Count; r++)
        {
            var c = 0;
            foreach (var cell in rows[r].Cells ?? [])
            {
                while (taken.Contains((r, c))) c++;
                cells[(r, c)] = CellText(cell.Layout, text);
                for (var dr = 0; dr < Math.Max(1, cell.RowSpan); dr++)
                    for (var dc = 0; dc < Math.Max(1, cell.ColSpan); dc++)
                        taken.Add((r + dr, c + dc));
                c += Math.Max(1, cell.ColSpan);
                cols = Math.Max(cols, c);
            }
        }
        var v = table.Layout?.BoundingPoly?.NormalizedVertices ?? [];
        return v.Count == 0
            ? new Found(0, 0, 0, 0, cells, rows.Count, cols)
            : new Found(v.Min(p => p.X), v.Min(p => p.Y), v.Max(p => p.X), v.Max(p => p.Y), cells, rows.Count, cols);
    }

    /// <summary>The anchor's segments concatenated, as a client of the Document JSON reads them.</summary>
    private static string CellText(Layout? layout, string text)
    {
        var raw = string.Concat((layout?.TextAnchor?.TextSegments ?? [])
            .Select(s => text[(int)Math.Clamp(s.StartIndex, 0, text.Length)..(int)Math.Clamp(s.EndIndex, 0, text.Length)]));
        return string.Join(' ', raw.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
    }
}
