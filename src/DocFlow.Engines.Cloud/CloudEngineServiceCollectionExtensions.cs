using System.ComponentModel.DataAnnotations;
using DocFlow.Processing;
using DocFlow.Queueing;
using Google.Apis.Auth.OAuth2;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DocFlow.Engines.Cloud;

public static class CloudEngineServiceCollectionExtensions
{
    /// <summary>Cloud engines from <c>Engines</c> (docs/engines.md): when a route names one, an
    /// <see cref="IDocumentEngineSelector"/> sends that route's documents to it, with the registered
    /// <see cref="IDocumentEngine"/> (the local engine) as its fallback. Nothing is registered without <c>Engines:Routes</c>.</summary>
    public static IHostApplicationBuilder AddDocFlowCloudEngines(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        var section = builder.Configuration.GetSection(EnginesOptions.SectionName);
        builder.Services.AddOptions<EnginesOptions>().Bind(section).ValidateOnStart();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<EnginesOptions>, EnginesOptionsValidator>());
        if (!section.GetSection(nameof(EnginesOptions.Routes)).GetChildren().Any()) return builder;
        builder.Services.TryAddSingleton<CloudEngineTelemetry>();
        builder.Services.TryAddSingleton<IDocumentEngineSelector>(sp => Create(
            sp.GetRequiredService<IOptions<EnginesOptions>>().Value, sp.GetRequiredService<IDocumentEngine>(),
            sp.GetRequiredService<CloudEngineTelemetry>(), sp.GetRequiredService<ILoggerFactory>(), sp.GetService<TimeProvider>()));
        return builder;
    }

    /// <summary>The selector and its engines for <paramref name="options"/>, each engine with its own connection pool.</summary>
    public static CloudEngineSelector Create(EnginesOptions options, IDocumentEngine local, CloudEngineTelemetry telemetry,
        ILoggerFactory loggers, TimeProvider? time = null)
    {
        var engines = new Dictionary<string, CloudDocumentEngine>(StringComparer.OrdinalIgnoreCase);
        foreach (var (name, o) in options.Cloud)
        {
            var handler = new SocketsHttpHandler
            {
                MaxConnectionsPerServer = o.MaxConcurrentRequests,
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectTimeout = o.AttemptTimeout < TimeSpan.FromSeconds(10) ? o.AttemptTimeout : TimeSpan.FromSeconds(10),
            };
            // Timeouts belong to the Polly pipeline (attempt and total), not to HttpClient.
            var http = new HttpClient(handler) { BaseAddress = o.Endpoint, Timeout = Timeout.InfiniteTimeSpan };
            ITokenAccess? token = o.CredentialsFile is { Length: > 0 } file && o.ApiKey is not { Length: > 0 }
                ? CredentialFactory.FromFile<ServiceAccountCredential>(file).ToGoogleCredential()
                    .CreateScoped("https://www.googleapis.com/auth/cloud-platform")
                : null;
            engines[name] = new CloudDocumentEngine(name, o, http, local, telemetry, loggers.CreateLogger($"DocFlow.Engines.Cloud.{name}"), token, time,
                engine => options.PricePerPage.TryGetValue(engine, out var price) ? price : null);
        }
        return new CloudEngineSelector(engines, options.Routes, local);
    }
}

/// <summary>Checks <c>Engines</c> at start-up: routes name known routes and engines; each cloud engine is complete.</summary>
internal sealed class EnginesOptionsValidator : IValidateOptions<EnginesOptions>
{
    public ValidateOptionsResult Validate(string? name, EnginesOptions options)
    {
        var errors = new List<string>();
        var routes = Enum.GetValues<JobRoute>().Where(r => r != JobRoute.Report).Select(r => r.ToWireName()).ToHashSet(StringComparer.OrdinalIgnoreCase);
        foreach (var (route, engine) in options.Routes)
        {
            if (!routes.Contains(route))
                errors.Add($"Engines:Routes:{route}: unknown route (one of {string.Join(", ", routes)}).");
            if (!string.Equals(engine, ProcessingStats.LocalEngineName, StringComparison.OrdinalIgnoreCase) && !options.Cloud.ContainsKey(engine))
                errors.Add($"Engines:Routes:{route}: no engine '{engine}' under Engines:Cloud (or \"local\").");
        }
        foreach (var (engine, o) in options.Cloud)
        {
            var results = new List<ValidationResult>();
            if (!Validator.TryValidateObject(o, new ValidationContext(o), results, validateAllProperties: true))
                errors.AddRange(results.Select(r => $"Engines:Cloud:{engine}: {r.ErrorMessage}"));
            try
            {
                _ = o.Endpoint;
            }
            catch (InvalidOperationException ex)
            {
                errors.Add($"Engines:Cloud:{engine}: {ex.Message}");
            }
            if (o.AttemptTimeout <= TimeSpan.Zero || o.TotalTimeout < o.AttemptTimeout)
                errors.Add($"Engines:Cloud:{engine}: AttemptTimeout must be above 0 and TotalTimeout at least AttemptTimeout.");
            if (o.PackPages is 1 || o.PackPages > o.MaxPagesPerRequest)
                errors.Add($"Engines:Cloud:{engine}: PackPages must be 0 (off) or from 2 to MaxPagesPerRequest ({o.MaxPagesPerRequest}).");
            if (o.CredentialsFile is { Length: > 0 } file && !File.Exists(file))
                errors.Add($"Engines:Cloud:{engine}: CredentialsFile {file} does not exist.");
        }
        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
