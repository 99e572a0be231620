using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using DocFlow.IntegrationTests.Support;
using DocFlow.Security;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;

namespace DocFlow.IntegrationTests.Security;

/// <summary>
/// Every route of a running server (read from its endpoint data source, so a new route is covered the moment it is
/// mapped) against the roles of DESIGN.md §7, with keys required: anonymous gets 401, a role without the permission 403,
/// a role with it neither; every state-changing request (anonymous or any role, allowed or refused) leaves exactly one
/// audit entry with the route, the caller, its tenant and the status. A route missing from <see cref="Expected"/> or
/// without a policy fails this test.
/// </summary>
public sealed partial class AuthorizationMatrixTests
{
    // The permissions, written out here independently of the server's own table (Security/Policies).
    private static readonly string[] Upload = [Roles.Admin, Roles.Submitter];
    private static readonly string[] Content = [Roles.Admin, Roles.Submitter, Roles.Reader];
    private static readonly string[] Metadata = [Roles.Admin, Roles.Operator, Roles.Submitter, Roles.Reader];
    private static readonly string[] Operate = [Roles.Admin, Roles.Operator];
    private static readonly string[] Admin = [Roles.Admin];
    private static readonly string[] Anyone = [.. Roles.All];
    private static readonly string[] Erase = [Roles.Admin, Roles.Submitter];

    /// <summary>"METHOD route" → the roles that may call it; null: anonymous (health, the API's description).</summary>
    private static readonly Dictionary<string, string[]?> Expected = new()
    {
        ["GET /healthz"] = null,
        ["GET /readyz"] = null,
        ["GET /auth/providers"] = null,
        ["GET /auth/sign-in"] = null,
        ["POST /auth/sign-out"] = Anyone,
        ["GET /openapi/{documentName}.json"] = null,
        ["GET /api-reference/{documentName?}"] = null,
        ["GET /api-reference/scalar.js"] = null,
        ["GET /api-reference/scalar.aspnetcore.js"] = null,
        ["GET /api-reference/favicon.svg"] = null,
        ["POST /api/v1/documents/"] = Upload,
        ["GET /api/v1/documents/{id}"] = Metadata,
        ["GET /api/v1/documents/{id}/result"] = Content,
        ["GET /api/v1/documents/{id}/text"] = Content,
        ["GET /api/v1/documents/{id}/original"] = Content,
        ["GET /api/v1/documents/{id}/searchable.pdf"] = Content,
        ["GET /api/v1/documents/{id}/hocr"] = Content,
        ["GET /api/v1/documents/{id}/markdown"] = Content,
        ["GET /api/v1/documents/{id}/chunks"] = Content,
        ["GET /api/v1/documents/{id}/pages/{n:int}/image"] = Content,
        ["POST /api/v1/batches/"] = Upload,
        ["GET /api/v1/batches"] = Metadata,
        ["GET /api/v1/batches/{id}"] = Metadata,
        ["GET /api/v1/batches/{id}/documents"] = Metadata,
        ["GET /api/v1/batches/{id}/events"] = Metadata,
        ["GET /api/v1/batches/{id}/report.pdf"] = Content,
        ["GET /api/v1/batches/{id}/results.csv"] = Content,
        ["GET /api/v1/batches/{id}/results.json"] = Content,
        ["GET /api/v1/batches/{id}/webhooks"] = Metadata,
        ["GET /api/v1/webhooks/deliveries"] = Operate,
        ["GET /api/v1/jobs"] = Metadata,
        ["GET /api/v1/dashboard/overview"] = Operate,
        ["GET /api/v1/dashboard/events"] = Operate,
        ["GET /api/v1/workers"] = Operate,
        ["GET /api/v1/queues"] = Operate,
        ["GET /api/v1/dead-letters/"] = Operate,
        ["POST /api/v1/dead-letters/{id}/requeue"] = Operate,
        ["DELETE /api/v1/dead-letters/{id}"] = Operate,
        ["GET /metrics"] = Operate,
        ["POST /api/v1/keys/"] = Admin,
        ["GET /api/v1/keys/"] = Admin,
        ["DELETE /api/v1/keys/{id}"] = Admin,
        ["GET /api/v1/audit"] = [Roles.Admin, Roles.Auditor],
        ["GET /api/v1/audit/export.csv"] = [Roles.Admin, Roles.Auditor],
        ["GET /api/v1/me"] = Anyone,
        ["DELETE /api/v1/documents/{id}"] = Erase,
        ["DELETE /api/v1/batches/{id}"] = Erase,
        ["PUT /api/v1/documents/{id}/hold"] = Admin,
        ["DELETE /api/v1/documents/{id}/hold"] = Admin,
        ["PUT /api/v1/batches/{id}/hold"] = Admin,
        ["DELETE /api/v1/batches/{id}/hold"] = Admin,
        // The Document AI v1 surface (DocumentAi/): processing uploads, reading is metadata, a cancel is the uploader's.
        ["POST /v1/projects/{project}/locations/{location}/processors/{processor}:process"] = Upload,
        ["POST /v1/projects/{project}/locations/{location}/processors/{processor}/processorVersions/{version}:process"] = Upload,
        ["POST /v1/projects/{project}/locations/{location}/processors/{processor}:batchProcess"] = Upload,
        ["POST /v1/projects/{project}/locations/{location}/processors/{processor}/processorVersions/{version}:batchProcess"] = Upload,
        ["GET /v1/projects/{project}/locations/{location}/processors"] = Metadata,
        ["GET /v1/projects/{project}/locations/{location}/processors/{processor}"] = Metadata,
        ["GET /v1/projects/{project}/locations/{location}:fetchProcessorTypes"] = Metadata,
        ["GET /v1/projects/{project}/locations/{location}/operations"] = Metadata,
        ["GET /v1/projects/{project}/locations/{location}/operations/{operation}"] = Metadata,
        ["POST /v1/projects/{project}/locations/{location}/operations/{operation}:cancel"] = Upload,
    };

    private sealed record Route(string Method, string Pattern, string Path, bool Anonymous, IReadOnlyList<string> Policies);

    private static List<Route> RoutesOf(IServiceProvider services)
    {
        var routes = new List<Route>();
        foreach (var endpoint in services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>())
        {
            var pattern = endpoint.RoutePattern.RawText ?? "";
            if (!pattern.StartsWith('/')) pattern = "/" + pattern;
            var path = Parameter().Replace(pattern, m => m.Groups[1].Value switch { "n" => "1", "documentName" => "v1", _ => "no-such-id" });
            var methods = endpoint.Metadata.GetMetadata<Microsoft.AspNetCore.Routing.HttpMethodMetadata>()?.HttpMethods ?? ["GET"];
            var anonymous = endpoint.Metadata.GetMetadata<IAllowAnonymous>() is not null;
            var policies = endpoint.Metadata.GetOrderedMetadata<IAuthorizeData>().Select(a => a.Policy ?? "(default)").ToList();
            foreach (var method in methods) routes.Add(new Route(method, pattern, path, anonymous, policies));
        }
        return routes;
    }

    [GeneratedRegex(@"\{([A-Za-z]+)[^}]*\}")]
    private static partial Regex Parameter();

    [Fact]
    public async Task EveryRoute_AnswersEachRoleAsDesigned_WhenKeysAreRequired()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Auth:Required"] = "true", ["Workers"] = "0" });
        var store = server.Services.GetRequiredService<IApiKeyStore>();
        var log = server.Services.GetRequiredService<IAuditLog>();
        var clients = new Dictionary<string, HttpClient>();
        var prefixes = new Dictionary<HttpClient, string>();
        foreach (var role in Roles.All)
        {
            // Tenant acme (not the default a forgotten tenant falls back to), so the audit entries show whose they are.
            var (record, key) = await ApiKeys.CreateAsync(store, role, $"matrix {role}", "acme", DateTimeOffset.UtcNow, CancellationToken.None);
            var client = new HttpClient { BaseAddress = server.Client.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
            clients[role] = client;
            prefixes[client] = record.Prefix;
        }

        var routes = RoutesOf(server.Services);
        Assert.True(routes.Count >= Expected.Count, $"only {routes.Count} routes found");
        var failures = new List<string>();
        var audited = 0;

        // Every state-changing request leaves exactly one audit entry, whoever sends it and whatever the answer: the
        // route as its action (a 401: sign-in-failed naming the route), the caller, its role and tenant, the status.
        async Task<HttpStatusCode> SendAndAuditAsync(HttpClient client, Route route)
        {
            if (route.Method is not ("POST" or "PUT" or "PATCH" or "DELETE")) return await SendAsync(client, route);
            var before = (await log.VerifyAsync(CancellationToken.None)).Count;
            var status = await SendAsync(client, route);
            var after = (await log.VerifyAsync(CancellationToken.None)).Count;
            var who = prefixes.TryGetValue(client, out var prefix) ? prefix : "anonymous";
            var name = $"{route.Method} {route.Pattern}";
            if (after != before + 1)
            {
                failures.Add($"{name} by {who} ({(int)status}): {after - before} audit entries, not 1");
                return status;
            }
            audited++;
            var entry = (await log.QueryAsync(new AuditQuery(null, null, null, null, null, 1), CancellationToken.None)).Single();
            var action = $"{route.Method} {(route.Pattern.Length > 1 ? route.Pattern.TrimEnd('/') : route.Pattern)}";
            var (expectedAction, expectedTenant) = status == HttpStatusCode.Unauthorized ? ("sign-in-failed", Tenants.Default) : (action, "acme");
            if (entry.Action != expectedAction || entry.Principal != who || entry.Outcome != (int)status || entry.Tenant != expectedTenant
                || (status == HttpStatusCode.Unauthorized && entry.Target?.Contains(action, StringComparison.Ordinal) != true))
                failures.Add($"{name} by {who} ({(int)status}): recorded {entry.Action} [{entry.Target}] by {entry.Principal}, tenant {entry.Tenant} → {entry.Outcome}");
            return status;
        }

        foreach (var route in routes)
        {
            var name = $"{route.Method} {route.Pattern}";
            if (!Expected.TryGetValue(name, out var allowed))
            {
                failures.Add($"{name}: a route this test does not know; add it to Expected with the roles that may call it");
                continue;
            }
            if (allowed is null)
            {
                if (!route.Anonymous) failures.Add($"{name}: expected anonymous access (AllowAnonymous)");
                var open = await SendAndAuditAsync(server.Client, route);
                if (open is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) failures.Add($"{name}: anonymous got {(int)open}");
                continue;
            }
            if (route.Anonymous) failures.Add($"{name}: allows anonymous access");
            if (route.Policies.Count == 0) failures.Add($"{name}: has no authorization policy");

            var anonymous = await SendAndAuditAsync(server.Client, route);
            if (anonymous != HttpStatusCode.Unauthorized) failures.Add($"{name}: anonymous got {(int)anonymous}, not 401");
            foreach (var role in Roles.All)
            {
                var status = await SendAndAuditAsync(clients[role], route);
                if (allowed.Contains(role))
                {
                    if (status is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden) failures.Add($"{name}: {role} got {(int)status}, but may call it");
                }
                else if (status != HttpStatusCode.Forbidden) failures.Add($"{name}: {role} got {(int)status}, not 403");
            }
        }
        foreach (var c in clients.Values) c.Dispose();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
        // Anonymous and every role on each state-changing route (at least the upload, erasure, hold, key and dead-letter ones).
        Assert.True(audited >= 12 * (Roles.All.Count + 1), $"only {audited} state-changing requests audited");
        var chain = await log.VerifyAsync(CancellationToken.None);
        Assert.True(chain.Intact, chain.Reason);
        // Every route of the table exists (a renamed route must be renamed here too).
        Assert.Empty(Expected.Keys.Except(routes.Select(r => $"{r.Method} {r.Pattern}")));
    }

    /// <summary>Roles × tenants: every route with an id, called by each role of tenant acme that may call it and sees only
    /// its own tenant, with the id of tenant globex's document or batch, answers 404 (not 403: the id's existence is not
    /// revealed); globex's own reader gets past the lookup on the same request, so the 404 is the tenant's doing. Admin and
    /// operator see every tenant (DESIGN.md §7). A route with an id this test cannot classify fails it.</summary>
    [Fact]
    public async Task EveryRouteWithAnId_AnswersAnotherTenantsPrincipal404_AndListsShowOnlyTheOwnTenant()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Auth:Required"] = "true", ["Workers"] = "0" });
        var store = server.Services.GetRequiredService<IApiKeyStore>();
        async Task<HttpClient> ClientAsync(string role, string tenant)
        {
            var (_, key) = await ApiKeys.CreateAsync(store, role, $"{tenant} {role}", tenant, DateTimeOffset.UtcNow, CancellationToken.None);
            var client = new HttpClient { BaseAddress = server.Client.BaseAddress, Timeout = TimeSpan.FromMinutes(2) };
            client.DefaultRequestHeaders.Add("X-Api-Key", key);
            return client;
        }
        var acme = new Dictionary<string, HttpClient>();
        foreach (var role in Roles.All) acme[role] = await ClientAsync(role, "acme");
        using var globexSubmitter = await ClientAsync(Roles.Submitter, "globex");
        using var globexReader = await ClientAsync(Roles.Reader, "globex");

        var pdf = File.ReadAllBytes(Path.Combine(Repo.Samples, "invoice-digital.pdf"));
        using var upload = await globexSubmitter.PostAsync("api/v1/batches", ServerHarness.Form("files", ("globex.pdf", pdf)));
        Assert.Equal(HttpStatusCode.Accepted, upload.StatusCode);
        var accepted = await upload.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
        var batchId = accepted.GetProperty("batchId").GetString()!;
        var documentId = accepted.GetProperty("documents")[0].GetProperty("id").GetString()!;
        // The erasing routes take documents of their own, so that the routes after them still find globex's.
        async Task<(string Batch, string Document)> GlobexUploadAsync(string name)
        {
            using var response = await globexSubmitter.PostAsync("api/v1/batches", ServerHarness.Form("files", (name, pdf)));
            var body = await response.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>();
            return (body.GetProperty("batchId").GetString()!, body.GetProperty("documents")[0].GetProperty("id").GetString()!);
        }
        var (_, erasedDocumentId) = await GlobexUploadAsync("erase-document.pdf");
        var (erasedBatchId, _) = await GlobexUploadAsync("erase-batch.pdf");
        using var acmeUpload = await acme[Roles.Submitter].PostAsync("api/v1/documents", ServerHarness.Form("file", ("acme.pdf", pdf)));
        var acmeDocument = (await acmeUpload.Content.ReadFromJsonAsync<System.Text.Json.JsonElement>()).GetProperty("id").GetString()!;

        var failures = new List<string>();
        var checkedRoutes = 0;
        foreach (var route in RoutesOf(server.Services).Where(r => r.Pattern.Contains("{id}", StringComparison.Ordinal)))
        {
            var name = $"{route.Method} {route.Pattern}";
            string id;
            if (route is { Method: "DELETE", Pattern: "/api/v1/documents/{id}" }) id = erasedDocumentId;
            else if (route is { Method: "DELETE", Pattern: "/api/v1/batches/{id}" }) id = erasedBatchId;
            else if (route.Pattern.StartsWith("/api/v1/documents/", StringComparison.Ordinal)) id = documentId;
            else if (route.Pattern.StartsWith("/api/v1/batches/", StringComparison.Ordinal)) id = batchId;
            // Keys and dead letters are admin/operator routes: those roles see every tenant by design.
            else if (route.Pattern.StartsWith("/api/v1/keys/", StringComparison.Ordinal) || route.Pattern.StartsWith("/api/v1/dead-letters/", StringComparison.Ordinal)) continue;
            else
            {
                failures.Add($"{name}: a route with an id this test does not know; say which tenant's id it takes");
                continue;
            }
            var routed = route with { Path = route.Path.Replace("no-such-id", id, StringComparison.Ordinal) };
            checkedRoutes++;
            var allowed = Expected.TryGetValue(name, out var roles) ? roles ?? [] : [];
            foreach (var role in allowed.Where(r => r is not Roles.Admin and not Roles.Operator))
            {
                var status = await SendAsync(acme[role], routed);
                if (status != HttpStatusCode.NotFound) failures.Add($"{name}: acme's {role} got {(int)status} for globex's id, not 404");
            }
            if (allowed.Contains(Roles.Reader))
            {
                var own = await SendAsync(globexReader, routed);
                if (own is HttpStatusCode.NotFound or HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
                    failures.Add($"{name}: globex's own reader got {(int)own}");
            }
            foreach (var role in allowed.Where(r => r is Roles.Admin or Roles.Operator))
            {
                var status = await SendAsync(acme[role], routed);
                if (status == HttpStatusCode.NotFound) failures.Add($"{name}: acme's {role} (every tenant) got 404");
            }
        }
        Assert.True(checkedRoutes >= 11, $"only {checkedRoutes} routes with ids checked");

        // Lists: acme's reader sees acme's document only; globex's reader globex's only; admin and operator both.
        async Task<List<string>> JobIdsAsync(HttpClient client) =>
            [.. (await client.GetFromJsonAsync<System.Text.Json.JsonElement>("api/v1/jobs"))!.GetProperty("items").EnumerateArray().Select(j => j.GetProperty("id").GetString()!)];
        async Task<List<string>> BatchTenantsAsync(HttpClient client) =>
            [.. (await client.GetFromJsonAsync<System.Text.Json.JsonElement>("api/v1/batches"))!.GetProperty("items").EnumerateArray().Select(b => b.GetProperty("tenant").GetString()!)];
        if (!(await JobIdsAsync(acme[Roles.Reader])).SequenceEqual([acmeDocument])) failures.Add("acme's reader does not list exactly acme's document");
        if (!(await JobIdsAsync(globexReader)).SequenceEqual([documentId])) failures.Add("globex's reader does not list exactly globex's (remaining) document");
        if (!(await BatchTenantsAsync(acme[Roles.Submitter])).SequenceEqual(["acme"])) failures.Add("acme's submitter lists batches of another tenant");
        foreach (var role in new[] { Roles.Admin, Roles.Operator })
            if ((await JobIdsAsync(acme[role])).Order(StringComparer.Ordinal).SequenceEqual(new[] { acmeDocument, documentId }.Order(StringComparer.Ordinal)) is false)
                failures.Add($"{role} does not list both tenants' documents");

        foreach (var c in acme.Values) c.Dispose();
        Assert.True(failures.Count == 0, string.Join("\n", failures));
    }

    /// <summary>The status only: headers are enough (the SSE streams never end).</summary>
    private static async Task<HttpStatusCode> SendAsync(HttpClient client, Route route)
    {
        using var request = new HttpRequestMessage(new HttpMethod(route.Method), route.Path.TrimStart('/'));
        // JSON: an endpoint with a JSON body answers 415 to other content types in routing, before authorization.
        if (route.Method is "POST" or "PUT") request.Content = new StringContent("{}", System.Text.Encoding.UTF8, "application/json");
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var response = await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
        return response.StatusCode;
    }

    [Fact]
    public async Task Refusals_AreProblemDetails_ThatSayWhatToDo()
    {
        await using var server = await ServerHarness.StartAsync(new Dictionary<string, string?> { ["Auth:Required"] = "true", ["Workers"] = "0" });
        var (_, key) = await ApiKeys.CreateAsync(server.Services.GetRequiredService<IApiKeyStore>(), Roles.Reader, null, DateTimeOffset.UtcNow, CancellationToken.None);

        using var anonymous = await server.Client.GetAsync("api/v1/jobs");
        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal("application/problem+json", anonymous.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Bearer", anonymous.Headers.WwwAuthenticate.ToString());
        Assert.Contains("X-Api-Key", await anonymous.Content.ReadAsStringAsync());

        using var wrong = new HttpRequestMessage(HttpMethod.Get, "api/v1/jobs");
        wrong.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key[..^4] + "AAAA");
        using var wrongResponse = await server.Client.SendAsync(wrong);
        Assert.Equal(HttpStatusCode.Unauthorized, wrongResponse.StatusCode);
        Assert.Contains("not valid", await wrongResponse.Content.ReadAsStringAsync());

        using var forbidden = new HttpRequestMessage(HttpMethod.Get, "api/v1/queues");
        forbidden.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        using var forbiddenResponse = await server.Client.SendAsync(forbidden);
        Assert.Equal(HttpStatusCode.Forbidden, forbiddenResponse.StatusCode);
        Assert.Equal("application/problem+json", forbiddenResponse.Content.Headers.ContentType?.MediaType);
        Assert.Contains("reader", await forbiddenResponse.Content.ReadAsStringAsync());

        // Health stays open for probes.
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("healthz")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await server.Client.GetAsync("readyz")).StatusCode);
    }
}
