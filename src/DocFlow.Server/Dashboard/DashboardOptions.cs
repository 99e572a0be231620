using System.ComponentModel.DataAnnotations;

namespace DocFlow.Server.Dashboard;

/// <summary>The dashboard's settings. Section "Dashboard".</summary>
public sealed class DashboardOptions
{
    public const string SectionName = "Dashboard";

    /// <summary>How often the live view (SSE) sends the overview. <value>Default 2 s.</value></summary>
    public TimeSpan RefreshInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How long one computed overview is shared by every request and stream, so any number of open
    /// dashboards cost the database one set of queries per period. <value>Default 1 s.</value></summary>
    public TimeSpan OverviewCacheDuration { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Most page images (<c>GET /api/v1/documents/{id}/pages/{n}/image</c>) rendered at once; more wait up to
    /// <see cref="PageImageQueueWait"/>, then get 503 with Retry-After. <value>Default: the processor count.</value></summary>
    [Range(1, 1024)]
    public int PageImageConcurrency { get; set; } = Environment.ProcessorCount;

    /// <summary>How long a page-image request waits for a free render slot. <value>Default 2 s.</value></summary>
    public TimeSpan PageImageQueueWait { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>Wall time for rendering one page image; pdftoppm is killed after it and the answer is 422 (code
    /// <c>timeout</c>). <value>Default 20 s.</value></summary>
    public TimeSpan PageImageTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>The cost model behind "cost per document".</summary>
    public CostModelOptions Cost { get; set; } = new();
}

/// <summary>What compute costs here, and what the cloud charges for the same pages. Section "Dashboard:Cost".</summary>
public sealed class CostModelOptions
{
    /// <summary>Price of one worker machine (or pod) for one hour, API server included as one.
    /// <value>Default 0.10 (a small 2-vCPU virtual machine, in <see cref="Currency"/>).</value></summary>
    [Range(0, double.MaxValue)]
    public double ComputePerHour { get; set; } = 0.10;

    /// <summary>What the cloud document engine charges per 1,000 pages, for comparison.
    /// <value>Default 1.50 (Google Document AI's Enterprise Document OCR list price).</value></summary>
    [Range(0, double.MaxValue)]
    public double CloudPer1000Pages { get; set; } = 1.50;

    /// <summary>The currency the prices are in (shown only). <value>Default USD.</value></summary>
    public string Currency { get; set; } = "USD";
}
