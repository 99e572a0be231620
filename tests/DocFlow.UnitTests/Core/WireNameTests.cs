using DocFlow.Queueing;
using DocFlow.Storage;

namespace DocFlow.UnitTests.Core;

/// <summary>The one enum parser: wire names in lower case, read ignoring case, nothing but declared names accepted.</summary>
public sealed class WireNameTests
{
    [Fact]
    public void EveryMember_RoundTrips_InLowerCase()
    {
        AssertRoundTrips<JobStatus>("queued", "processing", "succeeded", "failed");
        AssertRoundTrips<BatchStatus>("running", "completed");
        AssertRoundTrips<JobRoute>("image", "pdf", "report", "webhook");
        AssertRoundTrips<JobPriority>("express", "normal");
    }

    private static void AssertRoundTrips<TEnum>(params string[] wire) where TEnum : struct, Enum
    {
        Assert.Equal(wire, Enum.GetValues<TEnum>().Select(WireName.Of)); // declaration order
        foreach (var name in wire)
        {
            Assert.True(WireName.TryParse<TEnum>(name, out var value), name);
            Assert.Equal(name, WireName.Of(value));
            Assert.True(WireName.TryParse<TEnum>(name.ToUpperInvariant(), out var upper), name.ToUpperInvariant());
            Assert.Equal(value, upper);
        }
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("1")]
    [InlineData("-1")]
    [InlineData("42")]
    [InlineData("pdf,image")]
    [InlineData("pdfs")]
    [InlineData(" pdf")]
    public void AnythingButADeclaredName_IsRefused(string? wire)
    {
        Assert.False(WireName.TryParse<JobRoute>(wire, out _));
    }

    [Fact]
    public void List_NamesTheMembers_ForMessages()
    {
        Assert.Equal("image, pdf, report or webhook", WireName.List<JobRoute>());
        Assert.Equal("express or normal", WireName.List<JobPriority>());
    }

    [Fact]
    public void RedisTicketFields_AndTheStore_ReadTheSameNames()
    {
        Assert.Equal(JobRoute.Report, DocFlow.Redis.TicketFields.ParseRoute("report"));
        Assert.Equal(JobPriority.Express, DocFlow.Redis.TicketFields.ParsePriority("express"));
        Assert.Throws<FormatException>(() => DocFlow.Redis.TicketFields.ParseRoute("2"));
        Assert.Throws<FormatException>(() => DocFlow.Redis.TicketFields.ParsePriority("urgent"));
        Assert.Equal(JobStatus.Failed, DocFlow.Data.WireNames.ParseStatus("failed"));
        Assert.Throws<InvalidOperationException>(() => DocFlow.Data.WireNames.ParsePriority("urgent"));
    }
}
