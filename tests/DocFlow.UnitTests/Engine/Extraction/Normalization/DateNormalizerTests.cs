using DocFlow.Engine.Extraction.Normalization;

namespace DocFlow.UnitTests.Engine.Extraction.Normalization;

public sealed class DateNormalizerTests
{
    [Theory]
    [InlineData("2026-06-28", DateOrder.DayFirst, "2026-06-28")]
    [InlineData("15 JAN 2018", DateOrder.DayFirst, "2018-01-15")]
    [InlineData("15-Jan-2018", DateOrder.MonthFirst, "2018-01-15")]
    [InlineData("21 January 2026", DateOrder.DayFirst, "2026-01-21")]
    [InlineData("June 23, 2026", DateOrder.DayFirst, "2026-06-23")]
    [InlineData("Sept. 3rd, 2025", DateOrder.DayFirst, "2025-09-03")]
    [InlineData("1. März 2026", DateOrder.DayFirst, "2026-03-01")]
    [InlineData("3 février 2024", DateOrder.DayFirst, "2024-02-03")]
    [InlineData("12 de agosto de 2023", DateOrder.DayFirst, "2023-08-12")]
    [InlineData("5 ottobre 2022", DateOrder.DayFirst, "2022-10-05")]
    [InlineData("7 mei 2021", DateOrder.DayFirst, "2021-05-07")]
    [InlineData("04.05.2026", DateOrder.MonthFirst, "2026-05-04")]
    [InlineData("09/07/2026", DateOrder.MonthFirst, "2026-09-07")]
    [InlineData("09/07/2026", DateOrder.DayFirst, "2026-07-09")]
    [InlineData("25/07/2026", DateOrder.MonthFirst, "2026-07-25")]
    [InlineData("12/31/99", DateOrder.DayFirst, "1999-12-31")]
    [InlineData("03/04/21", DateOrder.DayFirst, "2021-04-03")]
    [InlineData("04.05.2026 15:48", DateOrder.DayFirst, "2026-05-04T15:48")]
    [InlineData("06/08/2026 3:05 PM", DateOrder.MonthFirst, "2026-06-08T15:05")]
    public void Parse_ReadsTheFormat(string printed, DateOrder order, string expected) =>
        Assert.Equal(expected, DateNormalizer.Parse(printed, order)?.Text);

    [Theory]
    [InlineData("31/02/2026")]
    [InlineData("13/13/2026")]
    [InlineData("1/2 inch")]
    [InlineData("96.1%")]
    [InlineData("Page 1 of 4")]
    public void Parse_RejectsWhatIsNoDate(string printed) => Assert.Null(DateNormalizer.Parse(printed));

    [Theory]
    [InlineData("Date: 1202/2018", "2018-02-12")] // separator lost between day and month
    [InlineData("12/022018 10:15", "2018-02-12T10:15")] // ... between month and year
    [InlineData("12-02-2618 11:34:45 AM", "2018-02-12T11:34:45")] // one misread digit of the year
    [InlineData("05/03/2017", "2017-03-05")]
    public void FindRepaired_ReadsDatesOcrGarbled(string text, string expected)
    {
        var dates = DateNormalizer.FindRepaired(text, DateOrder.DayFirst);
        Assert.Equal(expected, Assert.Single(dates).Text);
    }

    [Theory]
    [InlineData("12-02-2688")] // two digits off: no single reading
    [InlineData("Tel 0378590861")]
    [InlineData("Invoice 123456/2018")]
    [InlineData("12-02-5918")] // 1918 and 2918 ... only 1990-2039 counts, and no one-digit change gets there uniquely
    public void FindRepaired_DoesNotInventDates(string text) =>
        Assert.Empty(DateNormalizer.FindRepaired(text, DateOrder.DayFirst));

    [Fact]
    public void FindAll_IgnoresNumbersInsideOtherNumbers()
    {
        var dates = DateNormalizer.FindAll("Amount 1,234.05.2026 x and 2.34 on 12.03.2026", DateOrder.DayFirst);
        Assert.Equal(["2026-03-12"], dates.Select(d => d.Text));
    }

    [Theory]
    [InlineData("Date 25/07/2026, delivery 06/08/2026", DateOrder.DayFirst)]
    [InlineData("Date 07/25/2026, delivery 06/08/2026", DateOrder.MonthFirst)]
    [InlineData("TOTAL $34.68 on 09/07/2026 Tel (541) 555-0198", DateOrder.MonthFirst)]
    [InlineData("TOTAL £34.68 on 09/07/2026 Tel +44 161 496 0733", DateOrder.DayFirst)]
    public void DecideOrder_UsesUnambiguousDatesThenLocaleCues(string text, DateOrder expected)
    {
        var currency = AmountFinder.FindAll(text).Select(a => a.Money.Currency).FirstOrDefault(c => c is not null);
        Assert.Equal(expected, DocumentCues.DecideOrder(text, currency));
    }
}
