using System.ComponentModel.DataAnnotations;
using DocFlow.Queueing;
using DocFlow.Redis;

namespace DocFlow.UnitTests.Redis;

public sealed class RedisQueueOptionsTests
{
    [Fact]
    public void Defaults_AreValid_AndDocumented()
    {
        var options = new RedisQueueOptions();
        options.ThrowIfInvalid();
        Assert.Equal("docflow", options.KeyPrefix);
        Assert.Equal(TimeSpan.FromMinutes(5), options.VisibilityTimeout);
        Assert.Equal($"{Environment.MachineName}-{Environment.ProcessId}", options.ConsumerName);
    }

    [Fact]
    public void KeepAlive_LongerThanHalfTheVisibilityTimeout_IsRejectedWithWhatToFix()
    {
        var options = new RedisQueueOptions { VisibilityTimeout = TimeSpan.FromSeconds(10), KeepAliveInterval = TimeSpan.FromSeconds(6) };
        var ex = Assert.Throws<ValidationException>(options.ThrowIfInvalid);
        Assert.Contains("KeepAliveInterval", ex.Message);
    }

    [Fact]
    public void KeyPrefix_WithWhitespace_IsRejected()
    {
        var ex = Assert.Throws<ValidationException>(new RedisQueueOptions { KeyPrefix = "doc flow" }.ThrowIfInvalid);
        Assert.Contains("KeyPrefix", ex.Message);
    }

    [Fact]
    public void Keys_FollowTheDesign_AndFetchOrderPutsExpressFirst()
    {
        var keys = new RedisKeys("docflow");
        Assert.Equal("docflow:q:express:pdf", (string?)keys.Stream(JobPriority.Express, JobRoute.Pdf));
        Assert.Equal("docflow:delayed", (string?)keys.Delayed);
        Assert.Equal("docflow:dead", (string?)keys.Dead);
        Assert.Equal(["docflow:q:express:image", "docflow:q:express:report", "docflow:q:normal:image", "docflow:q:normal:report"],
            keys.FetchOrder([JobRoute.Report, JobRoute.Image]).Select(k => (string?)k));
        Assert.Equal(8, keys.Lanes().Count());
    }
}
