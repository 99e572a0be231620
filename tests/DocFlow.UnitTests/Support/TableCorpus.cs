namespace DocFlow.UnitTests.Support;

/// <summary>The cells a table must have: rows top to bottom (header rows first), a spanning cell repeated in each column it covers.</summary>
public sealed record ExpectedTable(string[][] Grid)
{
    public int Rows => Grid.Length;
    public int Columns => Grid.Max(r => r.Length);
}

/// <summary>One corpus document: the failure mode it exercises, how to draw it, and the tables it holds (none for a trap).</summary>
public sealed record TableCase(string Name, string Mode, Func<byte[]> Build, ExpectedTable[] Tables)
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
}
