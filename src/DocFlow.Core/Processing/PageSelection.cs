using System.Globalization;
using System.Text;
using DocFlow.Queueing;

namespace DocFlow.Processing;

/// <summary>Which pages of a document to read: <c>1-3,7,-1</c> (1-based, negative counts from the end), the first N
/// or the last N pages, as Document AI's <c>individualPageSelector</c>, <c>fromStart</c> and <c>fromEnd</c>.</summary>
/// <remarks>Only the selected pages are read; the Document keeps their original page numbers. The canonical text
/// (<see cref="ToString"/>) is what is stored with a job and what the dedup key holds: <see cref="Parse"/> reads it back.
/// Explicit pages beyond the document are an error (<see cref="Resolve"/>); first/last N take what there is, as Google's do.</remarks>
public sealed class PageSelection : IEquatable<PageSelection>
{
    /// <summary>The longest selection text accepted (a form field, a CLI option).</summary>
    public const int MaxLength = 1000;

    private readonly (int From, int To)[] _items;
    private readonly int _fromStart;
    private readonly int _fromEnd;

    private PageSelection((int, int)[] items, int fromStart, int fromEnd)
    {
        _items = items;
        _fromStart = fromStart;
        _fromEnd = fromEnd;
    }

    /// <summary>The first <paramref name="count"/> pages (Document AI's <c>fromStart</c>).</summary>
    public static PageSelection FromStart(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new([], count, 0);
    }

    /// <summary>The last <paramref name="count"/> pages (Document AI's <c>fromEnd</c>).</summary>
    public static PageSelection FromEnd(int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        return new([], 0, count);
    }

    /// <summary>These 1-based pages (Document AI's <c>individualPageSelector.pages</c>).</summary>
    public static PageSelection Of(IEnumerable<int> pages)
    {
        var list = pages.Select(p => p == 0 ? throw new FormatException("Page numbers start at 1 (0 is not a page).") : (p, p)).ToArray();
        if (list.Length == 0) throw new FormatException("No pages were selected.");
        return new(list, 0, 0);
    }

    /// <summary>Parses <c>1-3,7,-1</c> (ranges, single pages, negative = from the end, <c>-3--1</c> the last three),
    /// <c>first:N</c> or <c>last:N</c>. Throws <see cref="FormatException"/> with a message that names the bad part.</summary>
    public static PageSelection Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        if (s.Length == 0) throw new FormatException("The page selection is empty; give pages like 1-3,7,-1.");
        if (s.Length > MaxLength) throw new FormatException($"The page selection is longer than {MaxLength} characters.");
        if (s.StartsWith("first:", StringComparison.OrdinalIgnoreCase)) return FromStart(Count(s[6..], s));
        if (s.StartsWith("last:", StringComparison.OrdinalIgnoreCase)) return FromEnd(Count(s[5..], s));
        var items = new List<(int, int)>();
        foreach (var raw in s.Split(',', StringSplitOptions.TrimEntries))
        {
            if (raw.Length == 0) throw new FormatException($"'{text}' has an empty item; separate pages with single commas.");
            // A range's dash is the first '-' after the first character (a leading '-' is the first bound's sign).
            var dash = raw.IndexOf('-', 1);
            if (dash < 0)
            {
                var page = Bound(raw, raw);
                items.Add((page, page));
                continue;
            }
            var from = Bound(raw[..dash], raw);
            var to = Bound(raw[(dash + 1)..], raw);
            if (Math.Sign(from) == Math.Sign(to) && to < from)
                throw new FormatException($"'{raw}' runs backwards; write the lower page first.");
            items.Add((from, to));
        }
        return new([.. items], 0, 0);

        static int Bound(string value, string item)
        {
            var v = value.Trim();
            var negative = v.StartsWith('-');
            if (!int.TryParse(negative ? v[1..] : v, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n == 0 || n > 1_000_000)
                throw new FormatException($"'{item}' is not a page or page range (pages are 1-based; -1 is the last page).");
            return negative ? -n : n;
        }

        static int Count(string value, string whole) =>
            int.TryParse(value.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 1_000_000
                ? n
                : throw new FormatException($"'{whole}' needs a page count of at least 1.");
    }

    /// <summary><see cref="Parse"/> without the exception: false and a message when <paramref name="text"/> is not a selection.</summary>
    public static bool TryParse(string? text, out PageSelection? selection, out string? error)
    {
        selection = null;
        error = null;
        if (text is null) { error = "The page selection is empty."; return false; }
        try
        {
            selection = Parse(text);
            return true;
        }
        catch (FormatException ex)
        {
            error = ex.Message;
            return false;
        }
    }

    /// <summary>The selected 1-based pages of a document of <paramref name="pageCount"/> pages, ascending, each once.</summary>
    /// <exception cref="DocumentException">An explicit page lies beyond the document (code <see cref="DocumentErrorCode.InvalidPages"/>).</exception>
    public IReadOnlyList<int> Resolve(int pageCount)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pageCount);
        if (_fromStart > 0) return [.. Enumerable.Range(1, Math.Min(_fromStart, pageCount))];
        if (_fromEnd > 0) return [.. Enumerable.Range(Math.Max(1, pageCount - _fromEnd + 1), Math.Min(_fromEnd, pageCount))];
        var pages = new SortedSet<int>();
        foreach (var (from, to) in _items)
        {
            var first = Absolute(from, pageCount);
            var last = Absolute(to, pageCount);
            if (first > last)
                throw new DocumentException(DocumentErrorCode.InvalidPages,
                    $"Pages {Item(from, to)} select nothing in a document of {pageCount} pages.");
            for (var p = first; p <= last; p++) pages.Add(p);
        }
        return [.. pages];

        static int Absolute(int page, int count)
        {
            var absolute = page > 0 ? page : count + page + 1;
            if (absolute < 1 || absolute > count)
                throw new DocumentException(DocumentErrorCode.InvalidPages,
                    $"Page {page} was selected, but the document has {count} page{(count == 1 ? "" : "s")}.");
            return absolute;
        }
    }

    /// <summary>The resolved pages as consecutive runs, each at most <paramref name="maxLength"/> pages long.</summary>
    public static IReadOnlyList<PageRange> Runs(IReadOnlyList<int> pages, int maxLength = int.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, 1);
        var runs = new List<PageRange>();
        var i = 0;
        while (i < pages.Count)
        {
            var first = pages[i];
            var last = first;
            while (i + 1 < pages.Count && pages[i + 1] == last + 1 && last - first + 1 < maxLength) last = pages[++i];
            runs.Add(new PageRange(first, last));
            i++;
        }
        return runs;
    }

    /// <summary>The canonical text: <c>1-3,7,-1</c>, <c>first:N</c> or <c>last:N</c>.</summary>
    public override string ToString()
    {
        if (_fromStart > 0) return "first:" + _fromStart.ToString(CultureInfo.InvariantCulture);
        if (_fromEnd > 0) return "last:" + _fromEnd.ToString(CultureInfo.InvariantCulture);
        var sb = new StringBuilder();
        foreach (var (from, to) in _items)
        {
            if (sb.Length > 0) sb.Append(',');
            sb.Append(Item(from, to));
        }
        return sb.ToString();
    }

    /// <summary>The selection's part of a dedup/options key: the canonical text, or its digest when long.</summary>
    public string Key()
    {
        var text = ToString();
        return text.Length <= 40 ? text : "sha256:" + Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(Encoding.UTF8.GetBytes(text)))[..24];
    }

    private static string Item(int from, int to) => from == to
        ? from.ToString(CultureInfo.InvariantCulture)
        : from.ToString(CultureInfo.InvariantCulture) + "-" + to.ToString(CultureInfo.InvariantCulture);

    public bool Equals(PageSelection? other) => other is not null && ToString() == other.ToString();

    public override bool Equals(object? obj) => Equals(obj as PageSelection);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(ToString());
}
