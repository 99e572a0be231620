using System.Globalization;
namespace DocFlow.UnitTests.Support;

/// <summary>The cells a table must have: rows top to bottom (header rows first), a spanning cell repeated in each column it covers.</summary>
public sealed record ExpectedTable(string[][] Grid)
{
    public int Rows => Grid.Length;
    public int Columns => Grid.Max(r => r.Length);
}

/// <summary>One corpus document: the failure mode it exercises, how to draw it, and the tables it holds (none for a trap).</summary>
/// <param name="Known">A known remaining miss (why); its table count and shapes must still be right.</param>
public sealed record TableCase(string Name, string Mode, Func<byte[]> Build, ExpectedTable[] Tables, string? Known = null)
{
    public override string ToString() => Name;
}

/// <summary>
/// A small table corpus of digital PDFs drawn at test time with PDFsharp: ordinary ruled and unruled
/// tables, plus one or more documents per failure mode seen on public digital PDFs (group-label rows,
/// gaps inside a table, multi-level headers, booktabs rules, side-by-side tables, rows drawn as one
/// text run, wrapped cells) and traps that are not tables (charts, lists, two-column prose).
/// Every table sits between ordinary paragraphs, as in a real page.
/// </summary>
public static class TableCorpus
{
    private const double Size = 9;
    private const double Pitch = 13;

    private static readonly string[] Intro =
    [
        "The figures below summarise the results of the period. All amounts are in thousands of euros",
        "unless stated otherwise, and the comparison period has been restated for the new segments.",
    ];

    private static readonly string[] Outro =
    [
        "Management considers the development satisfactory given the market environment. Further",
        "details are given in the notes to the accounts and in the segment report on the next page.",
    ];

    public static IReadOnlyList<TableCase> All =>
    [
        new("ruled-grid", "ordinary ruled", RuledGrid, [new(RuledGridCells)]),
        new("unruled-invoice", "ordinary unruled", UnruledInvoice, [new(InvoiceCells)]),
        new("booktabs-numeric", "booktabs", () => Booktabs(BooktabsNumericCells, [(60, Cell.Left), (300, Cell.Right), (370, Cell.Right), (440, Cell.Right), (530, Cell.Right)]), [new(BooktabsNumericCells)]),
        new("booktabs-text", "booktabs", () => Booktabs(BooktabsTextCells, [(60, Cell.Left), (170, Cell.Left), (330, Cell.Left), (530, Cell.Right)]), [new(BooktabsTextCells)]),
        new("booktabs-two-columns", "booktabs", () => Booktabs(BooktabsTwoColumnCells, [(150, Cell.Left), (330, Cell.Left)]), [new(BooktabsTwoColumnCells)]),
        new("group-labels", "group-label rows", GroupLabels, [new(GroupLabelCells)]),
        new("vertical-gap", "gap inside a table", VerticalGap, [new(VerticalGapCells)]),
        new("multi-level-header", "multi-level header", MultiLevelHeader, [new(MultiLevelCells)]),
        new("bar-chart", "chart", BarChart, []),
        new("bulleted-list", "list", BulletedList, []),
        new("numbered-list", "list", NumberedList, []),
        new("two-column-prose", "two-column prose", TwoColumnProse, []),
        new("side-by-side", "side-by-side tables", SideBySide, [new(SideLeftCells), new(SideRightCells)]),
        new("single-run-rows", "row as one text run", SingleRunRows, [new(InvoiceCells)]),
        new("glyph-gap-rows", "row as one text run", GlyphGapRows, [new(GlyphGapCells)]),
        new("wrapped-cells", "wrapped cell lines", WrappedCells, [new(WrappedCellsGrid)]),
        // Second variants, written after the extractor changes as a check that the rules are general.
        new("ruled-grid-b", "ordinary ruled", RuledGridSpan, [new(RuledSpanCells)]),
        new("group-labels-b", "group-label rows", GroupLabelsBooktabs, [new(GroupLabelsBCells)]),
        new("vertical-gap-b", "gap inside a table", VerticalGapBlocks, [new(StaffCells)]),
        new("multi-level-header-b", "multi-level header", MultiLevelUnruled, [new(MultiLevelBCells)]),
        new("line-chart-b", "chart", LineChart, []),
        new("lettered-list-b", "list", LetteredList, []),
        new("two-column-prose-b", "two-column prose", TwoColumnRagged, []),
        new("side-by-side-b", "side-by-side tables", SideBySideBooktabs, [new(SideLeftCells[..4]), new(SideRightCells)]),
        new("glyph-gap-rows-b", "row as one text run", GlyphGapRowsNarrow, [new(GlyphGapCells)]),
        new("wrapped-cells-b", "wrapped cell lines", WrappedMiddle, [new(WrappedMiddleCells)]),
        // Third round: pages around tables that the new rules must not absorb.
        new("invoice-totals-c", "ordinary unruled", InvoiceWithTotals, [new(InvoiceCells)]),
        new("stacked-tables-c", "ordinary unruled", StackedTables, [new(SideLeftCells), new(SideRightCells)]),
        new("footnote-c", "ordinary unruled", TableWithFootnote, [new(BooktabsNumericCells)]),
        new("blank-grid-c", "ordinary ruled", BlankGrid, [new(BlankGridCells)]),
        new("optional-columns-c", "ordinary unruled", OptionalColumns, [new(OptionalColumnCells)]),
        new("stacked-headings-c", "ordinary unruled", StackedWithHeadings, [new(SideLeftCells), new(SideRightCells)]),
        new("booktabs-narrow-d", "booktabs", BooktabsNarrow, [new(NarrowCells)]),
        new("booktabs-tight-d", "booktabs", () => BooktabsNarrow(gap: 3.5), [new(NarrowCells)],
            Known: "header labels 3.5 pt apart over columns already apart in the body stay one spanning cell (\"AP AP50\")"),
        new("framed-prose-e", "framed prose", FramedProse, []),
        new("framed-key-values-e", "form block", FramedKeyValues, []),
        new("ruled-invoice-e", "booktabs", RuledInvoice, [new(InvoiceCells)]),
        // Session 13, from the real-PDF set (tools/DocFlow.DevSet/tables-real.json): verbatim displays and open-sided grids.
        new("code-listing-f", "verbatim display", CodeListing, []),
        new("listing-page-g", "verbatim display", ListingPage, []),
        new("short-token-listing-g", "verbatim display", ShortTokenListing, []),
        new("rules-by-row-g", "ordinary ruled", ColumnRulesByRow, [new(RuledGridCells)]),
        new("monospace-page-f", "ordinary unruled", MonospacePage, [new(InvoiceCells)]),
        // Session 16: booktabs groups of body rows, an index in three text columns.
        new("booktabs-groups-h", "booktabs", BooktabsGroups, [new(BooktabsGroupCells)]),
        new("index-columns-h", "index", IndexColumns, []),
        new("open-grid-f", "ordinary ruled", OpenSidedGrid, [new(RuledGridCells)]),
        new("open-top-grid-f", "ordinary ruled", OpenTopGrid, [new(RuledGridCells)]),
    ];

    // ---------------------------------------------------------------- helpers

    private static TablePdf Page(string title, out double y)
    {
        var pdf = new TablePdf();
        pdf.Text(60, 70, title, 14, bold: true);
        y = pdf.Paragraph(60, 100, 13, Intro) + 14;
        return pdf;
    }

    /// <summary>Draws rows at the given column anchors; returns the baseline one pitch below the last row.</summary>
    private static double Rows(TablePdf pdf, double baseline, (double X, Cell Align)[] columns, string[][] rows, int boldRows = 1, double pitch = Pitch)
    {
        for (var r = 0; r < rows.Length; r++)
        {
            for (var c = 0; c < rows[r].Length && c < columns.Length; c++)
                if (rows[r][c].Length > 0) pdf.Text(columns[c].X, baseline, rows[r][c], Size, bold: r < boldRows, columns[c].Align);
            baseline += pitch;
        }
        return baseline;
    }

    private static void End(TablePdf pdf, double y) => pdf.Paragraph(60, y + 16, 13, Outro);

    // ---------------------------------------------------------------- ordinary tables

    private static readonly string[][] RuledGridCells =
    [
        ["Part number", "Description", "Supplier", "Unit price"],
        ["PN-1001", "Hex bolt M8", "Fastenal", "0.42"],
        ["PN-1002", "Washer 8 mm", "Würth", "0.05"],
        ["PN-1003", "Lock nut M8", "Fastenal", "0.31"],
        ["PN-1004", "Threaded rod", "Hilti", "3.90"],
    ];

    private static byte[] RuledGrid()
    {
        var pdf = Page("Parts list", out var y);
        double[] xs = [60, 160, 300, 420, 535];
        var top = y - 12;
        for (var r = 0; r <= RuledGridCells.Length; r++) pdf.Rule(xs[0], top + r * 18, xs[^1], top + r * 18);
        foreach (var x in xs) pdf.Rule(x, top, x, top + RuledGridCells.Length * 18);
        for (var r = 0; r < RuledGridCells.Length; r++)
            for (var c = 0; c < 4; c++)
                pdf.Text(xs[c] + 5, top + r * 18 + 12.5, RuledGridCells[r][c], Size, bold: r == 0);
        End(pdf, top + RuledGridCells.Length * 18 + 8);
        return pdf.Build();
    }

    private static readonly string[][] InvoiceCells =
    [
        ["Description", "Qty", "Unit price", "Amount"],
        ["Consulting services", "12", "95.00", "1,140.00"],
        ["Travel expenses", "1", "312.40", "312.40"],
        ["Software licence", "3", "49.00", "147.00"],
        ["Hardware token", "5", "18.50", "92.50"],
        ["Support contract", "1", "600.00", "600.00"],
    ];

    private static readonly (double, Cell)[] InvoiceColumns = [(60, Cell.Left), (330, Cell.Right), (430, Cell.Right), (530, Cell.Right)];

    private static byte[] UnruledInvoice()
    {
        var pdf = Page("Invoice 2026-0117", out var y);
        y = Rows(pdf, y, InvoiceColumns, InvoiceCells);
        End(pdf, y);
        return pdf.Build();
    }

    // ---------------------------------------------------------------- booktabs

    private static readonly string[][] BooktabsNumericCells =
    [
        ["Model", "Params", "Top-1", "Top-5", "Latency"],
        ["ResNet-50", "25.6M", "76.1", "92.9", "4.1 ms"],
        ["ResNet-101", "44.5M", "77.4", "93.5", "7.3 ms"],
        ["EfficientNet-B0", "5.3M", "77.1", "93.3", "2.9 ms"],
        ["ViT-B/16", "86.6M", "81.1", "95.6", "9.8 ms"],
        ["ConvNeXt-T", "28.6M", "82.1", "95.9", "5.0 ms"],
    ];

    private static readonly string[][] BooktabsTextCells =
    [
        ["Method", "Data set", "Evaluation", "Year"],
        ["BM25", "MS MARCO", "Recall at 100", "2009"],
        ["DPR", "Natural Questions", "Top-20 accuracy", "2020"],
        ["ColBERT", "MS MARCO", "MRR at 10", "2020"],
        ["Contriever", "BEIR", "nDCG at 10", "2021"],
    ];

    private static readonly string[][] BooktabsTwoColumnCells =
    [
        ["Hyperparameter", "Value"],
        ["Optimizer", "AdamW"],
        ["Learning rate", "0.0003"],
        ["Batch size", "256"],
        ["Warm-up steps", "2,000"],
        ["Activation", "GELU"],
        ["Dropout", "0.1"],
    ];

    /// <summary>Three horizontal rules only: above the header, below it, below the last row.</summary>
    private static byte[] Booktabs(string[][] cells, (double, Cell)[] columns)
    {
        var pdf = Page("Table 2: Results", out var y);
        var left = columns.Min(c => c.Item1) - 4;
        var right = Math.Max(columns.Max(c => c.Item1) + 4, left + 200);
        pdf.Rule(left, y - 12, right, y - 12, 1.0);
        pdf.Rule(left, y + 4, right, y + 4, 0.5);
        y = Rows(pdf, y, columns, cells[..1]) + 3;
        y = Rows(pdf, y, columns, cells[1..], boldRows: 0);
        pdf.Rule(left, y - Pitch + 4, right, y - Pitch + 4, 1.0);
        End(pdf, y);
        return pdf.Build();
    }

    // ---------------------------------------------------------------- group labels, gaps, headers

    private static readonly string[][] GroupLabelCells =
    [
        ["Region", "Stores", "Revenue", "Growth"],
        ["Europe", "", "", ""],
        ["Germany", "41", "182.4", "3.1%"],
        ["France", "28", "121.9", "2.4%"],
        ["Italy", "17", "64.0", "-0.8%"],
        ["Asia", "", "", ""],
        ["Japan", "22", "140.2", "5.6%"],
        ["Korea", "9", "38.7", "7.9%"],
        ["Americas", "", "", ""],
        ["United States", "55", "301.5", "4.2%"],
        ["Canada", "12", "44.1", "1.9%"],
    ];

    private static byte[] GroupLabels()
    {
        var pdf = Page("Segment overview", out var y);
        (double, Cell)[] columns = [(60, Cell.Left), (330, Cell.Right), (430, Cell.Right), (530, Cell.Right)];
        y = Rows(pdf, y, columns, GroupLabelCells[..1]);
        for (var r = 1; r < GroupLabelCells.Length; r++)
        {
            var row = GroupLabelCells[r];
            var label = row[1].Length == 0;
            pdf.Text(label ? 60 : 70, y, row[0], Size, bold: label);
            if (!label) Rows(pdf, y, columns[1..], [row[1..]], boldRows: 0);
            y += Pitch;
        }
        End(pdf, y);
        return pdf.Build();
    }

    private static readonly string[][] VerticalGapCells =
    [
        ["Account", "Opening", "Movements", "Closing"],
        ["Cash", "1,204", "312", "1,516"],
        ["Receivables", "3,880", "-415", "3,465"],
        ["Inventory", "2,150", "98", "2,248"],
        ["Payables", "-2,910", "205", "-2,705"],
        ["Provisions", "-640", "-37", "-677"],
        ["Net assets", "3,684", "163", "3,847"],
    ];

    /// <summary>A blank line after the assets block and before the total: a gap inside one table.</summary>
    private static byte[] VerticalGap()
    {
        var pdf = Page("Balance movements", out var y);
        y = Rows(pdf, y, InvoiceColumns, VerticalGapCells[..4]);
        y += 2 * Pitch;
        y = Rows(pdf, y, InvoiceColumns, VerticalGapCells[4..6], boldRows: 0);
        y += 1.5 * Pitch;
        y = Rows(pdf, y, InvoiceColumns, VerticalGapCells[6..], boldRows: 1);
        End(pdf, y);
        return pdf.Build();
    }

    private static readonly string[][] MultiLevelCells =
    [
        ["", "2024", "2024", "2025", "2025"],
        ["Country", "Sales", "Share", "Sales", "Share"],
        ["Norway", "1,020", "18.2%", "1,140", "19.0%"],
        ["Sweden", "2,310", "41.3%", "2,390", "39.8%"],
        ["Denmark", "1,480", "26.5%", "1,610", "26.8%"],
        ["Finland", "780", "14.0%", "860", "14.3%"],
    ];

    /// <summary>A spanning year over two sub-columns each, short rules under the spans (cmidrule), booktabs around.</summary>
    private static byte[] MultiLevelHeader()
    {
        var pdf = Page("Nordic sales", out var y);
        (double X, Cell Align)[] columns = [(60, Cell.Left), (270, Cell.Right), (340, Cell.Right), (440, Cell.Right), (510, Cell.Right)];
        pdf.Rule(56, y - 12, 514, y - 12, 1.0);
        pdf.Text(283.5, y, "2024", Size, bold: true, Cell.Center);
        pdf.Text(453.5, y, "2025", Size, bold: true, Cell.Center);
        pdf.Rule(225, y + 4, 342, y + 4, 0.4);
        pdf.Rule(395, y + 4, 512, y + 4, 0.4);
        y += Pitch + 2;
        y = Rows(pdf, y, columns, MultiLevelCells[1..2]);
        pdf.Rule(56, y - Pitch + 4, 514, y - Pitch + 4, 0.5);
        y = Rows(pdf, y + 3, columns, MultiLevelCells[2..], boldRows: 0);
        pdf.Rule(56, y - Pitch + 4, 514, y - Pitch + 4, 1.0);
        End(pdf, y);
        return pdf.Build();
    }

    // ---------------------------------------------------------------- traps: not tables

    private static byte[] BarChart()
    {
        var pdf = Page("Revenue by quarter", out var y);
        double left = 100, bottom = y + 200, top = y + 10, width = 360;
        pdf.Text(300, y, "Revenue (EUR million) by quarter, 2024 and 2025", 9, bold: true, Cell.Center);
        for (var t = 0; t <= 4; t++)
        {
            var ty = bottom - t * (bottom - top - 10) / 4;
            pdf.Rule(left, ty, left + width, ty, t == 0 ? 0.8 : 0.3);
            pdf.Text(left - 6, ty + 3, (t * 25).ToString(System.Globalization.CultureInfo.InvariantCulture), 8, align: Cell.Right);
        }
        pdf.Rule(left, top, left, bottom, 0.8);
        int[][] values = [[42, 55], [61, 67], [58, 73], [80, 91]];
        string[] quarters = ["Q1", "Q2", "Q3", "Q4"];
        for (var q = 0; q < 4; q++)
        {
            var x0 = left + 20 + q * 88;
            for (var s = 0; s < 2; s++)
            {
                var h = values[q][s] / 100.0 * (bottom - top - 10);
                pdf.Bar(x0 + s * 26, bottom - h, 22, h);
                pdf.Text(x0 + s * 26 + 11, bottom - h - 3, values[q][s].ToString(System.Globalization.CultureInfo.InvariantCulture), 7.5, align: Cell.Center);
            }
            pdf.Text(x0 + 24, bottom + 12, quarters[q], 8, align: Cell.Center);
        }
        pdf.Bar(180, bottom + 24, 8, 8);
        pdf.Text(192, bottom + 31, "2024", 8);
        pdf.Bar(300, bottom + 24, 8, 8);
        pdf.Text(312, bottom + 31, "2025", 8);
        pdf.Text(300, bottom + 48, "Figure 3: Quarterly revenue grew in every quarter of 2025.", 8.5, align: Cell.Center);
        End(pdf, bottom + 58);
        return pdf.Build();
    }

    private static byte[] BulletedList()
    {
        var pdf = Page("Highlights of the year", out var y);
        string[][] items =
        [
            ["Revenue grew by 4.2% to EUR 812 million, driven by the", "new stores in Germany and Japan."],
            ["Operating margin improved to 11.3% (previous year 10.1%)."],
            ["Net debt fell to EUR 96 million after the sale of the", "logistics centre in Lyon."],
            ["The dividend proposal is EUR 1.20 per share."],
            ["Headcount rose to 4,310 employees in 14 countries."],
        ];
        foreach (var item in items)
        {
            pdf.Text(66, y, "•", 9.5);
            for (var l = 0; l < item.Length; l++)
            {
                pdf.Text(84, y, item[l], 9.5);
                y += 13;
            }
            y += 3;
        }
        End(pdf, y);
        return pdf.Build();
    }

    private static byte[] NumberedList()
    {
        var pdf = Page("Installation steps", out var y);
        string[] steps =
        [
            "Download the installer for your platform.",
            "Run the installer and accept the licence terms.",
            "Choose the installation folder (at least 2 GB free).",
            "Enter the licence key from your order e-mail.",
            "Restart the computer when asked to.",
            "Open the application and sign in.",
        ];
        for (var i = 0; i < steps.Length; i++)
        {
            pdf.Text(80, y, $"{i + 1}.", 9.5, align: Cell.Right);
            pdf.Text(100, y, steps[i], 9.5);
            y += 14;
        }
        End(pdf, y);
        return pdf.Build();
    }

    private static byte[] TwoColumnProse()
    {
        var pdf = Page("Market review", out var y);
        string[] left =
        [
            "Demand in 2025 recovered in all regions,",
            "with Europe up 3.1% and Asia up 5.6% on",
            "the previous year. Prices were stable for",
            "most product groups, although energy",
            "costs rose again in the second half and",
            "weighed on the margin of the plants in",
            "Italy and France by about 40 basis points.",
        ];
        string[] right =
        [
            "The outlook for 2026 is cautious. We plan",
            "for revenue growth of 2 to 4% and capital",
            "expenditure of EUR 55 million, mainly in",
            "automation and the new distribution hub",
            "near Rotterdam. The hiring freeze stays",
            "in place until the end of the first half",
            "of the year, as announced in November.",
        ];
        for (var i = 0; i < left.Length; i++)
        {
            pdf.Justified(60, y, 225, left[i]);
            pdf.Justified(310, y, 225, right[i]);
            y += 12.5;
        }
        End(pdf, y);
        return pdf.Build();
    }

    // ---------------------------------------------------------------- side by side, text runs, wrapped cells

    private static readonly string[][] SideLeftCells =
    [
        ["Product", "Units", "Price"],
        ["Alpha", "120", "9.90"],
        ["Beta", "85", "14.50"],
        ["Gamma", "42", "22.00"],
        ["Delta", "17", "39.00"],
    ];

    private static readonly string[][] SideRightCells =
    [
        ["Warehouse", "Stock", "Days"],
        ["Hamburg", "1,240", "12"],
        ["Rotterdam", "860", "9"],
        ["Antwerp", "415", "21"],
    ];

    private static byte[] SideBySide()
    {
        var pdf = Page("Sales and stock", out var y);
        var start = y;
        var yl = Rows(pdf, start, [(60, Cell.Left), (190, Cell.Right), (260, Cell.Right)], SideLeftCells);
        var yr = Rows(pdf, start, [(320, Cell.Left), (460, Cell.Right), (530, Cell.Right)], SideRightCells);
        End(pdf, Math.Max(yl, yr));
        return pdf.Build();
    }

    /// <summary>The invoice table, but each row drawn as one string padded with runs of spaces (a text export).</summary>
    private static byte[] SingleRunRows()
    {
        var pdf = Page("Invoice 2026-0118", out var y);
        var space = pdf.Measure(" ", Size);
        foreach (var row in InvoiceCells)
        {
            // Pad so each cell ends near its column's right edge, as a fixed-layout export does.
            var text = row[0];
            var x = 60 + pdf.Measure(text, Size);
            foreach (var (cell, right) in row.Skip(1).Zip(new[] { 330.0, 430, 530 }))
            {
                var pad = Math.Max(2, (int)Math.Round((right - pdf.Measure(cell, Size) - x) / space));
                text += new string(' ', pad) + cell;
                x = 60 + pdf.Measure(text, Size);
            }
            pdf.Text(60, y, text, Size);
            y += Pitch;
        }
        End(pdf, y);
        return pdf.Build();
    }

    private static readonly string[][] GlyphGapCells =
    [
        ["Code", "Station", "Reading", "Status"],
        ["ST-01", "Riverside", "7.42", "OK"],
        ["ST-02", "Harbour", "7.95", "OK"],
        ["ST-03", "Old mill", "8.61", "High"],
        ["ST-04", "Bridge", "7.10", "OK"],
    ];

    /// <summary>Each row one TJ array: cells separated by glyph displacements, no space characters (some report writers do this).</summary>
    private static byte[] GlyphGapRows()
    {
        var pdf = Page("Water quality", out var y);
        foreach (var row in GlyphGapCells)
        {
            pdf.GlyphGapRun(60, y, Size, 6000, row);
            y += Pitch;
        }
        End(pdf, y);
        return pdf.Build();
    }

    private static readonly string[][] WrappedCellsGrid =
    [
        ["Service", "Hours", "Rate", "Amount"],
        ["Site survey", "4", "80.00", "320.00"],
        ["Drainage repair and pipe replacement", "12", "80.00", "960.00"],
        ["Final inspection and report", "2", "80.00", "160.00"],
        ["Disposal of old pipes", "3", "45.00", "135.00"],
    ];

    private static byte[] WrappedCells()
    {
        var pdf = Page("Work order 5521", out var y);
        (double X, Cell Align)[] columns = [(60, Cell.Left), (330, Cell.Right), (430, Cell.Right), (530, Cell.Right)];
        y = Rows(pdf, y, columns, WrappedCellsGrid[..1]) + 4;
        string[][] lines = [["Site survey"], ["Drainage repair and", "pipe replacement"], ["Final inspection and", "report"], ["Disposal of old pipes"]];
        for (var r = 1; r < WrappedCellsGrid.Length; r++)
        {
            Rows(pdf, y, columns[1..], [WrappedCellsGrid[r][1..]], boldRows: 0);
            foreach (var line in lines[r - 1])
            {
                pdf.Text(60, y, line, Size);
                y += 10.5;
            }
            y += 6;
        }
        End(pdf, y);
        return pdf.Build();
    }

    // ---------------------------------------------------------------- second variants

    private static readonly string[][] RuledSpanCells =
    [
        ["Site", "Emissions", "Emissions", "Target"],
        ["Lyon", "1,204 t", "-3%", "1,100 t"],
        ["Porto", "880 t", "+2%", "850 t"],
        ["Gdansk", "2,310 t", "-8%", "2,000 t"],
    ];

    /// <summary>A ruled grid whose header cell "Emissions" spans two columns (no vertical rule between them in the header row).</summary>
    private static byte[] RuledGridSpan()
    {
        var pdf = Page("Emissions by site", out var y);
        double[] xs = [70, 170, 290, 390, 500];
        var top = y - 12;
        const double h = 20;
        var rows = RuledSpanCells.Length;
        for (var r = 0; r <= rows; r++) pdf.Rule(xs[0], top + r * h, xs[^1], top + r * h);
        foreach (var (x, k) in xs.Select((x, k) => (x, k)))
            pdf.Rule(x, k == 2 ? top + h : top, x, top + rows * h);
        pdf.Text(xs[0] + 6, top + 14, "Site", Size, bold: true);
        pdf.Text((xs[1] + xs[3]) / 2, top + 14, "Emissions", Size, bold: true, Cell.Center);
        pdf.Text(xs[3] + 6, top + 14, "Target", Size, bold: true);
        for (var r = 1; r < rows; r++)
            for (var c = 0; c < 4; c++)
                pdf.Text(xs[c] + 6, top + r * h + 14, RuledSpanCells[r][c], Size);
        End(pdf, top + rows * h + 8);
        return pdf.Build();
    }

    private static readonly string[][] GroupLabelsBCells =
    [
        ["Item", "2024", "2025"],
        ["Revenue", "", ""],
        ["Product sales", "4,120", "4,480"],
        ["Services", "1,310", "1,505"],
        ["Licences", "402", "388"],
        ["Expenses", "", ""],
        ["Personnel", "2,904", "3,050"],
        ["Materials", "1,118", "1,202"],
        ["Depreciation", "310", "322"],
    ];

    /// <summary>Booktabs rules; bold group labels with indented members under them.</summary>
    private static byte[] GroupLabelsBooktabs()
    {
        var pdf = Page("Income statement", out var y);
        (double X, Cell Align)[] columns = [(80, Cell.Left), (400, Cell.Right), (480, Cell.Right)];
        pdf.Rule(76, y - 12, 484, y - 12, 1.0);
        y = Rows(pdf, y, columns, GroupLabelsBCells[..1]);
        pdf.Rule(76, y - Pitch + 4, 484, y - Pitch + 4, 0.5);
        y += 3;
        foreach (var row in GroupLabelsBCells[1..])
        {
            var label = row[1].Length == 0;
            pdf.Text(label ? 80 : 92, y, row[0], Size, bold: label);
            if (!label) Rows(pdf, y, columns[1..], [row[1..]], boldRows: 0);
            y += Pitch;
        }
        pdf.Rule(76, y - Pitch + 4, 484, y - Pitch + 4, 1.0);
        End(pdf, y);
        return pdf.Build();
    }

    private static readonly string[][] StaffCells =
    [
        ["Name", "Department", "City", "Start", "Salary"],
        ["A. Berg", "Finance", "Oslo", "2019", "61,000"],
        ["C. Dahl", "Finance", "Bergen", "2021", "58,500"],
        ["E. Falk", "Sales", "Oslo", "2018", "64,200"],
        ["G. Holm", "Sales", "Tromsø", "2022", "52,900"],
        ["I. Juul", "Sales", "Bergen", "2020", "57,300"],
        ["K. Lund", "IT", "Oslo", "2017", "71,800"],
        ["M. Nes", "IT", "Oslo", "2023", "55,000"],
    ];

    /// <summary>Left-aligned text columns, a blank line after each department's block.</summary>
    private static byte[] VerticalGapBlocks()
    {
        var pdf = Page("Staff list", out var y);
        (double X, Cell Align)[] columns = [(60, Cell.Left), (160, Cell.Left), (280, Cell.Left), (380, Cell.Left), (520, Cell.Right)];
        y = Rows(pdf, y, columns, StaffCells[..1]) + 2;
        string? department = null;
        foreach (var row in StaffCells[1..])
        {
            if (department is not null && row[1] != department) y += Pitch;
            department = row[1];
            y = Rows(pdf, y, columns, [row], boldRows: 0);
        }
        End(pdf, y);
        return pdf.Build();
    }

    private static readonly string[][] MultiLevelBCells =
    [
        ["", "Revenue", "Revenue", "Margin", "Margin"],
        ["Segment", "2024", "2025", "2024", "2025"],
        ["Retail", "812.4", "845.0", "11.2%", "11.9%"],
        ["Wholesale", "420.7", "431.2", "7.4%", "7.1%"],
        ["Online", "198.3", "240.9", "14.8%", "15.6%"],
        ["Services", "64.0", "71.5", "22.1%", "23.0%"],
    ];

    /// <summary>A spanning header without any rule: "Revenue" and "Margin" centred over their two year columns.</summary>
    private static byte[] MultiLevelUnruled()
    {
        var pdf = Page("Segment figures", out var y);
        (double X, Cell Align)[] columns = [(60, Cell.Left), (260, Cell.Right), (330, Cell.Right), (440, Cell.Right), (510, Cell.Right)];
        pdf.Text(282, y, "Revenue", Size, bold: true, Cell.Center);
        pdf.Text(462, y, "Margin", Size, bold: true, Cell.Center);
        y += Pitch;
        y = Rows(pdf, y, columns, MultiLevelBCells[1..2]);
        y = Rows(pdf, y, columns, MultiLevelBCells[2..], boldRows: 0);
        End(pdf, y);
        return pdf.Build();
    }

    private static byte[] LineChart()
    {
        var pdf = Page("Customer numbers", out var y);
        double left = 110, bottom = y + 180, top = y + 20, width = 340;
        pdf.Text(280, y, "Active customers (thousands), 2019-2024", 9, bold: true, Cell.Center);
        pdf.Rule(left, top, left, bottom, 0.8);
        pdf.Rule(left, bottom, left + width, bottom, 0.8);
        for (var t = 0; t <= 4; t++)
        {
            var ty = bottom - t * (bottom - top) / 4;
            pdf.Rule(left - 3, ty, left, ty, 0.6);
            pdf.Text(left - 6, ty + 3, (t * 50).ToString(System.Globalization.CultureInfo.InvariantCulture), 8, align: Cell.Right);
        }
        int[] a = [62, 75, 91, 118, 140, 171];
        int[] b = [40, 44, 52, 60, 66, 79];
        foreach (var series in new[] { a, b })
            for (var i = 0; i < series.Length; i++)
            {
                var x = left + 25 + i * 58;
                var py = bottom - series[i] / 200.0 * (bottom - top);
                if (i > 0) pdf.Rule(x - 58, bottom - series[i - 1] / 200.0 * (bottom - top), x, py, 1.0);
                pdf.Text(x, py - 5, series[i].ToString(System.Globalization.CultureInfo.InvariantCulture), 7.5, align: Cell.Center);
            }
        for (var i = 0; i < 6; i++)
        {
            var x = left + 25 + i * 58;
            pdf.Rule(x, bottom, x, bottom + 3, 0.6);
            pdf.Text(x, bottom + 13, (2019 + i).ToString(System.Globalization.CultureInfo.InvariantCulture), 8, align: Cell.Center);
        }
        pdf.Rule(170, bottom + 28, 185, bottom + 28, 1.0);
        pdf.Text(190, bottom + 31, "Private customers", 8);
        pdf.Rule(300, bottom + 28, 315, bottom + 28, 1.0);
        pdf.Text(320, bottom + 31, "Business customers", 8);
        End(pdf, bottom + 42);
        return pdf.Build();
    }

    private static byte[] LetteredList()
    {
        var pdf = Page("Conditions of the offer", out var y);
        string[][] items =
        [
            ["The offer is valid for 30 days from the date of issue and", "applies to orders of at least 10 units."],
            ["Prices exclude VAT (currently 19%) and delivery costs."],
            ["Payment is due within 14 days of the invoice date; a discount", "of 2% applies to payment within 7 days."],
            ["Delivery takes 3 to 5 working days within the EU."],
        ];
        for (var i = 0; i < items.Length; i++)
        {
            pdf.Text(70, y, $"{(char)('a' + i)})", 9.5);
            foreach (var line in items[i])
            {
                pdf.Text(92, y, line, 9.5);
                y += 13;
            }
        }
        End(pdf, y);
        return pdf.Build();
    }

    private static byte[] TwoColumnRagged()
    {
        var pdf = Page("Notes", out var y);
        string[] left =
        [
            "Note 4. Inventories are valued at the",
            "lower of cost and net realisable value.",
            "At 31 December 2025 they amounted to",
            "EUR 2,248 thousand (2024: 2,150).",
            "Write-downs of EUR 37 thousand were",
            "recognised in cost of sales.",
        ];
        string[] right =
        [
            "Note 5. Receivables fell by EUR 415",
            "thousand to EUR 3,465 thousand. Of",
            "this amount, 92% is due within 30",
            "days. The loss allowance is 1.8% of",
            "the gross amount (2024: 2.1%).",
            "No receivables were pledged.",
        ];
        for (var i = 0; i < left.Length; i++)
        {
            pdf.Text(60, y, left[i], 9.5);
            pdf.Text(300, y, right[i], 9.5);
            y += 12.5;
        }
        End(pdf, y);
        return pdf.Build();
    }

    /// <summary>Two booktabs tables side by side with the same number of rows, each with its own rules.</summary>
    private static byte[] SideBySideBooktabs()
    {
        var pdf = Page("Sales and stock", out var y);
        var start = y;
        foreach (var (l, r) in new[] { (56.0, 264.0), (316.0, 534.0) })
        {
            pdf.Rule(l, start - 12, r, start - 12, 1.0);
            pdf.Rule(l, start + 4, r, start + 4, 0.5);
            pdf.Rule(l, start + 3 + 3 * Pitch + 4, r, start + 3 + 3 * Pitch + 4, 1.0);
        }
        var yl = Rows(pdf, start, [(60, Cell.Left), (190, Cell.Right), (260, Cell.Right)], SideLeftCells[..1]);
        Rows(pdf, yl + 3, [(60, Cell.Left), (190, Cell.Right), (260, Cell.Right)], SideLeftCells[1..4], boldRows: 0);
        var yr = Rows(pdf, start, [(320, Cell.Left), (460, Cell.Right), (530, Cell.Right)], SideRightCells[..1]);
        yr = Rows(pdf, yr + 3, [(320, Cell.Left), (460, Cell.Right), (530, Cell.Right)], SideRightCells[1..], boldRows: 0);
        End(pdf, yr);
        return pdf.Build();
    }

    /// <summary>Rows as one TJ array with narrower glyph gaps (1.8 em) between the cells.</summary>
    private static byte[] GlyphGapRowsNarrow()
    {
        var pdf = Page("Water quality", out var y);
        foreach (var row in GlyphGapCells)
        {
            pdf.GlyphGapRun(60, y, Size, 1800, row);
            y += Pitch;
        }
        End(pdf, y);
        return pdf.Build();
    }

    private static readonly string[][] WrappedMiddleCells =
    [
        ["Ticket", "Summary", "Owner", "Days"],
        ["T-101", "Printer on floor 2 jams on duplex jobs", "Ahmed", "3"],
        ["T-102", "VPN drops after ten minutes", "Chen", "1"],
        ["T-103", "New laptop for the finance team lead", "Ruiz", "5"],
        ["T-104", "Password reset", "Chen", "0"],
    ];

    /// <summary>The middle (summary) column wraps onto a second line in some rows.</summary>
    private static byte[] WrappedMiddle()
    {
        var pdf = Page("Open tickets", out var y);
        (double X, Cell Align)[] columns = [(60, Cell.Left), (130, Cell.Left), (360, Cell.Left), (520, Cell.Right)];
        y = Rows(pdf, y, columns, WrappedMiddleCells[..1]) + 4;
        string[][] wraps = [["Printer on floor 2 jams on", "duplex jobs"], ["VPN drops after ten minutes"], ["New laptop for the finance", "team lead"], ["Password reset"]];
        for (var r = 1; r < WrappedMiddleCells.Length; r++)
        {
            var row = WrappedMiddleCells[r];
            pdf.Text(60, y, row[0], Size);
            pdf.Text(360, y, row[2], Size);
            pdf.Text(520, y, row[3], Size, align: Cell.Right);
            foreach (var line in wraps[r - 1])
            {
                pdf.Text(130, y, line, Size);
                y += 10.5;
            }
            y += 6;
        }
        End(pdf, y);
        return pdf.Build();
    }

    // ---------------------------------------------------------------- third round

    /// <summary>Line items, then after a gap a totals block under the last two columns only.</summary>
    private static byte[] InvoiceWithTotals()
    {
        var pdf = Page("Invoice 2026-0119", out var y);
        y = Rows(pdf, y, InvoiceColumns, InvoiceCells) + 12;
        foreach (var (label, amount) in new[] { ("Subtotal", "2,291.90"), ("VAT 20%", "458.38"), ("Total due", "2,750.28") })
        {
            pdf.Text(430, y, label, Size, align: Cell.Right);
            pdf.Text(530, y, amount, Size, align: Cell.Right);
            y += Pitch;
        }
        End(pdf, y);
        return pdf.Build();
    }

    /// <summary>Two tables one under the other with the same column layout, a caption between them.</summary>
    private static byte[] StackedTables()
    {
        var pdf = Page("Sales and stock", out var y);
        (double X, Cell Align)[] columns = [(60, Cell.Left), (260, Cell.Right), (360, Cell.Right)];
        y = Rows(pdf, y, columns, SideLeftCells) + 10;
        pdf.Text(60, y, "Table 2: Stock by warehouse at the end of the quarter", Size, bold: true);
        y += Pitch + 6;
        y = Rows(pdf, y, columns, SideRightCells);
        End(pdf, y);
        return pdf.Build();
    }

    /// <summary>A booktabs table followed by a footnote line and a source line.</summary>
    private static byte[] TableWithFootnote()
    {
        var pdf = Page("Table 4: Benchmark", out var y);
        (double, Cell)[] columns = [(60, Cell.Left), (300, Cell.Right), (370, Cell.Right), (440, Cell.Right), (530, Cell.Right)];
        pdf.Rule(56, y - 12, 534, y - 12, 1.0);
        pdf.Rule(56, y + 4, 534, y + 4, 0.5);
        y = Rows(pdf, y, columns, BooktabsNumericCells[..1]) + 3;
        y = Rows(pdf, y, columns, BooktabsNumericCells[1..], boldRows: 0);
        pdf.Rule(56, y - Pitch + 4, 534, y - Pitch + 4, 1.0);
        pdf.Text(60, y + 2, "* Latency measured with batch size 1 on one GPU.", 8);
        pdf.Text(60, y + 12, "Source: own measurements, 2025.", 8);
        End(pdf, y + 14);
        return pdf.Build();
    }

    private static readonly string[][] BlankGridCells =
    [
        ["Date", "Visitor name", "Company", "Signature"],
        ["", "", "", ""],
        ["", "", "", ""],
        ["", "", "", ""],
        ["", "", "", ""],
    ];

    /// <summary>A ruled sign-in sheet: the header filled, the rows left blank to write in.</summary>
    private static byte[] BlankGrid()
    {
        var pdf = Page("Visitor log", out var y);
        double[] xs = [60, 140, 300, 420, 535];
        var top = y - 12;
        for (var r = 0; r <= 5; r++) pdf.Rule(xs[0], top + r * 22, xs[^1], top + r * 22);
        foreach (var x in xs) pdf.Rule(x, top, x, top + 5 * 22);
        for (var c = 0; c < 4; c++) pdf.Text(xs[c] + 5, top + 15, BlankGridCells[0][c], Size, bold: true);
        End(pdf, top + 5 * 22 + 8);
        return pdf.Build();
    }

    private static readonly string[][] OptionalColumnCells =
    [
        ["Order", "Qty", "Amount", "Carrier", "Note"],
        ["SO-5501", "3", "129.00", "DHL", "fragile"],
        ["SO-5502", "1", "49.90", "", ""],
        ["SO-5503", "12", "530.40", "UPS", "two boxes"],
        ["SO-5504", "2", "88.00", "", ""],
        ["SO-5505", "5", "210.00", "DHL", "call first"],
        ["SO-5506", "1", "19.99", "", ""],
    ];

    /// <summary>The last two (text) columns are empty in every other row.</summary>
    private static byte[] OptionalColumns()
    {
        var pdf = Page("Shipments", out var y);
        y = Rows(pdf, y, [(60, Cell.Left), (200, Cell.Right), (290, Cell.Right), (340, Cell.Left), (440, Cell.Left)], OptionalColumnCells);
        End(pdf, y);
        return pdf.Build();
    }

    /// <summary>Two tables with the same columns one under the other, each under a short heading.</summary>
    private static byte[] StackedWithHeadings()
    {
        var pdf = Page("Quarterly figures", out var y);
        (double X, Cell Align)[] columns = [(60, Cell.Left), (260, Cell.Right), (360, Cell.Right)];
        y = Rows(pdf, y, columns, SideLeftCells) + 4;
        pdf.Text(60, y, "Stock", Size, bold: true);
        y += Pitch + 4;
        y = Rows(pdf, y, columns, SideRightCells);
        End(pdf, y);
        return pdf.Build();
    }

    private static readonly string[][] NarrowCells =
    [
        ["Method", "Backbone", "AP", "AP50", "AP75", "APs", "APm", "APl"],
        ["Faster R-CNN", "ResNet-50", "37.4", "58.1", "40.4", "21.2", "41.0", "48.1"],
        ["RetinaNet", "ResNet-50", "36.5", "55.4", "39.1", "20.4", "40.3", "48.1"],
        ["FCOS", "ResNet-50", "38.7", "57.4", "41.8", "22.9", "42.5", "50.1"],
        ["DETR", "ResNet-50", "42.0", "62.4", "44.2", "20.5", "45.8", "61.1"],
        ["Deformable DETR", "ResNet-50", "46.2", "65.2", "50.0", "28.8", "49.2", "61.7"],
    ];

    /// <summary>A paper-style booktabs table in a small font with narrow column gaps (about half a text height).</summary>
    private static byte[] BooktabsNarrow() => BooktabsNarrow(5);

    private static byte[] BooktabsNarrow(double gap)
    {
        var pdf = Page("Table 1: Detection results", out var y);
        const double size = 8;
        var widths = Enumerable.Range(0, 8).Select(c => NarrowCells.Max(r => pdf.Measure(r[c], size, bold: true))).ToArray();
        var xs = new double[8];
        xs[0] = 60;
        for (var c = 1; c < 8; c++) xs[c] = xs[c - 1] + widths[c - 1] + gap;
        var right = xs[7] + widths[7];
        pdf.Rule(58, y - 10, right + 2, y - 10, 1.0);
        pdf.Rule(58, y + 3.5, right + 2, y + 3.5, 0.5);
        for (var r = 0; r < NarrowCells.Length; r++)
        {
            for (var c = 0; c < 8; c++)
                pdf.Text(c < 2 ? xs[c] : xs[c] + widths[c], y, NarrowCells[r][c], size, bold: r == 0, c < 2 ? Cell.Left : Cell.Right);
            y += r == 0 ? 13 : 10.5;
        }
        pdf.Rule(58, y - 7, right + 2, y - 7, 1.0);
        End(pdf, y);
        return pdf.Build();
    }

    /// <summary>A justified abstract between two full-width rules: not a table.</summary>
    private static byte[] FramedProse()
    {
        var pdf = Page("Abstract", out var y);
        string[] lines =
        [
            "We study table detection in digital documents and show that simple layout rules",
            "based on rule lines, column alignment and gap statistics recover most tables of",
            "financial reports and scientific papers. On 120 documents the method finds 94% of",
            "the tables and 97% of their cells, at a cost of about 2 ms per page on one core.",
        ];
        pdf.Rule(60, y - 12, 535, y - 12, 0.8);
        foreach (var line in lines)
        {
            pdf.Justified(60, y, 475, line);
            y += 13;
        }
        pdf.Rule(60, y - 7, 535, y - 7, 0.8);
        End(pdf, y + 4);
        return pdf.Build();
    }

    /// <summary>"Label: value" pairs between two rules (a form header): not a table.</summary>
    private static byte[] FramedKeyValues()
    {
        var pdf = Page("Order confirmation", out var y);
        (string, string)[] pairs = [("Customer:", "Nordic Parts AS"), ("Order no.:", "SO-5507"), ("Date:", "2026-03-02"), ("Payment:", "30 days net")];
        pdf.Rule(60, y - 12, 400, y - 12, 0.8);
        foreach (var (label, value) in pairs)
        {
            pdf.Text(60, y, label, Size, bold: true);
            pdf.Text(160, y, value, Size);
            y += Pitch;
        }
        pdf.Rule(60, y - 8, 400, y - 8, 0.8);
        End(pdf, y + 4);
        return pdf.Build();
    }

    /// <summary>The invoice table between rules (above and below the header, below the last item), as the sample invoice draws it.</summary>
    private static byte[] RuledInvoice()
    {
        var pdf = Page("Invoice 2026-0120", out var y);
        pdf.Rule(56, y - 12, 534, y - 12, 0.8);
        pdf.Rule(56, y + 4, 534, y + 4, 0.8);
        y = Rows(pdf, y, InvoiceColumns, InvoiceCells[..1]) + 3;
        y = Rows(pdf, y, InvoiceColumns, InvoiceCells[1..], boldRows: 0);
        pdf.Rule(56, y - Pitch + 4, 534, y - Pitch + 4, 0.8);
        End(pdf, y);
        return pdf.Build();
    }

    // ---------------------------------------------------------------- session 13: verbatim displays, open-sided grids

    /// <summary>
    /// Lines in the fixed-pitch font from <paramref name="y"/> down, 11 pt apart, every character on the grid (spaces are
    /// the listing's own, as a verbatim environment sets them); returns the baseline under the last line.
    /// </summary>
    private static double Verbatim(TablePdf pdf, double y, IEnumerable<string> lines)
    {
        pdf.Mono = true;
        var width = pdf.Measure("0", Size);
        foreach (var line in lines)
        {
            for (var k = 0; k < line.Length; k++)
                if (line[k] != ' ')
                {
                    var end = line.IndexOf(' ', k);
                    if (end < 0) end = line.Length;
                    pdf.Text(66 + k * width, y, line[k..end], Size);
                    k = end;
                }
            y += 11;
        }
        pdf.Mono = false;
        return y;
    }

    /// <summary>Terminal output in a fixed-pitch font between paragraphs of proportional text: its columns are runs of spaces, not a table.</summary>
    private static byte[] CodeListing()
    {
        var pdf = Page("Solver log", out var y);
        string[] lines =
        [
            "      0: obj =  1.823377629e+05  infeas = 4.201e+02 (0)",
            "    200: obj =  1.604138715e+05  infeas = 3.118e+01 (0)",
            "    400: obj =  1.209774406e+05  infeas = 7.720e+00 (0)",
            "    600: obj =  9.813006231e+04  infeas = 1.003e-01 (0)",
            "    800: obj =  8.250441109e+04  infeas = 0.000e+00 (0)",
            "OPTIMAL LP SOLUTION FOUND      time = 0.4 secs",
        ];
        y = Verbatim(pdf, y, lines);
        End(pdf, y);
        return pdf.Build();
    }

    /// <summary>
    /// A page of terminal output under one line of introduction, after a page of running text: the document's running
    /// text is proportional, so the listing is a verbatim display though its own page has too little text to say so.
    /// </summary>
    private static byte[] ListingPage()
    {
        var pdf = Page("Solver log", out var y);
        for (var k = 0; k < 11; k++) y = pdf.Paragraph(60, y + 10, 13, Intro) + 10; // 22 lines of running text
        pdf.NewPage();
        y = pdf.Paragraph(60, 70, 13, "Below is the terminal output of the example program, one line per iteration:") + 14;
        Verbatim(pdf, y, Enumerable.Range(0, 12).Select(i => string.Create(CultureInfo.InvariantCulture,
            $"{i,5}: obj = {1.823377629e+05 / (i + 1),16:E9}  rpi = {1.3 / (i + 1),8:E1}  gap = {9.3 / (i + 2),8:E1}")));
        return pdf.Build();
    }

    /// <summary>
    /// A fixed-format data file in a fixed-pitch font between paragraphs of running text, whose rows of one- and two-letter
    /// tokens cannot tell their pitch word by word: their font's other words tell it.
    /// </summary>
    private static byte[] ShortTokenListing()
    {
        var pdf = Page("Model file", out var y);
        string[] lines = ["NAME          SAMPLE1", "ROWS", " N  Z", " G  R1", " G  R2", " L  R3", " E  R4", "COLUMNS", "ENDATA"];
        y = Verbatim(pdf, y, lines);
        End(pdf, y);
        return pdf.Build();
    }

    /// <summary>
    /// A LaTeX tabular with | columns and \hline under the header only: the column rules are drawn row by row (one
    /// segment a row) and no rule separates the body rows.
    /// </summary>
    private static byte[] ColumnRulesByRow()
    {
        var pdf = Page("Parts list", out var y);
        double[] xs = [60, 160, 300, 420, 535];
        const double pitch = 14;
        var top = y - 11;
        var bottom = top + RuledGridCells.Length * pitch;
        pdf.Rule(xs[0], top, xs[^1], top);
        pdf.Rule(xs[0], top + pitch, xs[^1], top + pitch);
        pdf.Rule(xs[0], bottom, xs[^1], bottom);
        for (var r = 0; r < RuledGridCells.Length; r++)
            foreach (var x in xs) pdf.Rule(x, top + r * pitch + 0.2, x, top + (r + 1) * pitch - 0.2);
        for (var r = 0; r < RuledGridCells.Length; r++)
            for (var c = 0; c < 4; c++)
                pdf.Text(xs[c] + 5, top + r * pitch + 10.5, RuledGridCells[r][c], Size, bold: r == 0);
        End(pdf, bottom + 8);
        return pdf.Build();
    }

    /// <summary>A page printed wholly in a fixed-pitch font (a Courier printout): its table stays a table.</summary>
    private static byte[] MonospacePage()
    {
        var pdf = new TablePdf { Mono = true };
        pdf.Text(60, 70, "INVOICE 2026-0131", 12, bold: true);
        var y = pdf.Paragraph(60, 100, 13, Intro) + 14;
        y = Rows(pdf, y, InvoiceColumns, InvoiceCells);
        End(pdf, y);
        return pdf.Build();
    }

    /// <summary>A ruled grid with inner column rules only: the frame is open at the left and right, the row rules run past.</summary>
    private static byte[] OpenSidedGrid()
    {
        var pdf = Page("Parts list", out var y);
        double[] xs = [60, 160, 300, 420, 535];
        var top = y - 12;
        for (var r = 0; r <= RuledGridCells.Length; r++) pdf.Rule(xs[0], top + r * 18, xs[^1], top + r * 18);
        foreach (var x in xs[1..^1]) pdf.Rule(x, top, x, top + RuledGridCells.Length * 18);
        for (var r = 0; r < RuledGridCells.Length; r++)
            for (var c = 0; c < 4; c++)
                pdf.Text(xs[c] + 5, top + r * 18 + 12.5, RuledGridCells[r][c], Size, bold: r == 0);
        End(pdf, top + RuledGridCells.Length * 18 + 8);
        return pdf.Build();
    }

    /// <summary>
    /// Borders drawn cell by cell under each row and column rules between the cells, none above the header row nor at
    /// the sides (as FOP draws a DocBook table): the column rules rise above the first row rule.
    /// </summary>
    private static byte[] OpenTopGrid()
    {
        var pdf = Page("Parts list", out var y);
        double[] xs = [60, 160, 300, 420, 535];
        var top = y - 12;
        for (var r = 1; r <= RuledGridCells.Length; r++)
            for (var c = 0; c + 1 < xs.Length; c++) pdf.Rule(xs[c], top + r * 18, xs[c + 1], top + r * 18);
        for (var r = 0; r < RuledGridCells.Length; r++)
            foreach (var x in xs[1..^1]) pdf.Rule(x, top + r * 18, x, top + (r + 1) * 18);
        for (var r = 0; r < RuledGridCells.Length; r++)
            for (var c = 0; c < 4; c++)
                pdf.Text(xs[c] + 5, top + r * 18 + 12.5, RuledGridCells[r][c], Size, bold: r == 0);
        End(pdf, top + RuledGridCells.Length * 18 + 8);
        return pdf.Build();
    }

    private static readonly string[][] BooktabsGroupCells =
    [
        ["Option", "Effect", "Default"],
        ["draft", "no pictures, black boxes for overfull lines", "off"],
        ["final", "pictures and no boxes", "on"],
        ["oneside", "equal margins on all pages", "on"],
        ["twoside", "margins for left and right pages", "off"],
        ["openany", "chapters start on any page", "off"],
        ["openright", "chapters start on a right page", "on"],
        ["onecolumn", "one column of text", "on"],
        ["twocolumn", "two columns of text", "off"],
    ];

    /// <summary>
    /// A booktabs table whose body rows come in groups with a rule between them (LaTeX's <c>\midrule</c> between option
    /// groups): the rules under the header and between the groups have the extent of the top and bottom rules.
    /// </summary>
    private static byte[] BooktabsGroups()
    {
        var pdf = Page("Class options", out var y);
        (double X, Cell Align)[] columns = [(80, Cell.Left), (190, Cell.Left), (480, Cell.Right)];
        const double left = 74, right = 486;
        pdf.Rule(left, y - 12, right, y - 12, 0.8);
        y = Rows(pdf, y, columns, BooktabsGroupCells[..1]);
        foreach (var (from, to) in new[] { (1, 3), (3, 5), (5, 7), (7, 9) })
        {
            pdf.Rule(left, y - Pitch + 4, right, y - Pitch + 4, 0.5);
            y = Rows(pdf, y + 3, columns, BooktabsGroupCells[from..to], boldRows: 0);
        }
        pdf.Rule(left, y - Pitch + 4, right, y - Pitch + 4, 0.8);
        End(pdf, y);
        return pdf.Build();
    }

    /// <summary>
    /// An index in three text columns (entries with their page numbers at the column's right edge, letter headings
    /// half a line taller than an entry): where the three columns' lines happen to share baselines for a few lines they
    /// look like a table of six columns, but the gutters between the text columns run on through the lines above and
    /// below, where the columns are half a line apart.
    /// </summary>
    private static byte[] IndexColumns()
    {
        var pdf = Page("Index", out var y);
        // Per text column: a letter heading ("A"), an entry ("\\term|12, 40") or an entry's wrapped page numbers ("|77, 80").
        string[][] columns =
        [
            ["A", "\\addlinespace|5, 57, 92", "\\advance|118, 122", "\\afterassignment|34, 38", "\\aboverulesep|10, 20, 45",
             "\\abovetopsep|11, 21, 40", "\\arrayrulewidth|27, 28", "\\AtBeginDocument|75", "\\active|26",
             "|30, 31, 33, 36, 41, 42, 47, 50", "B", "\\belowbottomsep|9, 19, 51", "\\belowrulesep|8, 18, 41", "\\bottomrule|4, 39, 89",
             "\\box|16", "\\boxmaxdepth|17"],
            ["\\cmidrulesep|12, 22, 133", "\\cr|143, 148", "\\CT@arc@|75, 78, 142", "\\count@|81, 96",
             "|97, 98, 102, 103, 107, 108, 110", "D", "\\def|33, 35, 36", "\\defaultaddspace|14, 24, 58", "\\dimen@|44, 49",
             "|52, 53, 54, 58, 60, 61, 64, 66", "\\do|99", "\\doublerulesep|22, 73", "\\dp|110, 127", "\\dump|150", "\\dimen|5"],
            ["\\fi|37, 39, 44", "\\filedate|4", "\\fileversion|4", "\\futurelet|35, 60", "|61, 62, 70, 71, 73, 76, 79, 81",
             "G", "\\gdef|14", "\\getrule|88, 91", "\\global|41, 42, 46", "|47, 51, 52, 55, 59, 70, 72, 87", "H", "\\hfill|142, 147",
             "\\hline|64", "\\hskip|141, 143", "\\hss|12"],
        ];
        double[] lefts = [60, 250, 440];
        const double width = 150, pitch = 11.5;
        var bottom = y;
        for (var c = 0; c < 3; c++)
        {
            var line = y;
            foreach (var entry in columns[c])
            {
                var parts = entry.Split('|');
                if (parts.Length == 1)
                {
                    line += pitch / 4;
                    pdf.Text(lefts[c] + width / 2 - 3, line, parts[0], Size, bold: true);
                    line += pitch * 5 / 4;
                    continue;
                }
                if (parts[0].Length > 0) pdf.Text(lefts[c], line, parts[0], Size);
                pdf.Text(lefts[c] + width, line, parts[1], Size, align: Cell.Right);
                line += pitch;
            }
            bottom = Math.Max(bottom, line);
        }
        End(pdf, bottom);
        return pdf.Build();
    }
}
