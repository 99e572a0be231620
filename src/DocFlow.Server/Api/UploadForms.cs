using System.Security.Claims;
using DocFlow.Queueing;
using DocFlow.Server.Security;
using DocFlow.Server.Tenancy;
using DocFlow.Server.Webhooks;
using DocFlow.Webhooks;
using Microsoft.AspNetCore.Http;

namespace DocFlow.Server.Api;

/// <summary>An upload's form, read and checked: its files, priority, page selection, webhook and tenant.</summary>
internal sealed record UploadForm(IReadOnlyList<IFormFile> Files, JobPriority Priority, Processing.PageSelection? Pages, WebhookSubscription? Webhook, string Tenant);

/// <summary>
/// Reads the multipart form of both upload endpoints (one document, a batch) with the same checks in the same order:
/// the connection's byte share, the form itself, the files, the file share, priority, pages, webhook, the tenant's quotas.
/// </summary>
internal static class UploadForms
{
    /// <param name="field">The files' form field: <c>file</c> (one document) or <c>files</c> (a batch, repeated).</param>
    public static async Task<(UploadForm? Form, IResult? Problem)> ReadAsync(HttpRequest request, string field, UploadQuota quota, TenantQuotas quotas,
        WebhookTargets webhookTargets, ClaimsPrincipal user, CancellationToken ct)
    {
        var many = field == "files";
        var howToSend = many
            ? "send each document as a `files` part (multipart/form-data)"
            : "send the document as `file` (multipart/form-data)";
        if (!request.HasFormContentType)
            return (null, Problems.BadRequest(many
                ? "Send multipart/form-data with the documents in repeated fields `files`."
                : "Send multipart/form-data with the document in the field `file`."));
        if (quota.Take(request.HttpContext, 0, request.ContentLength ?? 0) is { } overBytes) return (null, overBytes);
        var (form, unreadable) = await UploadLimits.ReadFormAsync(request, ct);
        if (form is null) return (null, unreadable!);
        IReadOnlyList<IFormFile> files = many ? form.Files.GetFiles(field) : form.Files.GetFile(field) is { } one ? [one] : [];
        if (files.Count == 0)
            return (null, Problems.BadRequest($"The form has no field `{field}`: {howToSend}."));
        var bytes = files.Sum(f => f.Length);
        if (quota.Take(request.HttpContext, files.Count, request.ContentLength is null ? bytes : 0) is { } overFiles) return (null, overFiles);
        if (!Priorities.TryParse(form["priority"], out var priority))
            return (null, Problems.BadRequest($"`priority` must be express or normal, not '{form["priority"]}'."));
        if (!PageSelections.TryParseField(form["pages"], out var pages, out var badPages)) return (null, badPages!);
        var (webhook, badWebhook) = await webhookTargets.ResolveAsync(form, user, ct);
        if (badWebhook is not null) return (null, Problems.BadRequest(badWebhook));
        var tenant = TenantPrincipals.TenantOf(user);
        if (await quotas.CheckAsync(request.HttpContext, tenant, files.Count, bytes, ct) is { } overQuota) return (null, overQuota);
        return (new UploadForm(files, priority, pages, webhook, tenant), null);
    }
}
