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
