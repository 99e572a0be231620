using DocFlow.Queueing;
using DocFlow.Redis;

namespace DocFlow.UnitTests.Redis;

public sealed class TicketFieldsTests
{
    [Fact]
    public void Entry_RoundTripsEveryTicketField_AndTheTraceContext()
    {
        var ticket = new JobTicket("job-1", JobRoute.Pdf, JobPriority.Express, "blobs/ab/cd", Attempt: 2)
        {
            BatchId = "batch-9",
            FileName = "Rechnung März.pdf",
            EnqueuedAt = DateTimeOffset.FromUnixTimeMilliseconds(1_790_000_000_123),
        };
        const string trace = "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01";

        var entry = TicketFields.ToEntry(ticket, priorDeliveries: 3, trace);
        var parsed = TicketFields.Parse(TicketFields.Pairs(entry));

        Assert.Equal(ticket, parsed.Ticket);
        Assert.Equal(3, parsed.PriorDeliveries);
        Assert.Equal(trace, parsed.TraceParent);
        Assert.Contains(entry, f => f.Name == "route" && f.Value == "pdf");
        Assert.Contains(entry, f => f.Name == "priority" && f.Value == "express");
    }

    [Fact]
    public void Entry_LeavesOutAbsentOptionalFields()
    {
        var entry = TicketFields.ToEntry(new JobTicket("j", JobRoute.Image, JobPriority.Normal, "/x"));

        Assert.DoesNotContain(entry, f => f.Name == "batchId" || f.Name == "fileName" || f.Name == "traceparent");
        var parsed = TicketFields.Parse(TicketFields.Pairs(entry));
        Assert.Null(parsed.Ticket.BatchId);
        Assert.Null(parsed.TraceParent);
        Assert.Equal(0, parsed.PriorDeliveries);
    }

    [Fact]
    public void Parse_WithoutARequiredField_Throws()
    {
        var pairs = new[] { KeyValuePair.Create("jobId", "j"), KeyValuePair.Create("route", "image") };
        Assert.Throws<FormatException>(() => TicketFields.Parse(pairs));
    }

    [Fact]
    public void Parse_WithAnUnknownRoute_Throws()
    {
        var entry = TicketFields.Pairs(TicketFields.ToEntry(new JobTicket("j", JobRoute.Image, JobPriority.Normal, "/x")))
            .Select(p => p.Key == "route" ? KeyValuePair.Create("route", "fax") : p).ToArray();
        Assert.Throws<FormatException>(() => TicketFields.Parse(entry));
    }

    [Fact]
    public void Flatten_GivesNameValuePairsInOrder()
    {
        var flat = TicketFields.Flatten(TicketFields.ToEntry(new JobTicket("j", JobRoute.Report, JobPriority.Normal, "/x")));
        Assert.Equal(["jobId", "j", "route", "report"], flat[..4]);
    }
}
