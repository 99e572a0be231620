using System.Globalization;
using System.Text;
using DocFlow.Documents;
using DocFlow.Reports.Charts;
using PdfSharp.Pdf;

namespace DocFlow.Reports.Pdf;

/// <summary>
/// report.pdf: a cover page with the batch summary, a page of charts, a page (or more) per document with a
/// result, and an error appendix.
/// </summary>
public static class ReportPdf
{
    /// <summary>Supplier totals on the cover; the rest are in results.csv and summary.json.</summary>
    internal const int CoverTotalsLimit = 12;
    internal const int CoverErrorCodesLimit = 5;
    internal const int EntitiesLimit = 80;
    internal const int TableRowsLimit = 60;
    internal const int TableColumnsLimit = 8;
    private static readonly CultureInfo Inv = CultureInfo.InvariantCulture;

    public static void Render(BatchReport report, Stream output, CancellationToken cancellationToken)
    {
        DejaVuFontResolver.Install();
        using var pdf = new PdfDocument();
        pdf.Info.Title = report.Title;
        pdf.Info.Creator = "DocFlow";
        pdf.Info.CreationDate = report.FinishedAt.UtcDateTime;
        using (var canvas = new PdfCanvas(pdf, $"{report.Title} · {report.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm} UTC"))
        {
            Cover(canvas, report);
            ChartsPage(canvas, report);
            foreach (var row in report.Rows.Where(r => r.HasResult))
            {
                cancellationToken.ThrowIfCancellationRequested();
                DocumentPage(canvas, row, report.DocumentOf(row));
            }
            Appendix(canvas, report);
        }
        pdf.Save(output, closeStream: false);
    }

    private static void Cover(PdfCanvas c, BatchReport report)
    {
        const string section = "Summary";
        var a = report.Aggregate;
        c.NewPage(section);
        c.Space(30);
        c.Heading(report.Title, PdfCanvas.H1, section, after: 2);
        c.Text($"{report.StartedAt.UtcDateTime:yyyy-MM-dd HH:mm:ss} – {report.FinishedAt.UtcDateTime:HH:mm:ss} UTC · {report.Rows.Count} files" + (report.Slots > 0 ? $" · {report.Slots} slot(s)" : ""),
            PdfCanvas.Body, section, muted: true);
        c.Space(14);

        var ok = a.ByStatus.GetValueOrDefault("succeeded");
        var failed = a.ByStatus.GetValueOrDefault("failed");
        var skipped = a.ByStatus.GetValueOrDefault("skipped");
        c.Heading("Batch summary", PdfCanvas.H2, section);
        c.Table(
            [new("Figure", 0.34), new("Value", 0.66)],
            [
                ["Files", Int(a.Documents)],
                ["Succeeded / failed / skipped", $"{ok} / {failed} / {skipped}"],
                ["Pages (OCR'd)", $"{Int(a.Pages)} ({Int(a.OcrPages)} OCR'd)"],
                ["OCR share", a.OcrShare.ToString("P1", Inv)],
                ["Elapsed", (report.ElapsedMs / 1000.0).ToString("0.0 s", Inv)],
                ["Throughput", $"{report.DocsPerSecond.ToString("0.00", Inv)} documents/s, {report.PagesPerSecond.ToString("0.00", Inv)} pages/s"],
                ["Latency per document", a.Latency.Count == 0 ? "–"
                    : $"mean {Ms(a.Latency.MeanMs)}, p95 {Ms(a.Latency.P95Ms)}, max {Ms(a.Latency.MaxMs)} ({Int(a.Latency.Count)} documents)"],
                ["Documents by type", a.ByType.Count == 0 ? "–" : string.Join(", ", a.ByType.Select(t => $"{t.Key} {t.Value}"))],
            ],
            section, headerRow: false);
        c.Space(16);

        // Which engine produced the documents and what they cost: only when a price is configured or a cloud engine ran.
        if (a.Priced || a.Engines.Any(e => !string.Equals(e.Engine, ResultRow.LocalEngine, StringComparison.OrdinalIgnoreCase)))
        {
            c.Heading("Engines", PdfCanvas.H2, section);
            c.Table(
                [new("Engine", 0.28), new("Documents", 0.14, Right: true), new("Pages", 0.14, Right: true),
                 new($"Cost ({a.Currency})", 0.22, Right: true), new("Cost per document", 0.22, Right: true)],
                a.Engines.Select(e => (IReadOnlyList<string?>)[e.Engine, Int(e.Documents), Int(e.Pages),
                    e.Cost is { } cost ? Price(cost) : "–", e.CostPerDocument is { } per ? Price(per) : "–"]),
                section);
            if (a.Engines.Count > 1 && a.Engines.Any(e => e.Cost is not null))
            {
                c.Space(3);
                c.Text($"All engines: {Price(a.Engines.Sum(e => e.Cost ?? 0))} {a.Currency}", PdfCanvas.BodyBold, section);
            }
            c.Space(16);
        }

        c.Heading("Totals per supplier and currency", PdfCanvas.H2, section);
        if (a.Totals.Count == 0)
        {
            c.Text("No document had a total amount.", PdfCanvas.Body, section, muted: true);
        }
        else
        {
            // The suppliers with the most documents; amounts in different currencies are never added up.
            c.Table(
                [new("Supplier", 0.52), new("Currency", 0.14), new("Documents", 0.14, Right: true), new("Total", 0.20, Right: true)],
                a.Totals.OrderByDescending(t => t.Documents).ThenBy(t => t.Currency, StringComparer.Ordinal).ThenByDescending(t => t.Total)
                    .Take(CoverTotalsLimit).Select(t => (IReadOnlyList<string?>)[t.Supplier, t.Currency.Length == 0 ? "–" : t.Currency, Int(t.Documents), Money(t.Total)]),
                section, maxLinesPerCell: 2);
            var byCurrency = a.Totals.GroupBy(t => t.Currency).Select(g => $"{Money(g.Sum(t => t.Total))} {(g.Key.Length == 0 ? "(no currency)" : g.Key)}");
            c.Space(3);
            c.Text("All suppliers: " + string.Join(" · ", byCurrency), PdfCanvas.BodyBold, section, maxLines: 3);
            if (a.Totals.Count > CoverTotalsLimit)
                c.Text($"… and {a.Totals.Count - CoverTotalsLimit} more supplier/currency pairs (see results.csv and summary.json).", PdfCanvas.Body, section, muted: true);
        }
        c.Space(16);

        c.Heading("Errors by code", PdfCanvas.H2, section);
        if (a.Errors.Count == 0)
            c.Text("No document failed.", PdfCanvas.Body, section, muted: true);
        else
            c.Table([new("Code", 0.22), new("Documents", 0.14, Right: true), new("Files", 0.64)],
                a.Errors.Take(CoverErrorCodesLimit).Select(e => (IReadOnlyList<string?>)[e.Code, Int(e.Count), string.Join(", ", e.Files)]), section, maxLinesPerCell: 2);
        if (a.Errors.Count > CoverErrorCodesLimit)
            c.Text($"… and {a.Errors.Count - CoverErrorCodesLimit} more error codes (see the error appendix).", PdfCanvas.Body, section, muted: true);
    }

    private static void ChartsPage(PdfCanvas c, BatchReport report)
    {
        const string section = "Charts";
        c.NewPage(section);
        c.Heading("Charts", PdfCanvas.H2, section, after: 6);
        // Images of 2 px per point; ScaleFactor 2 in the charts keeps their font sizes in points.
        const double w = PdfCanvas.ContentWidth, h = 212;
        int pw = (int)(w * 2), ph = (int)(h * 2);
        c.Image(ReportCharts.LatencyHistogram(report.Rows, pw, ph), w, h, section);
        c.Space(8);
        c.Image(ReportCharts.DocumentsByType(report.Aggregate, pw, ph), w, h, section);
        c.Space(8);
        c.Image(ReportCharts.PagesPerSecond(report.Rows, report.ElapsedMs, pw, ph), w, h, section);
    }

    private static void DocumentPage(PdfCanvas c, ResultRow row, Document? document)
    {
        var section = row.File;
        c.NewPage(section);
        c.Heading(row.File, PdfCanvas.H2, section, after: 1);
        var ocr = row.OcrPages > 0 ? $" ({row.OcrPages} OCR'd)" : "";
        var reused = row.Status == "skipped" ? " · result reused from an earlier run" : $" · {Int((int)row.Milliseconds)} ms";
        c.Text($"{Title(row.DocumentType ?? "unclassified")} · {row.MimeType ?? "unknown type"} · {row.Pages} page(s){ocr}{reused}",
            PdfCanvas.Body, section, muted: true);
        c.Space(8);

        c.Heading("Key fields", PdfCanvas.H3, section, after: 2);
        var f = row.Fields;
        var fields = new List<IReadOnlyList<string?>>();
        void Add(string name, string? value) { if (!string.IsNullOrWhiteSpace(value)) fields.Add([name, value]); }
        Add("Document type", row.DocumentType);
        Add("Supplier", f?.Supplier);
        Add("Receiver", f?.Receiver);
        Add("Invoice ID", f?.InvoiceId);
        Add("Invoice date", f?.InvoiceDate);
        Add("Receipt date", f?.ReceiptDate);
        Add("Due date", f?.DueDate);
        Add("Net amount", Amount(f?.NetAmount, f?.Currency));
        Add("Tax amount", Amount(f?.TaxAmount, f?.Currency));
        Add("Total amount", Amount(f?.TotalAmount, f?.Currency));
        Add("Currency", f?.Currency);
        if (fields.Count == 0) c.Text("No key fields were extracted.", PdfCanvas.Body, section, muted: true);
        else c.Table([new("Field", 0.28), new("Value", 0.72)], fields, section, headerRow: false);
        c.Space(10);

        if (document is null)
        {
            c.Text("The document's JSON could not be read; entities and tables are not shown.", PdfCanvas.Body, section, muted: true);
            return;
        }

        var entities = document.Entities ?? [];
        c.Heading($"Entities ({entities.Count})", PdfCanvas.H3, section, after: 2);
        if (entities.Count == 0)
        {
            c.Text("None.", PdfCanvas.Body, section, muted: true);
        }
        else
        {
            c.Table(
                [new("Type", 0.22), new("Text", 0.40), new("Normalised", 0.28), new("Conf.", 0.10, Right: true)],
                entities.Take(EntitiesLimit).Select(e => (IReadOnlyList<string?>)[e.Type, e.MentionText, Normalized(e.NormalizedValue), e.Confidence.ToString("0.00", Inv)]),
                section, maxLinesPerCell: 2);
            if (entities.Count > EntitiesLimit)
                c.Text($"… and {entities.Count - EntitiesLimit} more entities (see {row.Output}).", PdfCanvas.Body, section, muted: true);
        }
        c.Space(10);

        var pages = document.Pages ?? [];
        var formFields = pages.SelectMany(p => (p.FormFields ?? []).Select(ff => (p.PageNumber, Field: ff))).ToList();
        if (formFields.Count > 0)
        {
            c.Heading($"Form fields ({formFields.Count})", PdfCanvas.H3, section, after: 2);
            c.Table([new("Name", 0.38), new("Value", 0.52), new("Page", 0.10, Right: true)],
                formFields.Take(EntitiesLimit).Select(x => (IReadOnlyList<string?>)[
                    TextOf(x.Field.FieldName, document.Text), x.Field.ValueType is { } vt ? vt.Replace('_', ' ') : TextOf(x.Field.FieldValue, document.Text), Int(x.PageNumber)]),
                section, maxLinesPerCell: 2);
            c.Space(10);
        }

        var tables = pages.SelectMany(p => (p.Tables ?? []).Select(t => (p.PageNumber, Table: t))).ToList();
        c.Heading($"Tables ({tables.Count})", PdfCanvas.H3, section, after: 2);
        if (tables.Count == 0) c.Text("None.", PdfCanvas.Body, section, muted: true);
        for (var i = 0; i < tables.Count; i++)
        {
            var (pageNumber, table) = tables[i];
            var header = (table.HeaderRows ?? []).Select(r => Cells(r, document.Text)).ToList();
            var body = (table.BodyRows ?? []).Select(r => Cells(r, document.Text)).ToList();
            var columns = Math.Min(TableColumnsLimit, header.Concat(body).Select(r => r.Count).DefaultIfEmpty(1).Max());
            c.Text($"Table {i + 1} · page {pageNumber} · {body.Count} row(s) × {columns} column(s)", PdfCanvas.Body, section, muted: true);
            var headerCells = header.Count > 0 ? header[0] : [.. Enumerable.Range(1, columns).Select(n => $"Column {n}")];
            var cols = Enumerable.Range(0, columns).Select(n => new TableColumn(n < headerCells.Count ? headerCells[n] ?? "" : "", 1.0 / columns)).ToList();
            c.Table(cols, header.Skip(1).Concat(body).Take(TableRowsLimit), section, maxLinesPerCell: 2);
            if (body.Count + Math.Max(0, header.Count - 1) > TableRowsLimit)
                c.Text($"… {body.Count - TableRowsLimit} more rows.", PdfCanvas.Body, section, muted: true);
            c.Space(8);
        }
    }

    private static void Appendix(PdfCanvas c, BatchReport report)
    {
        const string section = "Error appendix";
        c.NewPage(section);
        c.Heading("Error appendix", PdfCanvas.H2, section);
        var failed = report.Rows.Where(r => r.Status == "failed").ToList();
        if (failed.Count == 0)
        {
            c.Text("No document failed.", PdfCanvas.Body, section, muted: true);
            return;
        }
        c.Text($"{failed.Count} document(s) failed. Their error files (NAME.error.json) hold the same code and message.", PdfCanvas.Body, section, muted: true);
        c.Space(6);
        c.Table([new("File", 0.31), new("Code", 0.19), new("Message", 0.50)],
            failed.Select(r => (IReadOnlyList<string?>)[r.File, r.ErrorCode, r.ErrorMessage]), section, maxLinesPerCell: 4);
    }

    private static List<string?> Cells(TableRow row, string? text) => [.. (row.Cells ?? []).Select(cell => TextOf(cell.Layout, text))];

    /// <summary>The text of a layout: its anchor's content, else its segments of the document text.</summary>
    internal static string? TextOf(Layout? layout, string? text)
    {
        var anchor = layout?.TextAnchor;
        if (anchor is null) return null;
        if (anchor.Content is { } content) return Clean(content);
        if (text is null || anchor.TextSegments is not { Count: > 0 } segments) return null;
        var sb = new StringBuilder();
        foreach (var s in segments)
        {
            var start = (int)Math.Clamp(s.StartIndex, 0, text.Length);
            var end = (int)Math.Clamp(s.EndIndex, start, text.Length);
            sb.Append(text, start, end - start);
        }
        return Clean(sb.ToString());
    }

    private static string Clean(string s) => s.ReplaceLineEndings(" ").Trim();

    private static string? Normalized(NormalizedValue? v)
    {
        if (v is null) return null;
        if (v.MoneyValue is { } m) return Amount(KeyFields.ToDecimal(m), m.CurrencyCode);
        if (v.DateValue is { Year: > 0 } d) return string.Create(Inv, $"{d.Year:D4}-{d.Month:D2}-{d.Day:D2}");
        return v.Text ?? v.DatetimeValue ?? v.BooleanValue?.ToString() ?? v.IntegerValue?.ToString(Inv) ?? v.FloatValue?.ToString(Inv);
    }

    private static string? Amount(decimal? value, string? currency) =>
        value is null ? null : string.IsNullOrEmpty(currency) ? Money(value.Value) : $"{Money(value.Value)} {currency}";

    private static string Money(decimal d) => d.ToString("#,##0.00", Inv);

    private static string Int(int n) => n.ToString("#,##0", Inv);

    private static string Price(decimal d) => d.ToString("#,##0.00####", Inv);

    private static string Ms(double ms) => ms >= 10_000 ? (ms / 1000).ToString("0.0 s", Inv) : ms.ToString("#,##0 ms", Inv);

    private static string Title(string s) => s.Length == 0 ? s : char.ToUpperInvariant(s[0]) + s[1..];
}
