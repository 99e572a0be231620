namespace DocFlow.Samples;

/// <summary>The six PDF samples.</summary>
internal static class PdfDocuments
{
    private const int Dpi = 300;
    private static readonly DateTime Created = new(2026, 11, 29, 9, 30, 0, DateTimeKind.Utc);

    public static GeneratedDocument InvoiceDigital(Random rng)
    {
        var sample = new Sample("invoice-digital.pdf", "application/pdf", "invoice");
        var spec = Invoices.PoundDigital(rng);
        var page = Invoices.Layout(spec, sample, PageBuilder.A4W, PageBuilder.A4H, digital: true);
        sample.Page(page, "text");
        var doc = PdfRender.NewDocument($"Invoice {spec.InvoiceId}", spec.SupplierName, Created);
        PdfRender.DrawPage(doc, page);
        return new(sample.File, PdfRender.Save(doc), sample.Truth(),
            "Digital invoice (A4, text layer, GBP, 20% VAT, six-row line-item table).");
    }

    public static GeneratedDocument ReportMultipage(Random rng)
    {
        var sample = new Sample("report-multipage.pdf", "application/pdf", "report");
        var quarterRevenue = new decimal[4];
        var layouts = LayoutReport(sample, rng, pageCount: null, quarterRevenue);
        // Second pass with the page count known, for the "Page n of N" footers; same numbers.
        sample = new Sample("report-multipage.pdf", "application/pdf", "report");
        layouts = LayoutReport(sample, rng, layouts.Count, quarterRevenue);
        var doc = PdfRender.NewDocument("Q1 2026 Operations Report", "Kestrel Logistics", Created);
        foreach (var page in layouts)
        {
            sample.Page(page, "text");
            PdfRender.DrawPage(doc, page);
        }
        return new(sample.File, PdfRender.Save(doc), sample.Truth(),
            $"Digital {layouts.Count}-page report (US Letter): headings, paragraphs, a table, page footers.");
    }

    private static List<PageLayout> LayoutReport(Sample sample, Random rng, int? pageCount, decimal[] revenue)
    {
        if (pageCount is null)
        {
            for (var i = 0; i < revenue.Length; i++)
            {
                revenue[i] = 410_000m + rng.Next(0, 9_000_000) / 100m;
            }
        }
        var pages = new List<PageLayout>();
        PageBuilder? b = null;
        const double bottom = 700;
        void NewPage()
        {
            if (b is not null)
            {
                Footer(b);
            }
            b = new PageBuilder(PageBuilder.LetterW, PageBuilder.LetterH, margin: 72, top: 54);
            b.Line("Kestrel Logistics - Q1 2026 Operations Report", Face.Sans, 10);
            b.Rule(before: 5);
            b.Gap(8);
        }
        void Footer(PageBuilder page)
        {
            pages.Add(page.Page);
            var n = pages.Count;
            page.Gap(Math.Max(0, 740 - page.Y - 15));
            page.Line($"Page {n} of {pageCount?.ToString(Fmt.Inv) ?? "?"}", Face.Sans, 10, align: Align.Center);
        }
        void Need(double points)
        {
            if (b!.Y + points > bottom)
            {
                NewPage();
            }
        }
        void Heading(string text, bool newPage = false)
        {
            if (newPage)
            {
                NewPage();
            }
            Need(60);
            b!.Gap(10);
            b.Line(text, Face.SansBold, 14, lead: 1.4);
            b.Gap(4);
        }
        void Para(string text)
        {
            foreach (var line in PageBuilder.Wrap(text, Face.Serif, 11, b!.ContentWidth))
            {
                Need(17);
                b!.Line(line, Face.Serif, 11, lead: 1.5);
            }
            b!.Gap(7);
        }

        NewPage();
        b!.Gap(20);
        b.Line("Q1 2026 Operations Report", Face.SansBold, 24);
        b.Line("Kestrel Logistics GmbH, Leipzig distribution centre", Face.Sans, 12, lead: 1.8);
        var published = new DateOnly(2026, 4, 15);
        b.Line("Published 15 April 2026", Face.Sans, 12, lead: 1.5);
        b.Gap(12);
        var total = revenue.Sum();
        Heading("1. Summary");
        Para("The first quarter of 2026 was the busiest in the history of the Leipzig site. Shipments grew in every region, the new sorting line reached its design capacity in February, and the share of orders delivered on time stayed above the target for all three months.");
        Para($"Revenue for the quarter was EUR {Fmt.Money(total)}, an increase of 11.4 percent over the same quarter last year. Operating costs rose more slowly than volume, mainly because overtime hours fell after the second shift was fully staffed.");
        Para("This report describes volumes and service levels by region, the progress of the automation programme, staffing and safety, and the priorities for the second quarter.");
        Heading("2. Volumes and service levels");
        Para("The table below shows shipments, the on-time delivery rate and revenue for each region. The on-time rate counts an order as late if it arrives after the promised day, whatever the reason.");
        Need(150);
        var header = new[] { "Region", "Shipments", "On-time rate", "Revenue (EUR)" };
        string[] regions = ["North", "East", "South", "West"];
        Cell[] Cols(string r, string s, string o, string v) =>
            [new(r, b!.Margin), new(s, 270, Align.Right), new(o, 380, Align.Right), new(v, b!.Right, Align.Right)];
        b!.Rule(before: 4);
        b.Cells(Cols(header[0], header[1], header[2], header[3]), Face.SansBold, 10.5);
        b.Rule(before: 5);
        var rows = new List<IReadOnlyList<string>>();
        var rowRng = new Random(revenue.Length * 31 + (int)(revenue[0] % 1000));
        for (var i = 0; i < regions.Length; i++)
        {
            var shipments = 18_000 + rowRng.Next(0, 9000);
            var onTime = (94 + rowRng.NextDouble() * 4.5).ToString("0.0", Fmt.Inv) + "%";
            string[] row = [regions[i], shipments.ToString("#,##0", Fmt.Inv), onTime, Fmt.Money(revenue[i])];
            b.Cells(Cols(row[0], row[1], row[2], row[3]), Face.Sans, 10.5, lead: 1.7);
            rows.Add(row);
        }
        b.Rule(before: 6);
        sample.Table(new TruthTable(pages.Count + 1, header, rows));
        b.Gap(8);
        Para("The East region again had the highest on-time rate. The lower figure for the West region is explained by two weeks of road works on the main access route in January, which added about forty minutes to every trip.");
        Para("Returns remained stable at 2.1 percent of shipments. Most returns were caused by wrong sizes in apparel orders, which the customers handle themselves; damage in transit accounted for less than one return in ten.");
        Heading("3. Automation programme", newPage: true);
        Para("The new sorting line went live on 12 January as planned. After a running-in period of three weeks it sorted up to 6,200 parcels per hour, slightly more than the design figure. Unplanned downtime was 1.8 percent of operating hours, mostly caused by label printers at the induction points.");
        Para("The second phase of the programme, automatic dimensioning and weighing at the inbound docks, has been approved by the board. Installation is scheduled for the summer so that it does not interfere with the peak season.");
        Para("Scanner handhelds were replaced on all shifts. Staff feedback was positive, and the time needed to train new colleagues on the handhelds fell from two days to half a day.");
        Para("The table below shows the monthly figures of the sorting line. Overtime hours are those of the whole site.");
        Need(120);
        var monthHeader = new[] { "Month", "Parcels sorted", "Downtime", "Overtime hours" };
        Cell[] MCols(string m, string p, string d, string o) =>
            [new(m, b!.Margin), new(p, 290, Align.Right), new(d, 390, Align.Right), new(o, b!.Right, Align.Right)];
        b!.Rule(before: 4);
        b.Cells(MCols(monthHeader[0], monthHeader[1], monthHeader[2], monthHeader[3]), Face.SansBold, 10.5);
        b.Rule(before: 5);
        var monthRows = new List<IReadOnlyList<string>>();
        string[] months = ["January", "February", "March"];
        for (var i = 0; i < months.Length; i++)
        {
            string[] row =
            [
                months[i],
                (410_000 + i * 95_000 + rowRng.Next(0, 40_000)).ToString("#,##0", Fmt.Inv),
                (2.9 - i * 0.8 + rowRng.NextDouble() * 0.3).ToString("0.0", Fmt.Inv) + "%",
                (3_100 - i * 700 + rowRng.Next(0, 300)).ToString("#,##0", Fmt.Inv),
            ];
            b.Cells(MCols(row[0], row[1], row[2], row[3]), Face.Sans, 10.5, lead: 1.7);
            monthRows.Add(row);
        }
        b.Rule(before: 6);
        sample.Table(new TruthTable(pages.Count + 1, monthHeader, monthRows));
        b.Gap(8);
        Heading("4. Staffing and safety");
        Para("At the end of the quarter the site employed 412 people, 38 more than at the start of the year. Staff turnover fell to 3.2 percent for the quarter. All new colleagues completed the safety induction within their first week.");
        Para("There were two minor accidents and no lost-time injuries. Both accidents happened at the loading docks during rain; the dock plates have since been fitted with anti-slip coating.");
        Para("The works council and management agreed a new shift model that gives every employee at least one full weekend off per month. It starts in May and will be evaluated after six months.");
        Para("Training continued at a high level. Every forklift driver completed the annual refresher course, and twelve colleagues qualified as first aiders. The canteen extended its opening hours to cover the start of the night shift.");
        Heading("5. Costs");
        Para("Operating costs for the quarter were 6.8 percent higher than a year ago, while shipments grew by 13.1 percent. The cost per shipment therefore fell for the fourth quarter in a row. Energy costs fell slightly thanks to the new roof-top solar installation, which covered about a fifth of the site's electricity demand in March.");
        Para("Depreciation rose with the commissioning of the sorting line. Maintenance costs were below budget because the line was still under warranty; from the third quarter onwards we expect them to rise to the planned level.");
        Heading("6. Priorities for the second quarter");
        Para("First, prepare the inbound docks for the dimensioning equipment without reducing capacity. Second, bring the on-time rate of the West region back above 96 percent. Third, start the tender for the electric yard tractors that will replace the diesel fleet by the end of 2027.");
        Para("We thank all colleagues for their work during a demanding quarter. Questions about this report can be sent to reporting@kestrel-logistics.example.");
        Footer(b!);

        sample.Entity("organization", "Kestrel Logistics GmbH", "Kestrel Logistics GmbH");
        sample.Entity("date_time", "15 April 2026", Fmt.Iso(published));
        sample.Entity("price", "EUR " + Fmt.Money(total), Fmt.Plain(total));
        sample.Entity("email", "reporting@kestrel-logistics.example", "reporting@kestrel-logistics.example");
        sample.Field("title", "Q1 2026 Operations Report");
        sample.Field("published", "15 April 2026");
        return pages;
    }

    private static PageLayout Agreement(Sample sample, Random rng, int part, DateOnly date)
    {
        var b = new PageBuilder(PageBuilder.A4W, PageBuilder.A4H, margin: 70, top: 56);
        var fee = 1800m + rng.Next(0, 30) * 50m;
        if (part == 1)
        {
            b.Line("SERVICE AGREEMENT", Face.SerifBold, 20, align: Align.Center);
            b.Gap(12);
            b.Line($"This agreement is made on {Fmt.Date(date, "d MMMM yyyy")} between", Face.Serif, 11.5, lead: 1.5);
            b.Gap(4);
            b.Line("Vantor Facility Services B.V.", Face.SerifBold, 11.5, b.Margin + 24, lead: 1.5);
            b.Line("Stationsplein 45, 3511 ED Utrecht, the Netherlands (the Provider)", Face.Serif, 11.5, b.Margin + 24, lead: 1.4);
            b.Line("and", Face.Serif, 11.5, lead: 1.6);
            b.Line("Corvella Software GmbH", Face.SerifBold, 11.5, b.Margin + 24, lead: 1.6);
            b.Line("Rosenthaler Strasse 40, 10178 Berlin, Germany (the Client).", Face.Serif, 11.5, b.Margin + 24, lead: 1.4);
            b.Gap(8);
            b.Line("1. Services", Face.SerifBold, 12.5, lead: 1.7);
            b.Paragraph("The Provider will clean the Client's offices on the second floor five days a week, outside office hours, and will supply all cleaning materials and consumables for the washrooms and the kitchen.", Face.Serif, 11.5, lead: 1.5);
            b.Gap(6);
            b.Line("2. Fees", Face.SerifBold, 12.5, lead: 1.7);
            b.Paragraph($"The Client will pay a monthly fee of EUR {Fmt.Money(fee)} plus VAT. The Provider invoices at the start of each month; invoices are payable within 14 days. Additional work is charged at EUR 38.50 per hour.", Face.Serif, 11.5, lead: 1.5);
            b.Gap(6);
            b.Line("3. Term and termination", Face.SerifBold, 12.5, lead: 1.7);
            b.Paragraph("The agreement starts on the first day of the month after signature and runs for twelve months. It is renewed for further periods of twelve months unless either party gives notice of termination three months before the end of the current period.", Face.Serif, 11.5, lead: 1.5);
            sample.Entity("organization", "Vantor Facility Services B.V.", "Vantor Facility Services B.V.");
            sample.Entity("organization", "Corvella Software GmbH", "Corvella Software GmbH");
            sample.Entity("date_time", Fmt.Date(date, "d MMMM yyyy"), Fmt.Iso(date));
            sample.Entity("price", "EUR " + Fmt.Money(fee), Fmt.Plain(fee));
            sample.Field("monthly_fee", "EUR " + Fmt.Money(fee));
        }
        else
        {
            b.Line("4. Quality and complaints", Face.SerifBold, 12.5, lead: 1.7);
            b.Paragraph("The parties meet once a quarter to review the quality of the services. Complaints are sent by email to service@vantor-facility.example and are answered within two working days.", Face.Serif, 11.5, lead: 1.5);
            b.Gap(6);
            b.Line("5. Liability and insurance", Face.SerifBold, 12.5, lead: 1.7);
            b.Paragraph("The Provider holds public liability insurance with a cover of at least EUR 2,000,000 per event and will show the certificate on request.", Face.Serif, 11.5, lead: 1.5);
            b.Gap(6);
            b.Line("6. Governing law", Face.SerifBold, 12.5, lead: 1.7);
            b.Paragraph("This agreement is governed by Dutch law. Disputes are settled by the competent court in Utrecht.", Face.Serif, 11.5, lead: 1.5);
            b.Gap(40);
            b.Line("For the Provider:", Face.Serif, 11.5);
            b.Line("Sanne de Vries, Managing Director", Face.Serif, 11.5, lead: 1.4);
            b.Gap(30);
            b.Line("For the Client:", Face.Serif, 11.5);
            b.Line("Jonas Albrecht, Head of Operations", Face.Serif, 11.5, lead: 1.4);
            sample.Entity("email", "service@vantor-facility.example", "service@vantor-facility.example");
        }
        return b.Page;
    }

    public static GeneratedDocument ScannedContract(Random rng)
    {
        var sample = new Sample("scanned-contract.pdf", "application/pdf", "other");
        var date = Fmt.DateIn2026(rng, 20, 300);
        var doc = PdfRender.NewDocument("Scan 0031", "Scanner", Created);
        for (var part = 1; part <= 2; part++)
        {
            var page = Agreement(sample, rng, part, date);
            var skew = Math.Round((rng.NextDouble() - 0.5) * 0.8, 2);
            sample.Page(page, "ocr", 0, skew);
            var img = Scan.Render(page, Dpi, new ScanStyle(skew), rng);
            PdfRender.ImagePage(doc, page.Width, page.Height, Scan.EncodeJpeg(img, 80, Dpi));
        }
        return new(sample.File, PdfRender.Save(doc), sample.Truth(),
            "Two-page service agreement, scanned: each page is one JPEG image, no text layer.");
    }

    public static GeneratedDocument Mixed(Random rng)
    {
        var sample = new Sample("mixed-pages.pdf", "application/pdf", "letter");
        var date = Fmt.DateIn2026(rng, 20, 300);
        var dateText = Fmt.Date(date, "dd.MM.yyyy");
        var note = "LS-" + Fmt.Digits(rng, 6);

        var b = new PageBuilder(PageBuilder.A4W, PageBuilder.A4H, margin: 70, top: 56);
        b.Line("Corvella Software GmbH", Face.SansBold, 16);
        b.Line("Rosenthaler Strasse 40, 10178 Berlin", Face.Sans, 10.5, lead: 1.6);
        b.Line("Phone: +49 30 5557 1200", Face.Sans, 10.5, lead: 1.4);
        b.Gap(24);
        b.Line("Vantor Facility Services B.V.", Face.Sans, 11);
        b.Line("Stationsplein 45", Face.Sans, 11, lead: 1.4);
        b.Line("3511 ED Utrecht", Face.Sans, 11, lead: 1.4);
        b.Gap(16);
        b.Line($"Berlin, {dateText}", Face.Sans, 11);
        b.Gap(12);
        b.Line($"Delivery note {note}: missing items", Face.SansBold, 12);
        b.Gap(6);
        b.Line("Dear Ms. de Vries,", Face.Sans, 11);
        b.Gap(4);
        b.Paragraph($"attached is a scan of delivery note {note}, signed by our reception on delivery. Two of the cartons listed on the note did not arrive: the paper towel dispensers and the replacement bins for the kitchen.", Face.Sans, 11, lead: 1.5);
        b.Gap(6);
        b.Paragraph("Please send the missing items with your next visit, or let us know when we can expect them. Until then we will hold back the corresponding part of your next invoice.", Face.Sans, 11, lead: 1.5);
        b.Gap(6);
        b.Line("Kind regards,", Face.Sans, 11);
        b.Gap(20);
        b.Line("Jonas Albrecht", Face.Sans, 11);
        b.Line("Head of Operations", Face.Sans, 11, lead: 1.4);
        b.Line("jonas.albrecht@corvella.example", Face.Sans, 11, lead: 1.4);
        sample.Page(b.Page, "text");

        var s = new PageBuilder(PageBuilder.A4W, PageBuilder.A4H, margin: 64, top: 56);
        s.Line("Vantor Facility Services B.V.", Face.SansBold, 15);
        s.Line("DELIVERY NOTE", Face.SansBold, 20, lead: 1.7);
        s.Gap(6);
        s.LabelValue("Delivery note no.", note, valueX: 200);
        s.LabelValue("Delivery date", Fmt.Date(date.AddDays(-3), "dd.MM.yyyy"), valueX: 200);
        s.LabelValue("Customer", "Corvella Software GmbH", valueX: 200);
        s.Gap(14);
        var header = new[] { "Item no.", "Description", "Cartons" };
        Cell[] Cols(string a, string d, string c) => [new(a, s.Margin), new(d, 160), new(c, 400, Align.Right)];
        s.Rule(before: 2);
        s.Cells(Cols(header[0], header[1], header[2]), Face.SansBold, 11);
        s.Rule(before: 5);
        (string, string)[] goods =
        [
            ("VF-1102", "Paper towel dispenser, white"), ("VF-2040", "Hand soap refill 5 L"), ("VF-3310", "Kitchen bin 30 L, set of 2"),
            ("VF-0871", "Microfibre cloths, 50 pcs"), ("VF-4415", "Floor cleaner concentrate"),
        ];
        var rows = new List<IReadOnlyList<string>>();
        foreach (var (no, desc) in goods)
        {
            string[] row = [no, desc, rng.Next(1, 7).ToString(Fmt.Inv)];
            s.Cells(Cols(row[0], row[1], row[2]), Face.Sans, 11, lead: 1.8);
            rows.Add(row);
        }
        s.Rule(before: 7);
        sample.Table(new TruthTable(2, header, rows));
        s.Gap(30);
        s.Line("Received in good order:", Face.Sans, 11);
        s.Gap(24);
        s.Rule(before: 0, x1: s.Margin, x2: 280);
        s.Line("Signature, name, date", Face.Sans, 10);
        var skew = Math.Round(0.3 + rng.NextDouble() * 0.4, 2);
        sample.Page(s.Page, "ocr", 0, skew);

        sample.Entity("organization", "Corvella Software GmbH", "Corvella Software GmbH");
        sample.Entity("phone_number", "+49 30 5557 1200", "+493055571200");
        sample.Entity("date_time", dateText, Fmt.Iso(date));
        sample.Entity("id", note, note);
        sample.Entity("email", "jonas.albrecht@corvella.example", "jonas.albrecht@corvella.example");
        sample.Entity("organization", "Vantor Facility Services B.V.", "Vantor Facility Services B.V.");
        sample.Field("Delivery note no.", note);
        sample.Field("Customer", "Corvella Software GmbH");

        var doc = PdfRender.NewDocument($"Delivery note {note}", "Corvella Software GmbH", Created);
        PdfRender.DrawPage(doc, b.Page);
        var img = Scan.Render(s.Page, Dpi, new ScanStyle(skew), rng);
        PdfRender.ImagePage(doc, s.Page.Width, s.Page.Height, Scan.EncodeJpeg(img, 80, Dpi));
        return new(sample.File, PdfRender.Save(doc), sample.Truth(),
            "Mixed PDF: page 1 is a digital cover letter (text layer), page 2 a scanned delivery note (image only).");
    }

    public static GeneratedDocument FormFilled(Random rng)
    {
        var sample = new Sample("form-filled.pdf", "application/pdf", "form");
        var b = new PageBuilder(PageBuilder.A4W, PageBuilder.A4H, margin: 60, top: 44);
        b.Line("Stadtwerke Elbtal", Face.Sans, 12);
        b.Line("SUPPLIER REGISTRATION FORM", Face.SansBold, 18, lead: 1.6);
        b.Rule(before: 8);
        var regDate = Fmt.DateIn2026(rng, 5, 320);
        var iban = Fmt.Iban("DE", "37040044" + Fmt.Digits(rng, 10));
        var vat = Fmt.GermanVatId(rng);
        void Section(string title)
        {
            b.Gap(8);
            b.Line(title, Face.SansBold, 12.5, lead: 1.6);
        }
        void Inline(string label, string value)
        {
            b.LabelValue(label, value, Face.Sans, Face.Sans, 11, valueX: 200, lead: 1.65);
            sample.Field(label, value);
        }
        void Above(string label, string value)
        {
            b.Line(label, Face.Sans, 9.5, lead: 1.7);
            b.Line(value, Face.Sans, 11.5, b.Margin + 6, lead: 1.4);
            b.Rule(before: 4, width: 0.4);
            sample.Field(label, value);
        }
        string Check(bool on, string label)
        {
            b.Line((on ? "\u2611 " : "\u2610 ") + label, Face.Sans, 11, lead: 1.6);
            sample.Field(label, on ? "checked" : "unchecked");
            return label;
        }
        Section("A. Company");
        Inline("Company name", "Brightwater Pumps GmbH");
        Inline("Legal form", "GmbH");
        Inline("VAT ID", vat);
        Inline("Registration date", Fmt.Date(regDate, "dd.MM.yyyy"));
        Above("Registered address", "Am Kanal 19, 01159 Dresden, Germany");
        Above("Website", "https://www.brightwater-pumps.example");
        Section("B. Contact person");
        Inline("Name", "Felix Hartmann");
        Inline("Position", "Key Account Manager");
        Inline("Email", "f.hartmann@brightwater-pumps.example");
        Inline("Phone", "+49 351 4127 5530");
        Section("C. Bank details");
        Inline("Account holder", "Brightwater Pumps GmbH");
        Inline("IBAN", iban);
        Inline("BIC", "COBADEFFXXX");
        Section("D. Categories supplied");
        var cats = new[] { "Pumps and valves", "Pipes and fittings", "Electrical components", "Maintenance services" };
        foreach (var c in cats)
        {
            Check(rng.Next(3) != 0, c);
        }
        Section("E. Certifications");
        Check(true, "ISO 9001");
        Check(rng.Next(2) == 0, "ISO 14001");
        Check(false, "ISO 45001");
        b.Gap(10);
        Inline("Place, date", $"Dresden, {Fmt.Date(regDate, "dd.MM.yyyy")}");
        sample.Page(b.Page, "text");
        sample.Entity("organization", "Brightwater Pumps GmbH", "Brightwater Pumps GmbH");
        sample.Entity("id", vat, vat);
        sample.Entity("date_time", Fmt.Date(regDate, "dd.MM.yyyy"), Fmt.Iso(regDate));
        sample.Entity("address", "Am Kanal 19, 01159 Dresden, Germany", "Am Kanal 19, 01159 Dresden, Germany");
        sample.Entity("url", "https://www.brightwater-pumps.example", "https://www.brightwater-pumps.example");
        sample.Entity("email", "f.hartmann@brightwater-pumps.example", "f.hartmann@brightwater-pumps.example");
        sample.Entity("phone_number", "+49 351 4127 5530", "+4935141275530");
        sample.Entity("id", iban, iban.Replace(" ", "", StringComparison.Ordinal));
        var doc = PdfRender.NewDocument("Supplier registration", "Stadtwerke Elbtal", Created);
        PdfRender.DrawPage(doc, b.Page);
        return new(sample.File, PdfRender.Save(doc), sample.Truth(),
            "Filled supplier registration form (digital): 'Label: value' lines, labels above values, checkbox glyphs ☐/☑.");
    }

    public static GeneratedDocument ReceiptDigital(Random rng)
    {
        var sample = new Sample("receipt-digital.pdf", "application/pdf", "receipt");
        var width = 80 / 25.4 * 72;
        var b = new PageBuilder(width, 2000, margin: 14, top: 18);
        b.Line("BISTRO LUMEN", Face.SansBold, 14, align: Align.Center);
        b.Line("Kastanienallee 7, 10435 Berlin", Face.Sans, 8.5, align: Align.Center, lead: 1.6);
        b.Line("VAT ID " + Fmt.GermanVatId(rng), Face.Sans, 8.5, align: Align.Center, lead: 1.4);
        b.Rule(before: 6);
        var date = Fmt.DateIn2026(rng, 1, 330);
        var time = $"{rng.Next(11, 23):00}:{rng.Next(0, 60):00}";
        var dateText = Fmt.Date(date, "dd.MM.yyyy");
        var table = rng.Next(1, 25);
        b.Line($"Table {table} {dateText} {time}", Face.Sans, 9, lead: 1.8);
        b.Line($"Receipt no. {Fmt.Digits(rng, 5)}", Face.Sans, 9, lead: 1.4);
        b.Rule(before: 6);
        (string, decimal)[] menu =
        [
            ("Flat white", 3.60m), ("Sparkling water 0.5 l", 3.20m), ("Lentil soup", 7.90m), ("Club sandwich", 11.50m),
            ("Caesar salad", 12.40m), ("Cheesecake", 5.80m), ("Espresso", 2.40m), ("Apple spritzer", 3.90m),
        ];
        decimal gross = 0;
        foreach (var (name, price) in Fmt.Pick(rng, menu, 5))
        {
            var qty = rng.Next(1, 3);
            var amount = qty * price;
            gross += amount;
            b.Cells([new($"{qty} {name}", b.Margin), new(Fmt.Money(amount) + " €", b.Right, Align.Right)], Face.Sans, 9, lead: 1.6);
            sample.Entity("price", Fmt.Money(amount) + " €", Fmt.Plain(amount));
        }
        b.Rule(before: 6);
        var net = Math.Round(gross / 1.19m, 2, MidpointRounding.AwayFromZero);
        var tax = gross - net;
        var totalText = Fmt.Money(gross) + " €";
        b.Cells([new("TOTAL", b.Margin), new(totalText, b.Right, Align.Right)], Face.SansBold, 12, lead: 1.8);
        b.Cells([new("Net", b.Margin), new(Fmt.Money(net) + " €", b.Right, Align.Right)], Face.Sans, 9, lead: 1.7);
        b.Cells([new("VAT 19%", b.Margin), new(Fmt.Money(tax) + " €", b.Right, Align.Right)], Face.Sans, 9, lead: 1.5);
        b.Line("Paid by card (Maestro)", Face.Sans, 9, lead: 1.8);
        b.Rule(before: 6);
        b.Line("Thank you and see you soon!", Face.Sans, 9, align: Align.Center, lead: 1.9);
        b.Line("www.bistro-lumen.example", Face.Sans, 9, align: Align.Center, lead: 1.5);
        var page = new PageLayout(b.Page.Width, Math.Ceiling(b.Y + 24));
        page.Ops.AddRange(b.Page.Ops);
        page.Lines.AddRange(b.Page.Lines);
        sample.Page(page, "text");
        sample.FieldEntity("supplier_name", "BISTRO LUMEN", "Bistro Lumen");
        sample.Entity("supplier_address", "Kastanienallee 7, 10435 Berlin", "Kastanienallee 7, 10435 Berlin");
        sample.FieldEntity("receipt_date", dateText, Fmt.Iso(date));
        sample.Entity("date_time", $"{dateText} {time}", $"{Fmt.Iso(date)}T{time}");
        sample.FieldEntity("total_amount", totalText, Fmt.Plain(gross));
        sample.FieldEntity("net_amount", Fmt.Money(net) + " €", Fmt.Plain(net));
        sample.FieldEntity("total_tax_amount", Fmt.Money(tax) + " €", Fmt.Plain(tax));
        sample.Field("currency", "EUR");
        sample.Entity("currency", "€", "EUR");
        sample.Entity("url", "www.bistro-lumen.example", "https://www.bistro-lumen.example");
        var doc = PdfRender.NewDocument("Receipt", "Bistro Lumen", Created);
        PdfRender.DrawPage(doc, page);
        return new(sample.File, PdfRender.Save(doc), sample.Truth(),
            "Restaurant receipt as a narrow digital PDF (80 mm wide, EUR, 19% VAT included).");
    }
}
