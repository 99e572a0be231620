namespace DocFlow.Samples;

/// <summary>The twelve demo documents. Each method uses only its own <see cref="Random"/>.</summary>
internal static class Documents
{
    private const int Dpi = 300;

    private static double Skew(Random rng, double min, double max) =>
        Math.Round((min + rng.NextDouble() * (max - min)) * (rng.Next(2) == 0 ? -1 : 1), 2);

    // ---------------------------------------------------------------- images

    public static GeneratedDocument InvoiceScan(Random rng)
    {
        var sample = new Sample("invoice-scan.png", "image/png", "invoice");
        var spec = Invoices.EuroScan(rng);
        var page = Invoices.Layout(spec, sample, PageBuilder.A4W, PageBuilder.A4H, digital: false);
        var skew = Skew(rng, 0.2, 0.5);
        sample.Page(page, "ocr", 0, skew);
        var img = Scan.Render(page, Dpi, new ScanStyle(skew), rng);
        return new(sample.File, Scan.EncodePng(img, Dpi), sample.Truth(),
            "Scanned supplier invoice (A4, 300 dpi greyscale PNG, EUR, 19% VAT, line-item table).");
    }

    public static GeneratedDocument LetterSkewed(Random rng)
    {
        var sample = new Sample("letter-skewed.jpg", "image/jpeg", "letter");
        var page = Letter(sample, rng);
        var skew = Skew(rng, 1.2, 1.8);
        sample.Page(page, "ocr", 0, skew);
        var img = Scan.Render(page, Dpi, new ScanStyle(skew), rng);
        return new(sample.File, Scan.EncodeJpeg(img, 85, Dpi), sample.Truth(),
            $"Business letter (US Letter, serif), scanned with a {Math.Abs(skew):0.0}° skew, greyscale JPEG.");
    }

    private static PageLayout Letter(Sample sample, Random rng)
    {
        var b = new PageBuilder(PageBuilder.LetterW, PageBuilder.LetterH, margin: 72, top: 50);
        var date = Fmt.DateIn2026(rng, 30, 320);
        var dateText = Fmt.Date(date, "MMMM d, yyyy");
        b.Line("Harbor & Finch Legal Services LLP", Face.SerifBold, 16);
        var address = "410 Market Street, Suite 1200, San Francisco, CA 94111";
        b.Line(address, Face.Serif, 10.5, lead: 1.6);
        b.Line("Tel: (415) 555-0142", Face.Serif, 10.5, lead: 1.4);
        b.Line("www.harborfinch.example", Face.Serif, 10.5, lead: 1.4);
        b.Rule(before: 8);
        b.Gap(14);
        b.Line(dateText, Face.Serif, 11.5);
        b.Gap(12);
        b.Line("Ms. Olivia Brandt", Face.Serif, 11.5);
        b.Line("Brandt Design Studio", Face.Serif, 11.5, lead: 1.35);
        b.Line("88 Cedar Avenue, Unit 3B", Face.Serif, 11.5, lead: 1.35);
        b.Line("Portland, OR 97205", Face.Serif, 11.5, lead: 1.35);
        b.Gap(12);
        var reference = "HF-" + Fmt.Digits(rng, 5);
        b.Line($"Re: Lease renewal, our reference {reference}", Face.SerifBold, 11.5);
        b.Gap(8);
        b.Line("Dear Ms. Brandt,", Face.Serif, 11.5);
        b.Gap(4);
        var months = rng.Next(24, 61);
        var rent = 2150m + rng.Next(0, 40) * 25m;
        var deadline = date.AddDays(21);
        var deadlineText = Fmt.Date(deadline, "MMMM d, yyyy");
        string[] paragraphs =
        [
            "Thank you for meeting with us last week to discuss the renewal of your studio lease. As agreed, we have reviewed the draft prepared by the landlord and summarise the main points below.",
            $"The landlord proposes a renewal term of {months} months at a monthly rent of ${Fmt.Money(rent)}, payable on the first business day of each month. The security deposit already held will be carried over to the new term without change.",
            "Two clauses deserve your attention. The maintenance clause now places the cost of repairs to the heating system on the tenant, and the early termination clause requires six months of notice instead of three. We recommend that you ask for both to be restored to the wording of the current lease.",
            $"Please let us know by {deadlineText} whether you would like us to negotiate these points on your behalf. We will then send a revised draft to the landlord and keep you informed of every response.",
        ];
        foreach (var p in paragraphs)
        {
            b.Paragraph(p, Face.Serif, 11.5, lead: 1.42);
            b.Gap(7);
        }
        b.Line("Sincerely,", Face.Serif, 11.5);
        b.Gap(26);
        b.Line("Daniel K. Reyes", Face.Serif, 11.5);
        b.Line("Senior Associate", Face.Serif, 11.5, lead: 1.35);
        b.Line("daniel.reyes@harborfinch.example", Face.Serif, 11.5, lead: 1.35);

        sample.Entity("organization", "Harbor & Finch Legal Services LLP", "Harbor & Finch Legal Services LLP");
        sample.Entity("address", address, address);
        sample.Entity("phone_number", "(415) 555-0142", "+14155550142");
        sample.Entity("url", "www.harborfinch.example", "https://www.harborfinch.example");
        sample.Entity("date_time", dateText, Fmt.Iso(date));
        sample.Entity("organization", "Brandt Design Studio", "Brandt Design Studio");
        sample.Entity("id", reference, reference);
        sample.Entity("price", "$" + Fmt.Money(rent), Fmt.Plain(rent));
        sample.Entity("date_time", deadlineText, Fmt.Iso(deadline));
        sample.Entity("email", "daniel.reyes@harborfinch.example", "daniel.reyes@harborfinch.example");
        sample.Field("date", dateText);
        sample.Field("sender", "Daniel K. Reyes");
        sample.Field("recipient", "Ms. Olivia Brandt");
        sample.Field("reference", reference);
        return b.Page;
    }

    public static GeneratedDocument MemoRotated(Random rng)
    {
        var sample = new Sample("memo-rotated.png", "image/png", "other");
        var b = new PageBuilder(PageBuilder.A4W, PageBuilder.A4H, margin: 64, top: 56);
        var date = Fmt.DateIn2026(rng, 10, 300);
        var dateText = Fmt.Iso(date);
        b.Line("KESTREL LOGISTICS", Face.SansBold, 13);
        b.Line("MEMORANDUM", Face.SansBold, 22, lead: 1.7);
        b.Gap(6);
        b.LabelValue("To", "All warehouse staff, Leipzig site", valueX: 150);
        b.LabelValue("From", "Priya Natarajan, Operations Manager", valueX: 150);
        b.LabelValue("Date", dateText, valueX: 150);
        b.LabelValue("Subject", "New inventory count schedule", valueX: 150);
        b.Rule(before: 10);
        b.Gap(8);
        b.Paragraph("From next month we will replace the annual stock take with rolling cycle counts. Each zone is counted once a week, so the warehouse never has to close for a full day and errors are found while they are still easy to trace.", Face.Sans, 11, lead: 1.5);
        b.Gap(6);
        b.Paragraph("The first cycle follows the plan below. Team leads will post the weekly rota on the notice board every Friday.", Face.Sans, 11, lead: 1.5);
        b.Gap(6);
        string[] days = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"];
        for (var z = 0; z < 5; z++)
        {
            var start = 6 + rng.Next(0, 3);
            b.Line($"- Zone {(char)('A' + z)}: {days[z]}, {start:00}:00 to {start + 4:00}:00", Face.Sans, 11, b.Margin + 14, lead: 1.6);
        }
        b.Gap(6);
        b.Paragraph("Scanners must be charged before each shift. Please report any damaged labels to your team lead instead of correcting them by hand.", Face.Sans, 11, lead: 1.5);
        b.Gap(6);
        b.Line("Questions: ops@kestrel-logistics.example or extension 4417.", Face.Sans, 11);
        sample.Entity("organization", "KESTREL LOGISTICS", "Kestrel Logistics");
        sample.Entity("date_time", dateText, dateText);
        sample.Entity("email", "ops@kestrel-logistics.example", "ops@kestrel-logistics.example");
        sample.Field("To", "All warehouse staff, Leipzig site");
        sample.Field("From", "Priya Natarajan, Operations Manager");
        sample.Field("Date", dateText);
        sample.Field("Subject", "New inventory count schedule");
        var skew = Skew(rng, 0.2, 0.6);
        sample.Page(b.Page, "ocr", 90, skew);
        var img = Scan.Rotate90Clockwise(Scan.Render(b.Page, Dpi, new ScanStyle(skew), rng));
        return new(sample.File, Scan.EncodePng(img, Dpi), sample.Truth(),
            "Internal memo scanned sideways: the A4 page is turned 90° clockwise in a landscape PNG.");
    }

    public static GeneratedDocument FaxTiff(Random rng)
    {
        var sample = new Sample("fax-3pages.tif", "image/tiff", "other");
        var date = Fmt.DateIn2026(rng, 15, 300);
        var dateText = Fmt.Date(date, "dd/MM/yyyy");
        var time = $"{rng.Next(8, 18):00}:{rng.Next(0, 60):00}";
        const string fromFax = "+49 89 2024 7781", toFax = "+44 161 496 0733";
        var po = "PO-" + Fmt.Digits(rng, 5);
        PageBuilder NewPage(int n)
        {
            var b = new PageBuilder(PageBuilder.A4W, PageBuilder.A4H, margin: 60, top: 24);
            b.Line($"{dateText} {time} FROM {fromFax} TO {toFax} P.{n}/3", Face.Mono, 10);
            b.Rule(before: 5);
            return b;
        }

        var pages = new List<PageLayout>();
        var p1 = NewPage(1);
        p1.Gap(20);
        p1.Line("FAX", Face.SansBold, 34);
        p1.Line("Okafor Industrial Supplies GmbH", Face.SansBold, 14, lead: 1.8);
        p1.Line("Landsberger Strasse 302, 80687 Munich, Germany", Face.Sans, 11);
        p1.Gap(16);
        var labelX = 170.0;
        p1.LabelValue("To", "Meridian Components Ltd", size: 12, valueX: labelX);
        p1.LabelValue("Attn", "Purchasing Department", size: 12, valueX: labelX);
        p1.LabelValue("Fax", toFax, size: 12, valueX: labelX);
        p1.LabelValue("From", "Chinedu Okafor", size: 12, valueX: labelX);
        p1.LabelValue("Phone", fromFax, size: 12, valueX: labelX);
        p1.LabelValue("Date", dateText, size: 12, valueX: labelX);
        p1.LabelValue("Pages", "3 including this cover", size: 12, valueX: labelX);
        p1.LabelValue("Subject", $"Order confirmation {po}", size: 12, valueX: labelX);
        p1.Rule(before: 12);
        p1.Gap(10);
        p1.Paragraph($"Please find our confirmation of purchase order {po} on the following page, together with our delivery and payment terms. Kindly sign the terms and return them by fax within five working days.", Face.Sans, 12, lead: 1.5);
        p1.Gap(8);
        p1.Paragraph("If any page is missing or hard to read, call us and we will send it again.", Face.Sans, 12, lead: 1.5);
        pages.Add(p1.Page);

        var p2 = NewPage(2);
        p2.Gap(16);
        p2.Line($"ORDER CONFIRMATION {po}", Face.SansBold, 16);
        p2.Gap(8);
        p2.Line("Customer: Meridian Components Ltd, 15 Trafford Park Road, Manchester M17 1HG", Face.Sans, 11);
        var delivery = date.AddDays(rng.Next(10, 25));
        var deliveryText = Fmt.Date(delivery, "dd/MM/yyyy");
        p2.Line($"Delivery date: {deliveryText}", Face.Sans, 11);
        p2.Gap(12);
        (string, decimal)[] parts =
        [
            ("Hex bolt M12 x 80, zinc", 0.42m), ("Hydraulic hose 1/2 inch, 2 m", 31.80m), ("Ball bearing 6204-2RS", 3.15m),
            ("Safety valve DN25", 148.00m), ("Pressure gauge 0-16 bar", 27.60m), ("Gasket set, EPDM", 12.90m),
        ];
        var chosen = Fmt.Pick(rng, parts, 5);
        Cell[] Cols(string i, string d, string q, string a) =>
            [new(i, p2.Margin), new(d, 110), new(q, 420, Align.Right), new(a, p2.Right, Align.Right)];
        var header = new[] { "Item", "Description", "Qty", "Amount" };
        p2.Rule(before: 2);
        p2.Cells(Cols(header[0], header[1], header[2], header[3]), Face.SansBold, 11);
        p2.Rule(before: 5);
        var rows = new List<IReadOnlyList<string>>();
        decimal total = 0;
        for (var i = 0; i < chosen.Length; i++)
        {
            var qty = rng.Next(2, 60);
            var amount = qty * chosen[i].Item2;
            total += amount;
            string[] row = [(i + 1).ToString(Fmt.Inv), chosen[i].Item1, qty.ToString(Fmt.Inv), "EUR " + Fmt.Money(amount)];
            p2.Cells(Cols(row[0], row[1], row[2], row[3]), Face.Sans, 11, lead: 1.8);
            rows.Add(row);
        }
        p2.Rule(before: 7);
        p2.Cells([new("Total excluding VAT:", 300), new("EUR " + Fmt.Money(total), p2.Right, Align.Right)], Face.SansBold, 11, lead: 1.9);
        sample.Table(new TruthTable(2, header, rows));
        p2.Gap(14);
        p2.Paragraph("Prices are ex works Munich. Goods remain our property until paid in full. Please check the quantities and tell us about any difference before the delivery date.", Face.Sans, 11, lead: 1.5);
        pages.Add(p2.Page);

        var p3 = NewPage(3);
        p3.Gap(16);
        p3.Line("TERMS OF DELIVERY AND PAYMENT", Face.SansBold, 15);
        p3.Gap(6);
        string[] terms =
        [
            "1. Delivery is made to the address stated in the order. Partial deliveries are allowed and invoiced separately.",
            "2. Payment is due within 30 days of the invoice date without deduction, or within 10 days less 2% discount.",
            "3. Claims for visible damage must be made within 7 days of delivery, in writing, with photographs of the goods.",
            "4. Returns need our prior written consent. Special orders cannot be returned.",
            "5. German law applies. Place of jurisdiction is Munich.",
        ];
        foreach (var t in terms)
        {
            p3.Paragraph(t, Face.Sans, 11.5, lead: 1.5);
            p3.Gap(6);
        }
        p3.Gap(24);
        p3.Line("Accepted for Meridian Components Ltd:", Face.Sans, 11.5);
        p3.Gap(26);
        p3.Rule(before: 0, x1: p3.Margin, x2: 300);
        p3.Line("Signature and date", Face.Sans, 10);
        pages.Add(p3.Page);

        var images = new List<GrayImage>();
        foreach (var p in pages)
        {
            var skew = Skew(rng, 0.1, 0.4);
            sample.Page(p, "ocr", 0, skew);
            images.Add(Scan.Render(p, Dpi, new ScanStyle(skew, Blur: false, PaperVariation: 0, SpecklesPerMegapixel: 12, Ink: 0), rng));
        }
        sample.Entity("organization", "Okafor Industrial Supplies GmbH", "Okafor Industrial Supplies GmbH");
        sample.Entity("address", "Landsberger Strasse 302, 80687 Munich, Germany", "Landsberger Strasse 302, 80687 Munich, Germany");
        sample.Entity("phone_number", toFax, "+441614960733");
        sample.Entity("phone_number", fromFax, "+498920247781");
        sample.Entity("date_time", dateText, Fmt.Iso(date));
        sample.Entity("id", po, po);
        sample.Entity("date_time", deliveryText, Fmt.Iso(delivery));
        sample.Entity("total_amount", "EUR " + Fmt.Money(total), Fmt.Plain(total));
        sample.Field("To", "Meridian Components Ltd");
        sample.Field("Attn", "Purchasing Department");
        sample.Field("Fax", toFax);
        sample.Field("From", "Chinedu Okafor");
        sample.Field("Date", dateText);
        sample.Field("Pages", "3 including this cover");
        sample.Field("Delivery date", deliveryText);
        return new(sample.File, Tiff.WriteBilevel(images, Dpi), sample.Truth(),
            "Three-page fax (cover, order confirmation with table, terms): 1-bit multi-page TIFF, PackBits.");
    }

    private static (PageLayout Page, string Total) ShopReceipt(Sample sample, Random rng)
    {
        var width = 80 / 25.4 * 72; // 80 mm roll
        var b = new PageBuilder(width, 2000, margin: 14, top: 18);
        b.Line("GREEN LEAF MARKET", Face.MonoBold, 14, align: Align.Center);
        b.Line("1452 Alder Street", Face.Mono, 10, align: Align.Center, lead: 1.5);
        b.Line("Springfield, OR 97477", Face.Mono, 10, align: Align.Center, lead: 1.4);
        b.Line("Tel (541) 555-0198", Face.Mono, 10, align: Align.Center, lead: 1.4);
        b.Rule(before: 6);
        var date = Fmt.DateIn2026(rng, 1, 330);
        var dateText = Fmt.Date(date, "MM/dd/yyyy");
        var time = $"{rng.Next(8, 21):00}:{rng.Next(0, 60):00}";
        b.Line($"{dateText} {time} Reg 2 #{Fmt.Digits(rng, 4)}", Face.Mono, 10, lead: 1.8);
        b.Rule(before: 6);
        (string, decimal)[] goods =
        [
            ("Bananas organic", 1.89m), ("Oat milk 1L", 2.49m), ("Sourdough bread", 5.25m), ("Eggs large 12", 4.79m),
            ("Greek yogurt", 3.99m), ("Cheddar block", 6.49m), ("Coffee beans", 11.99m), ("Apples gala 2lb", 4.38m),
            ("Pasta penne", 1.79m), ("Tomato sauce", 3.29m),
        ];
        var items = Fmt.Pick(rng, goods, rng.Next(6, 9));
        decimal sub = 0;
        foreach (var (name, price) in items)
        {
            var qty = rng.Next(1, 4) == 1 ? 2 : 1;
            var line = qty * price;
            sub += line;
            var label = qty > 1 ? $"{name} x{qty}" : name;
            b.Cells([new(label, b.Margin), new(Fmt.Money(line), b.Right, Align.Right)], Face.Mono, 10, lead: 1.6);
            sample.Entity("price", Fmt.Money(line), Fmt.Plain(line));
        }
        b.Rule(before: 6);
        var tax = Math.Round(sub * 0.0725m, 2, MidpointRounding.AwayFromZero);
        var total = sub + tax;
        b.Cells([new("SUBTOTAL", b.Margin), new(Fmt.Money(sub), b.Right, Align.Right)], Face.Mono, 10, lead: 1.8);
        b.Cells([new("TAX 7.25%", b.Margin), new(Fmt.Money(tax), b.Right, Align.Right)], Face.Mono, 10, lead: 1.6);
        var totalText = "$" + Fmt.Money(total);
        b.Cells([new("TOTAL", b.Margin), new(totalText, b.Right, Align.Right)], Face.MonoBold, 12, lead: 1.7);
        b.Line($"VISA ending {Fmt.Digits(rng, 4)}", Face.Mono, 10, lead: 1.8);
        b.Rule(before: 6);
        b.Line("Thank you for shopping with us!", Face.Mono, 10, align: Align.Center, lead: 1.9);
        b.Line("www.greenleafmarket.example", Face.Mono, 10, align: Align.Center, lead: 1.5);
        sample.FieldEntity("supplier_name", "GREEN LEAF MARKET", "Green Leaf Market");
        sample.Entity("supplier_address", "1452 Alder Street", "1452 Alder Street, Springfield, OR 97477");
        sample.Entity("phone_number", "(541) 555-0198", "+15415550198");
        sample.FieldEntity("receipt_date", dateText, Fmt.Iso(date));
        sample.Entity("date_time", $"{dateText} {time}", $"{Fmt.Iso(date)}T{time}");
        sample.FieldEntity("net_amount", Fmt.Money(sub), Fmt.Plain(sub));
        sample.FieldEntity("total_tax_amount", Fmt.Money(tax), Fmt.Plain(tax));
        sample.FieldEntity("total_amount", totalText, Fmt.Plain(total));
        sample.Field("currency", "USD");
        sample.Entity("currency", "$", "USD");
        sample.Entity("url", "www.greenleafmarket.example", "https://www.greenleafmarket.example");
        var cropped = new PageLayout(b.Page.Width, Math.Ceiling(b.Y + 28));
        cropped.Ops.AddRange(b.Page.Ops);
        cropped.Lines.AddRange(b.Page.Lines);
        return (cropped, totalText);
    }

    public static GeneratedDocument ReceiptPhoto(Random rng)
    {
        var sample = new Sample("receipt-shop.jpg", "image/jpeg", "receipt");
        var (page, _) = ShopReceipt(sample, rng);
        var skew = Skew(rng, 0.3, 0.8);
        sample.Page(page, "ocr", 0, skew);
        var img = Scan.Render(page, Dpi, new ScanStyle(skew, PaperBase: 238, PaperVariation: 10), rng);
        return new(sample.File, Scan.EncodeJpeg(img, 85, Dpi), sample.Truth(),
            "Supermarket till receipt (80 mm roll, monospace, USD with sales tax), greyscale JPEG.");
    }

    public static GeneratedDocument FormScan(Random rng)
    {
        var sample = new Sample("form-scan.png", "image/png", "form");
        var b = new PageBuilder(PageBuilder.A4W, PageBuilder.A4H, margin: 60, top: 30);
        b.Line("Riverside Community Sports Club", Face.Sans, 12);
        b.Line("MEMBERSHIP APPLICATION", Face.SansBold, 20, lead: 1.6);
        b.Rule(before: 8);
        b.Line("Please complete in block letters and return the form to the club office.", Face.Sans, 10.5, lead: 1.9);
        var dob = new DateOnly(1970 + rng.Next(0, 35), rng.Next(1, 13), rng.Next(1, 29));
        var signed = Fmt.DateIn2026(rng, 5, 320);
        var phone = "+44 7700 900" + Fmt.Digits(rng, 3);
        (string Label, string Value)[] personal =
        [
            ("Full name", "Marta Kowalczyk"),
            ("Date of birth", Fmt.Date(dob, "dd/MM/yyyy")),
            ("Email address", "marta.kowalczyk@mailbox.example"),
            ("Phone", phone),
            ("Home address", "27 Willow Lane, Bristol BS3 4QT"),
        ];
        void Section(string title)
        {
            b.Gap(4);
            b.Line(title, Face.SansBold, 13, lead: 1.6);
        }
        void LabelAbove(string label, string value)
        {
            b.Line(label, Face.Sans, 10, lead: 1.55);
            b.Line(value, Face.Sans, 12, b.Margin + 8, lead: 1.4);
            b.Rule(before: 4, width: 0.5);
            sample.Field(label, value);
        }
        Section("1 Personal details");
        foreach (var (label, value) in personal)
        {
            LabelAbove(label, value);
        }
        Section("2 Membership type");
        var type = rng.Next(3);
        string[] types = ["Adult", "Junior (under 18)", "Family"];
        for (var i = 0; i < types.Length; i++)
        {
            b.CheckLine(i == type, types[i], 11.5, lead: 1.5);
            sample.Field(types[i], i == type ? "checked" : "unchecked");
        }
        Section("3 Activities");
        var activities = Fmt.Pick(rng, ["Tennis", "Swimming", "Rowing", "Fitness classes", "Badminton"], 2);
        LabelAbove("Activities of interest", string.Join(", ", activities));
        Section("4 Emergency contact");
        LabelAbove("Contact name", "Tomasz Kowalczyk");
        LabelAbove("Relationship", "Brother");
        LabelAbove("Contact phone", "+44 7700 900" + Fmt.Digits(rng, 3));
        Section("5 Declaration");
        var consent = true;
        b.CheckLine(consent, "The applicant accepts the club rules and the privacy notice.", 11.5);
        sample.Field("The applicant accepts the club rules and the privacy notice.", "checked");
        LabelAbove("Signature of applicant", "M. Kowalczyk");
        LabelAbove("Date", Fmt.Date(signed, "dd/MM/yyyy"));
        b.Gap(6);
        var member = "RCSC-2026-" + Fmt.Digits(rng, 4);
        b.Line("For office use only", Face.SansBold, 10.5, lead: 1.9);
        b.LabelValue("Member number", member, Face.Sans, Face.Sans, 10.5, valueX: 190, lead: 1.5);
        b.LabelValue("Received by", "J. Patel", Face.Sans, Face.Sans, 10.5, valueX: 190, lead: 1.5);
        sample.Field("Member number", member);
        sample.Field("Received by", "J. Patel");
        sample.Entity("id", member, member);
        sample.Entity("organization", "Riverside Community Sports Club", "Riverside Community Sports Club");
        sample.Entity("date_time", Fmt.Date(dob, "dd/MM/yyyy"), Fmt.Iso(dob));
        sample.Entity("email", "marta.kowalczyk@mailbox.example", "marta.kowalczyk@mailbox.example");
        sample.Entity("phone_number", phone, phone.Replace(" ", "", StringComparison.Ordinal));
        sample.Entity("address", "27 Willow Lane, Bristol BS3 4QT", "27 Willow Lane, Bristol BS3 4QT");
        sample.Entity("date_time", Fmt.Date(signed, "dd/MM/yyyy"), Fmt.Iso(signed));
        var skew = Skew(rng, 0.2, 0.6);
        sample.Page(b.Page, "ocr", 0, skew);
        var img = Scan.Render(b.Page, Dpi, new ScanStyle(skew), rng);
        return new(sample.File, Scan.EncodePng(img, Dpi), sample.Truth(),
            "Filled membership form scan: labels above values, drawn checkboxes (not in the text; states in fields).");
    }
}
