using DocFlow.Documents;
using DocFlow.Engine.Extraction;
using DocFlow.Engine.Extraction.Classification;
using DocFlow.Engine.Extraction.Entities;
using DocFlow.Engine.Extraction.Learning;
using DocFlow.Engine.Extraction.Normalization;

namespace DocFlow.UnitTests.Engine.Extraction.Entities;

public sealed class ReceiptFieldsTests
{
    /// <summary>A till receipt: narrow page, lines centred, 28 px apart.</summary>
    private static TestPages Receipt(params string[] lines)
    {
        var pages = new TestPages().Page(600, 1400);
        for (var i = 0; i < lines.Length; i++)
        {
            var width = lines[i].Length * 18 * 0.55f;
            pages.Line(40 + 28 * i, 18, (Math.Max(10, (600 - width) / 2), lines[i]));
        }
        return pages;
    }

    private static readonly string[] Malaysian =
    [
        "KEDAI RUNCIT MAJU JAYA SDN BHD (1234567-X)",
        "NO. 12, JALAN MAWAR 3,",
        "TAMAN MELATI, 53100 KUALA LUMPUR",
        "TEL: 03-4021 5566 FAX: 03-4021 5567",
        "GST ID: 001234567890",
        "TAX INVOICE",
        "Date :15/03/18 14:22 Cashier: ALI",
        "MILO 1KG 2 X 14.50 29.00",
        "SUB TOTAL 29.00",
        "GST 6% 1.74",
        "TOTAL INCL GST 30.74",
        "ROUNDING ADJ -0.04",
        "TOTAL ROUNDED RM 30.70",
        "CASH RM 50.00",
        "CHANGE RM 19.30",
        "GST SUMMARY AMOUNT TAX",
        "SR 29.00 1.74",
        "TOTAL 29.00 1.74",
        "THANK YOU, PLEASE COME AGAIN",
    ];

    private static Document Enrich(TestPages pages, ReceiptModels? models = null)
    {
        var document = pages.Build();
        var layouts = pages.Layouts();
        new GenericEntityEnricher().Enrich(document, layouts, CancellationToken.None);
        new DocumentTypeEnricher().Enrich(document, layouts, CancellationToken.None);
        new InvoiceEntityEnricher(models).Enrich(document, layouts, CancellationToken.None);
        return document;
    }

    private static string? Value(Document d, string type) => d.Entities!.FirstOrDefault(e => e.Type == type)?.NormalizedValue?.Text;

    private static string? Mention(Document d, string type) => d.Entities!.FirstOrDefault(e => e.Type == type)?.MentionText?.ReplaceLineEndings(" ");

    /// <summary>A one-tree model: probability 0.99 when <paramref name="feature"/> exceeds 0.5, else 0.01.</summary>
    private static TreeEnsemble Stump(string feature) => TreeEnsemble.Create(new TreeEnsembleFile
    {
        Name = "stump_" + feature,
        Features = [.. ReceiptLineFeatures.Names],
        Trees = [new TreeFile { Feature = [ReceiptLineFeatures.Names.ToList().IndexOf(feature)], Threshold = [0.5f], Left = [~0], Right = [~1], Leaves = [-4.6, 4.6] }],
    });

    /// <summary>Stand-in line models: a legal suffix makes a name line, an address word an address line.</summary>
    private static ReceiptModels Stumps() => new(Stump("suffix"), Stump("address_word"));

    [Fact]
    public void A_tax_invoice_from_a_till_stays_a_receipt_and_gets_every_field()
    {
        var d = Enrich(Receipt(Malaysian));
        Assert.Equal("receipt", Value(d, "document_type"));
        Assert.Equal("2018-03-15", Value(d, "receipt_date"));
        Assert.Equal("30.70", Value(d, "total_amount"));
        Assert.Equal("MYR", Value(d, "currency"));
        Assert.NotNull(Value(d, "supplier_name"));
        Assert.NotNull(Value(d, "supplier_address"));
    }

    private static readonly SupplierRegistry Known = SupplierRegistry.Learn(
    [
        ("KEDAI RUNCIT MAJU JAYA SDN BHD", "NO. 12, JALAN MAWAR 3, TAMAN MELATI, 53100 KUALA LUMPUR"),
        ("GOLDEN BAKERY SDN BHD", "LOT 5, JALAN BESAR, 45600 SELANGOR"),
    ]);

    [Fact]
    public void A_misread_name_and_address_of_a_known_supplier_read_as_the_supplier_prints_them()
    {
        string[] misread = [.. Malaysian];
        misread[0] = "KEDAI RUNC1T MAJU JAVA SDN BHD (1234567-X)";
        misread[1] = "NO. 12, JALAN NAWAR 3,";
        misread[2] = "TAMAN MELATI, 53700 KUALA LUMPUR.";
        var d = Enrich(Receipt(misread), Stumps().WithSuppliers(Known));
        Assert.Equal("KEDAI RUNCIT MAJU JAYA SDN BHD", Mention(d, "supplier_name"));
        Assert.Equal("NO. 12, JALAN MAWAR 3, TAMAN MELATI, 53100 KUALA LUMPUR", Mention(d, "supplier_address"));
    }

    [Fact]
    public void A_known_name_on_a_line_the_model_did_not_pick_replaces_the_pick()
    {
        // The stump takes the legal suffix for the name: the header's "S/B" line, which the registry knows by another spelling.
        var d = Enrich(Receipt("G0LDEN BAKERY SDN BHD", "RECEIPT NO 12 S/B", "LOT 5, JALAN BESAR, 45600 SELANG0R", "CASH 10.00", "CHANGE 0.00", "TOTAL 10.00"),
            Stumps().WithSuppliers(Known));
        Assert.Equal("GOLDEN BAKERY SDN BHD", Mention(d, "supplier_name"));
        Assert.Equal("LOT 5, JALAN BESAR, 45600 SELANGOR", Mention(d, "supplier_address"));
    }

    [Fact]
    public void An_unknown_supplier_keeps_its_reading()
    {
        var d = Enrich(Receipt("SILVER CAFE SDN BHD", "LOT 9, JALAN KECIL, 45600 SELANGOR", "TEL: 03-1234 5678", "CASH 10.00", "CHANGE 0.00", "TOTAL 10.00"),
            Stumps().WithSuppliers(Known));
        Assert.Equal("SILVER CAFE SDN BHD", Mention(d, "supplier_name"));
        Assert.Equal("LOT 9, JALAN KECIL, 45600 SELANGOR", Mention(d, "supplier_address"));
    }

    [Fact]
    public void Cash_less_change_stands_in_for_a_total_that_did_not_read()
    {
        var d = Enrich(Receipt("GOLDEN BAKERY SDN BHD", "LOT 5, JALAN BESAR, 45600 SELANGOR", "SUB TOTAL 12.00", "GRAND TOTAL : 1O,8O0", "CASH 20.00", "CHANGE 9.20"), Stumps());
        Assert.Equal("10.80", Value(d, "total_amount"));
    }

    [Fact]
    public void The_merchant_name_leaves_out_the_registration_number_printed_beside_it()
    {
        var d = Enrich(Receipt(Malaysian), Stumps());
        Assert.Equal("KEDAI RUNCIT MAJU JAYA SDN BHD", Mention(d, "supplier_name"));
    }

    [Fact]
    public void The_address_is_the_lines_below_the_name_up_to_the_phone_line_joined_with_spaces()
    {
        var d = Enrich(Receipt(Malaysian), Stumps());
        Assert.Equal("NO. 12, JALAN MAWAR 3, TAMAN MELATI, 53100 KUALA LUMPUR", Mention(d, "supplier_address"));
    }

    [Fact]
    public void The_address_stops_where_a_phone_number_starts_on_its_last_line()
    {
        var d = Enrich(Receipt("GOLDEN BAKERY SDN BHD", "(998877-K)", "LOT 5, JALAN BESAR, 45600 SELANGOR TEL: 03-1234 5678", "CASH 10.00", "CHANGE 0.00", "TOTAL 10.00"), Stumps());
        Assert.Equal("GOLDEN BAKERY SDN BHD", Mention(d, "supplier_name"));
        Assert.Equal("LOT 5, JALAN BESAR, 45600 SELANGOR", Mention(d, "supplier_address"));
    }

    /// <summary>The shipped line models without the supplier registry (which knows this supplier's address).</summary>
    private static ReceiptModels NoSuppliers => ReceiptModels.Embedded!.WithSuppliers(null);

    [Fact]
    public void An_address_line_ending_in_a_comma_goes_on_to_the_short_line_under_it()
    {
        var d = Enrich(Receipt("IDEAL MENU GROUP SDN BHD", "(1143655-H)", "31,31A, JALAN HANG TUAH 9,", "TAMAN SKUDAI BARU,", "81300 SKUDAI,", "JOHOR",
            "GST ID : 001707421696", "CASH 10.00", "CHANGE 0.00", "TOTAL 10.00"), NoSuppliers);
        Assert.Equal("31,31A, JALAN HANG TUAH 9, TAMAN SKUDAI BARU, 81300 SKUDAI, JOHOR", Mention(d, "supplier_address"));
        // Without the comma the address ends at the postcode line.
        var e = Enrich(Receipt("IDEAL MENU GROUP SDN BHD", "(1143655-H)", "31,31A, JALAN HANG TUAH 9,", "TAMAN SKUDAI BARU,", "81300 SKUDAI", "KASHIER ALI",
            "GST ID : 001707421696", "CASH 10.00", "CHANGE 0.00", "TOTAL 10.00"), NoSuppliers);
        Assert.Equal("31,31A, JALAN HANG TUAH 9, TAMAN SKUDAI BARU, 81300 SKUDAI", Mention(e, "supplier_address"));
    }

    [Theory]
    [InlineData("(TESCO PUTRA NILAI)", "LOT 5, JALAN BESAR, 45600 SELANGOR (TESCO PUTRA NILAI)")]
    [InlineData("1320-TMN BATU", "LOT 5, JALAN BESAR, 45600 SELANGOR 1320-TMN BATU")]
    [InlineData("CARRY OUT NOW", "LOT 5, JALAN BESAR, 45600 SELANGOR")] // not a branch label
    [InlineData("(03) 1234 5678", "LOT 5, JALAN BESAR, 45600 SELANGOR")] // a phone number in brackets
    public void A_branch_label_under_a_complete_address_is_part_of_it(string line, string expected)
    {
        var d = Enrich(Receipt("GOLDEN BAKERY SDN BHD", "(998877-K)", "LOT 5, JALAN BESAR,", "45600 SELANGOR", line,
            "GST ID : 001707421696", "CASH 10.00", "CHANGE 0.00", "TOTAL 10.00"), NoSuppliers);
        Assert.Equal(expected, Mention(d, "supplier_address"));
    }

    private static readonly SupplierRegistry Chain = SupplierRegistry.Learn(
    [
        ("GOLDEN BAKERY SDN BHD", "LOT 5, JALAN BESAR, 45600 SELANGOR"),
        ("GOLDEN BAKERY SDN BHD", "LOT 5, JALAN BESAR, 45600 SELANGOR 1111-TMN LAMA"),
        ("GOLDEN BAKERY SDN BHD", "LOT 5, JALAN BESAR, 45600 SELANGOR 3333-TAMAN MELATI INDAH"),
    ]);

    private static Document ChainReceipt(string third, string fourth, string? branch, ReceiptModels models)
    {
        string[] lines = ["GOLDEN BAKERY SDN BHD", "(998877-K)", third, fourth, .. branch is null ? Array.Empty<string>() : [branch],
            "GST ID : 001707421696", "CASH 10.00", "CHANGE 0.00", "TOTAL 10.00"];
        return Enrich(Receipt(lines), models);
    }

    [Theory]
    // A branch the registry does not know: the known address, then the label as printed.
    [InlineData("2222-TMN BARU", "LOT 5, JALAN BESAR, 45600 SELANGOR 2222-TMN BARU")]
    [InlineData("(TESCO BUKIT INDAH)", "LOT 5, JALAN BESAR, 45600 SELANGOR (TESCO BUKIT INDAH)")]
    // A known branch read with a slip: the known spelling.
    [InlineData("3333-TAMAN MELATI lNDAH", "LOT 5, JALAN BESAR, 45600 SELANGOR 3333-TAMAN MELATI INDAH")]
    // No branch label printed: the known address alone, never another branch's.
    [InlineData(null, "LOT 5, JALAN BESAR, 45600 SELANGOR")]
    public void A_branch_label_stays_with_a_known_address(string? branch, string expected)
    {
        var d = ChainReceipt("LOT 5, JALAN BESAR,", "45600 SELANG0R", branch, ReceiptModels.Embedded!.WithSuppliers(Chain));
        Assert.Equal(expected, Mention(d, "supplier_address"));
    }

    [Fact]
    public void The_words_after_a_branch_code_get_the_lexicons_repairs()
    {
        // "TMN" in enough receipts' text; "THN" in none: H and M are glyphs OCR confuses.
        var lexicon = OcrLexicon.Learn(Enumerable.Range(0, 6).Select(i => (IEnumerable<string>)[$"NO {i}, JALAN {i}, TMN MAJU", "TMN BARU", "JALAN BESAR"]));
        var embedded = ReceiptModels.Embedded!;
        var models = new ReceiptModels(embedded.Company, embedded.Address, lexicon, Chain);
        var d = ChainReceipt("LOT 5, JALAN BESAR,", "45600 SELANGOR", "2222-THN BARU", models);
        Assert.Equal("LOT 5, JALAN BESAR, 45600 SELANGOR 2222-TMN BARU", Mention(d, "supplier_address"));
    }

    [Fact]
    public void A_name_read_with_an_exclamation_mark_for_its_last_letter_gets_the_letter()
    {
        var lexicon = OcrLexicon.Learn(Enumerable.Range(0, 6).Select(i => (IEnumerable<string>)[$"NO {i}, JALAN BESAR"]));
        var embedded = ReceiptModels.Embedded!;
        var d = Enrich(Receipt("KEDAI UBAT SENTOS! SDN BHD", "(998877-K)", "LOT 5, JALAN BESAR,", "45600 SELANGOR", "GST ID : 001707421696",
            "CASH 10.00", "CHANGE 0.00", "TOTAL 10.00"), new ReceiptModels(embedded.Company, embedded.Address, lexicon, null));
        Assert.Equal("KEDAI UBAT SENTOSI SDN BHD", Mention(d, "supplier_name"));
    }

    [Fact]
    public void A_known_address_takes_the_receipts_own_spacing_after_its_commas()
    {
        var d = ChainReceipt("LOT 5,JALAN BESAR,", "45600 SELANG0R", null, ReceiptModels.Embedded!.WithSuppliers(Chain));
        Assert.Equal("LOT 5,JALAN BESAR, 45600 SELANGOR", Mention(d, "supplier_address"));
    }

    [Fact]
    public void A_known_address_keeps_the_spacing_its_labels_agree_on()
    {
        // Three labels of the shop: two glue "BESAR,45600", one spaces it (loose); all three space "LOT 5, JALAN" (settled).
        var registry = SupplierRegistry.Learn(
        [
            ("GOLDEN BAKERY SDN BHD", "LOT 5, JALAN BESAR,45600 SELANGOR"),
            ("GOLDEN BAKERY SDN BHD", "LOT 5, JALAN BESAR,45600 SELANGOR"),
            ("GOLDEN BAKERY SDN BHD", "LOT 5, JALAN BESAR, 45600 SELANGOR"),
        ]);
        var d = ChainReceipt("LOT 5,JALAN BESAR,", "45600 SELANG0R", null, ReceiptModels.Embedded!.WithSuppliers(registry));
        Assert.Equal("LOT 5, JALAN BESAR, 45600 SELANGOR", Mention(d, "supplier_address"));
    }

    [Fact]
    public void A_line_that_starts_with_the_word_tax_ends_the_address()
    {
        // "TAX INVOICE" half read: no title, but no address line starts with TAX (a short line of words under a line
        // ending in a comma would otherwise run on).
        var d = Enrich(Receipt("IDEAL MENU GROUP SDN BHD", "(1143655-H)", "31,31A, JALAN HANG TUAH 9,", "TAMAN SKUDAI BARU,", "81300 SKUDAI, JOHOR,", "TAX rere",
            "CASH 10.00", "CHANGE 0.00", "TOTAL 10.00"), NoSuppliers);
        Assert.Equal("31,31A, JALAN HANG TUAH 9, TAMAN SKUDAI BARU, 81300 SKUDAI, JOHOR,", Mention(d, "supplier_address"));
    }

    [Fact]
    public void A_stop_after_a_number_before_the_next_part_of_the_address_reads_as_a_comma()
    {
        var d = Enrich(Receipt("IDEAL MENU GROUP SDN BHD", "(1143655-H)", "31. JALAN HANG TUAH 9. TAMAN SKUDAI BARU,", "81300 SKUDAI, JOHOR",
            "GST ID : 001707421696", "CASH 10.00", "CHANGE 0.00", "TOTAL 10.00"), NoSuppliers);
        // "NO." and a stop inside a number ("1.5") or at the end stay.
        Assert.Equal("31, JALAN HANG TUAH 9, TAMAN SKUDAI BARU, 81300 SKUDAI, JOHOR", Mention(d, "supplier_address"));
        var e = Enrich(Receipt("IDEAL MENU GROUP SDN BHD", "(1143655-H)", "NO. 31, JALAN 1.5, TAMAN SKUDAI BARU,", "81300 SKUDAI, JOHOR 81300.",
            "GST ID : 001707421696", "CASH 10.00", "CHANGE 0.00", "TOTAL 10.00"), NoSuppliers);
        Assert.Equal("NO. 31, JALAN 1.5, TAMAN SKUDAI BARU, 81300 SKUDAI, JOHOR 81300.", Mention(e, "supplier_address"));
    }

    [Fact]
    public void A_brand_line_above_a_complete_legal_name_is_left_out()
    {
        var d = Enrich(Receipt("KIKU JAPANESE RESTAURANT", "TK DIVISION KITCHEN SDN BHD", "(1203456-D)", "LOT 2, JALAN MEWAH, 47400 SELANGOR", "TOTAL 5.00"), Stumps());
        Assert.Equal("TK DIVISION KITCHEN SDN BHD", Mention(d, "supplier_name"));
    }

    [Fact]
    public void A_legal_name_wrapped_over_two_lines_is_taken_whole()
    {
        var d = Enrich(Receipt("LIAN CHI PU TIAN VEGETARIAN", "RESTAURANT SDN BHD", "NO. 5, JALAN SS 2/6, 47300 SELANGOR", "TOTAL 5.00"), Stumps());
        Assert.Equal("LIAN CHI PU TIAN VEGETARIAN RESTAURANT SDN BHD", Mention(d, "supplier_name"));
    }

    [Theory]
    [InlineData("TOTAL ROUNDED", 6)]
    [InlineData("NETT TOTAL", 5)]
    [InlineData("GRAND TOTAL", 5)]
    [InlineData("AMOUNT PAYABLE", 4)]
    [InlineData("TOTAL (INCLUSIVE OF GST)", 3)]
    [InlineData("TOTAL", 2)]
    [InlineData("SUB TOTAL", 1)]
    [InlineData("CASH", 0)]
    [InlineData("CHANGE", 0)]
    [InlineData("ROUNDING ADJ", 0)]
    [InlineData("GST PAYABLE (6%)", 0)]
    [InlineData("TOTAL (EXCLUDING GST)", 0)]
    [InlineData("TOTAL QTY", 0)]
    [InlineData("DISCOUNT", 0)]
    [InlineData("NET", 0)]
    public void Total_labels_rank_rounded_over_nett_over_payable_over_inclusive_over_plain(string label, int priority) =>
        Assert.Equal(priority, ReceiptCues.Priority(OcrText.Canonical(label)));

    [Fact]
    public void The_total_is_never_taken_from_cash_change_rounding_or_the_gst_summary()
    {
        var d = Enrich(Receipt("SHOP", "ITEM 12.30", "TOTAL 12.34", "ROUNDING ADJ -0.04", "CASH 20.00", "CHANGE 7.70", "GST SUMMARY", "TOTAL 99.99"));
        Assert.Equal("12.30", Value(d, "total_amount"));
    }

    [Fact]
    public void Cash_minus_change_vouches_for_the_labelled_amount_it_equals()
    {
        var d = Enrich(Receipt("SHOP", "SUBTOTAL : 43.90", "Total Te ire GST) 41.42", "CASH 100.00", "CHANGE : 56.10"));
        Assert.Equal("43.90", Value(d, "total_amount"));
    }

    [Fact]
    public void A_total_larger_than_the_cash_tendered_with_no_change_is_a_misread_and_the_cash_stands_in()
    {
        // "CHANGE 0.00" is read: the cash tendered was what was paid; "48.00" is "18.00" with its 1 read as 4.
        var d = Enrich(Receipt("SHOP", "SUB-TOTAL 16.98", "ROUNDING 0.00", "TOTAL / 48.00", "CASH —/18.00", "CHANGE 0.00"));
        Assert.Equal("18.00", Value(d, "total_amount"));
    }

    [Fact]
    public void A_tall_total_label_takes_the_amount_level_with_its_middle_not_the_cash_below_it()
    {
        // The label's box reaches both amounts of the column; the cash line's "RM 100.00" starts further left.
        var pages = new TestPages().Page(600, 1400)
            .Line(40, 18, (250, "SHOP"))
            .Line(290, 30, (420, "RM 34.80"))
            .Line(300, 36, (20, "TOTAL INCL. GST@6%"))
            .Line(322, 30, (380, "RM 100.00"))
            .Line(335, 30, (20, "CASH"))
            .Line(420, 18, (200, "THANK YOU"));
        Assert.Equal("34.80", Value(Enrich(pages), "total_amount"));
    }

    [Fact]
    public void A_payment_type_line_is_not_the_cash_tendered()
    {
        // With "PAYMENT TYPE" taken for the cash, cash less change said 30.00 and replaced the subtotal.
        var d = Enrich(Receipt("SHOP", "SUB TOTAL 40.00", "PAYMENT TYPE 40.00", "CASH 50.00", "CHANGE 10.00", "THANK YOU"));
        Assert.Equal("40.00", Value(d, "total_amount"));
    }

    [Theory]
    [InlineData("NET TOTAL 14.05", "14.85")] // the 8 read as 0: subtotal + tax + rounding says 14.85
    [InlineData("NET TOTAL 14.85", "14.85")] // read right: stays
    [InlineData("NET TOTAL 14.80", "14.80")] // only the cents differ, as when a rounding line did not read: the label stands
    [InlineData("NET TOTAL 17.05", "17.05")] // two digits apart: the label stands
    public void Subtotal_plus_tax_plus_rounding_corrects_one_misread_digit_of_the_total(string total, string expected)
    {
        var d = Enrich(Receipt("SHOP", "SUB TOTAL 14.00", "GST 6% 0.84", "ROUNDING ADJ 0.01", total, "THANK YOU"));
        Assert.Equal(expected, Value(d, "total_amount"));
    }

    [Fact]
    public void A_rounding_adjustment_read_without_its_sign_is_tried_both_ways()
    {
        // 112.47 - 0.02 = 112.45; "112.85" is that with its 4 read as 8.
        var d = Enrich(Receipt("SHOP", "SUB TOTAL 106.10", "TOTAL GST 6.37", "ROUNDING ~0.02", "TOTAL 112.85", "THANK YOU"));
        Assert.Equal("112.45", Value(d, "total_amount"));
    }

    [Theory]
    [InlineData("VISA CARD RM 45.35", "45.35")]
    [InlineData("CREDIT RM = 45.35", "45.35")]
    [InlineData("CASH 45.35", "45.35")]
    [InlineData("VISA CARD RM 47.35", "45.34")] // more than one digit apart: the labelled total stands
    public void A_card_charge_or_cash_alone_corrects_one_misread_digit_of_an_unrounded_total(string payment, string expected)
    {
        var d = Enrich(Receipt("SHOP", "ITEM 45.34", "Total Sales (Inclusive GST) RM 45.34", payment, "THANK YOU"));
        Assert.Equal(expected, Value(d, "total_amount"));
    }

    [Fact]
    public void A_rounding_line_whose_amount_is_the_total_rounded_is_the_total()
    {
        var d = Enrich(Receipt("SHOP", "ITEM 45.34", "Total Sales (Inclusive GST) RM 45.34", "Rounding Adjustment RM 0.01", "Rounding RM 45.35", "THANK YOU"));
        Assert.Equal("45.35", Value(d, "total_amount"));
        // An adjustment of a few cents is never the total.
        var small = Enrich(Receipt("SHOP", "ITEM 45.34", "TOTAL 45.34", "ROUNDING 0.01", "CASH 50.00", "CHANGE 4.66", "THANK YOU"));
        Assert.Equal("45.34", Value(small, "total_amount"));
    }

    /// <summary>A receipt whose first OCR reading lost the amount column and whose second reading (one block) has it.</summary>
    private static (Document Document, IReadOnlyList<PageLayout> Layouts) ReadTwice(string[] first, string[] second)
    {
        var one = Receipt(first).Layouts()[0];
        var two = Receipt(second).Layouts()[0];
        IReadOnlyList<PageLayout> layouts = [one with { SecondReading = two.Blocks }];
        var document = DocumentAssembler.Assemble("image/jpeg", layouts);
        new GenericEntityEnricher().Enrich(document, layouts, CancellationToken.None);
        new DocumentTypeEnricher().Enrich(document, layouts, CancellationToken.None);
        new InvoiceEntityEnricher().Enrich(document, layouts, CancellationToken.None);
        return (document, layouts);
    }

    [Fact]
    public void The_second_reading_gives_the_total_and_date_the_first_lost_with_boxes_and_no_anchor_into_the_first_text()
    {
        var (d, _) = ReadTwice(
            ["SANYU STATIONERY SHOP", "CASH SALES COUNTER", "ITEM 35.00", "Total", "Round Adj", "Final Total", "CASH", "CHANGE", "INV NO: CS-1", "THANK YOU"],
            ["SANYU STATIONERY SHOP", "CASH SALES COUNTER", "ITEM 35.00", "Total 43.70", "Round Adj 0.00", "Final Total 43.70", "CASH 50.00",
             "CHANGE 6.30", "INV NO: CS-1 Date : 07/05/2017", "THANK YOU"]);
        var total = Assert.Single(d.Entities!, e => e.Type == "total_amount");
        Assert.Equal("43.70", total.NormalizedValue!.Text);
        Assert.Equal("43.70", total.MentionText);
        Assert.Null(total.TextAnchor); // "43.70" is not in the document's text: the first reading is
        Assert.DoesNotContain("43.70", d.Text!);
        Assert.NotNull(total.PageAnchor!.PageRefs![0].BoundingPoly);
        var date = Assert.Single(d.Entities!, e => e.Type == "receipt_date");
        Assert.Equal("2017-05-07", date.NormalizedValue!.Text);
        Assert.Equal(d.Entities!.Count, d.Entities!.Select(e => e.Id).Distinct().Count());
    }

    [Fact]
    public void Only_a_receipt_the_first_reading_left_unsure_is_read_again()
    {
        // A receipt with amounts, its date not on a date line: read again.
        Assert.True(ReceiptCues.NeedsSecondReading(Receipt("SHOP", "15/03/18 14:22", "ITEM 12.30", "TAX 0.74", "TOTAL 13.04", "THANK YOU").Layouts()[0]));
        // Its total lost beside a till word: read again.
        Assert.True(ReceiptCues.NeedsSecondReading(Receipt("SHOP", "Date: 15/03/18", "Total", "Final Total", "CASH", "CHANGE", "THANK YOU").Layouts()[0]));
        // Total vouched for by cash - change and a labelled date: nothing a second reading could improve.
        Assert.False(ReceiptCues.NeedsSecondReading(Receipt("SHOP", "Date: 15/03/18", "ITEM 12.30", "TOTAL 12.30", "CASH 20.00", "CHANGE 7.70", "THANK YOU").Layouts()[0]));
        // Not a receipt.
        Assert.False(ReceiptCues.NeedsSecondReading(new TestPages().Page().Lines(100, "Dear Ms Smith,", "Thank you for your letter of 3 May.",
            "We will reply within two weeks.", "Yours sincerely,", "John Brown").Layouts()[0]));
    }

    [Fact]
    public void The_first_reading_stands_where_the_rules_trust_it_as_much()
    {
        // Both read a total; the first's is vouched for by cash - change, the second's is not.
        var (d, _) = ReadTwice(
            ["SHOP", "ITEM 12.30", "TOTAL 12.30", "CASH 20.00", "CHANGE 7.70", "THANK YOU"],
            ["SHOP", "ITEM 12.30", "TOTAL 42.30", "CASH 20.00", "CHANGE 7.70", "THANK YOU"]);
        var total = Assert.Single(d.Entities!, e => e.Type == "total_amount");
        Assert.Equal("12.30", total.NormalizedValue!.Text);
        Assert.NotNull(total.TextAnchor);
    }

    [Theory]
    [InlineData("Date :26/03/18", 2018, 3, 26)]
    [InlineData("Bate -08/05/18", 2018, 5, 8)]
    [InlineData("05 Mar 2018 18:24", 2018, 3, 5)]
    [InlineData("18-11-18 13:58 SH01", 2018, 11, 18)]
    [InlineData("2018-01-05", 2018, 1, 5)]
    [InlineData("12.02.2018", 2018, 2, 12)]
    public void Receipt_dates_are_read_in_every_common_form(string text, int year, int month, int day)
    {
        var date = DateNormalizer.FindAll(text, DateOrder.DayFirst).First();
        Assert.Equal(new DateOnly(year, month, day), date.Date);
    }

    [Fact]
    public void Ringgit_printed_only_as_a_column_unit_still_gives_the_currency()
    {
        var d = Enrich(Receipt("SHOP", "ITEM QTY AMT(RM)", "TEA 1 3.00", "TOTAL 3.00", "CASH 3.00", "CHANGE 0.00"));
        Assert.Equal("MYR", Value(d, "currency"));
        Assert.Equal("RM", d.Entities!.Single(e => e.Type == "currency").MentionText);
    }

    [Fact]
    public void Ringgit_amounts_make_ambiguous_dates_day_first()
    {
        var d = Enrich(Receipt("SHOP", "06/08/2017", "TOTAL RM 10.00", "CASH RM 10.00", "CHANGE RM 0.00"));
        Assert.Equal("2017-08-06", Value(d, "receipt_date"));
    }
}
