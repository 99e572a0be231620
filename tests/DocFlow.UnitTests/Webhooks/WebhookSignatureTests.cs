using System.Text;
using DocFlow.Webhooks;

namespace DocFlow.UnitTests.Webhooks;

/// <summary>The signature is Standard Webhooks' (so its libraries verify ours), with the replay window enforced.</summary>
public sealed class WebhookSignatureTests
{
    [Fact]
    public void Sign_MatchesTheStandardWebhooksTestVector()
    {
        // The example of the Standard Webhooks specification (and of its libraries' tests).
        var body = Encoding.UTF8.GetBytes("{\"test\": 2432232314}");
        var signature = WebhookSignature.Sign("whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw", "msg_p5jXN8AQM9LWM0D4loKWxJek", 1614265330, body);
        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", signature);
    }

    [Fact]
    public void Verify_AcceptsTheSignature_WithinTheWindow_AndRefusesAnyChange()
    {
        var secret = "a-plain-secret-of-some-length";
        var body = Encoding.UTF8.GetBytes("{\"id\":\"evt_1\"}");
        var at = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);
        var ts = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture);
        var signature = WebhookSignature.Sign(secret, "evt_1", at.ToUnixTimeSeconds(), body);
        var window = TimeSpan.FromMinutes(5);

        Assert.True(WebhookSignature.Verify(secret, "evt_1", ts, signature, body, at.AddMinutes(4), window));
        // Several signatures (a key rotation): one match is enough.
        Assert.True(WebhookSignature.Verify(secret, "evt_1", ts, "v1,AAAA " + signature, body, at, window));
        // Replayed after the window, or stamped far ahead.
        Assert.False(WebhookSignature.Verify(secret, "evt_1", ts, signature, body, at.AddMinutes(6), window));
        Assert.False(WebhookSignature.Verify(secret, "evt_1", ts, signature, body, at.AddMinutes(-6), window));
        // Another body, id, timestamp or secret.
        Assert.False(WebhookSignature.Verify(secret, "evt_1", ts, signature, Encoding.UTF8.GetBytes("{\"id\":\"evt_2\"}"), at, window));
        Assert.False(WebhookSignature.Verify(secret, "evt_2", ts, signature, body, at, window));
        Assert.False(WebhookSignature.Verify(secret, "evt_1", (at.ToUnixTimeSeconds() + 1).ToString(System.Globalization.CultureInfo.InvariantCulture), signature, body, at, window));
        Assert.False(WebhookSignature.Verify(secret + "x", "evt_1", ts, signature, body, at, window));
        Assert.False(WebhookSignature.Verify(secret, "evt_1", "not-a-number", signature, body, at, window));
    }

    [Fact]
    public void NewSecret_IsAWhsecKeyOf32RandomBytes()
    {
        var a = WebhookSignature.NewSecret();
        Assert.StartsWith("whsec_", a, StringComparison.Ordinal);
        Assert.Equal(32, WebhookSignature.KeyOf(a).Length);
        Assert.NotEqual(a, WebhookSignature.NewSecret());
    }
}
