using System.Collections.Frozen;

namespace DocFlow;

/// <summary>
/// The one way DocFlow's enums (<see cref="Storage.JobStatus"/>, <see cref="Storage.BatchStatus"/>,
/// <see cref="Queueing.JobRoute"/>, <see cref="Queueing.JobPriority"/>) are written to and read from the wire (API,
/// database columns, Redis fields, metric labels, CLI options): the member name in lower case.
/// </summary>
/// <remarks>Parsing is <see cref="Enum.TryParse{TEnum}(string?, bool, out TEnum)"/> ignoring case, but only for a
/// declared member's name: numbers ("1"), combinations ("pdf,image") and undefined values are refused.</remarks>
public static class WireName
{
    /// <summary>The member's wire name: <c>JobRoute.Pdf</c> is "pdf".</summary>
    public static string Of<TEnum>(TEnum value) where TEnum : struct, Enum =>
        Names<TEnum>.ByValue.TryGetValue(value, out var name) ? name : value.ToString().ToLowerInvariant();

    /// <summary>Reads a wire name, case-insensitively; false for anything that is not a member's name.</summary>
    public static bool TryParse<TEnum>(string? value, out TEnum result) where TEnum : struct, Enum
    {
        result = default;
        return !string.IsNullOrEmpty(value) && char.IsAsciiLetter(value[0]) && !value.Contains(',', StringComparison.Ordinal)
            && Enum.TryParse(value, ignoreCase: true, out result) && Enum.IsDefined(result);
    }

    /// <summary>The wire names of every member, in declaration order, e.g. for an error message: "image, pdf or report".</summary>
    public static string List<TEnum>() where TEnum : struct, Enum
    {
        var names = Names<TEnum>.InOrder;
        return names.Length == 1 ? names[0] : string.Join(", ", names[..^1]) + " or " + names[^1];
    }

    private static class Names<TEnum> where TEnum : struct, Enum
    {
        public static readonly string[] InOrder = [.. Enum.GetValues<TEnum>().Select(v => v.ToString().ToLowerInvariant())];
        public static readonly FrozenDictionary<TEnum, string> ByValue =
            Enum.GetValues<TEnum>().ToFrozenDictionary(v => v, v => v.ToString().ToLowerInvariant());
    }
}
