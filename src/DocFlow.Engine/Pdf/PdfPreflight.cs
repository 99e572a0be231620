using System.Globalization;
using System.IO.Compression;
using System.Text;
using DocFlow.Processing;

namespace DocFlow.Engine.Pdf;

/// <summary>What the pre-scan saw; for tests and logs.</summary>
public sealed record PdfPreflightReport(int Objects, int MaxNesting, int MaxFunctionNesting, long DecodedBytes, int Images, int Forms, long MaxPaints);

/// <summary>
/// A bounded, iterative pre-scan of a PDF's raw bytes that runs before PdfPig (or pdftoppm) sees the file, and refuses
/// what would make them recurse without bound, allocate out of proportion or loop: too many objects, dictionaries or
/// arrays nested too deep, Type 4 (PostScript) functions nested too deep (PdfPig parses them recursively: 20,000 levels
/// overflow its stack, which kills the process), streams that inflate beyond a limit (bounded inflate), images whose
/// declared width × height is too large, and form XObjects that draw each other in a loop or fan out (a form drawing
/// the next one twice, 40 levels deep, is 2^40 paints).
/// </summary>
/// <remarks>
/// Nothing here recurses and every loop is bounded by the file size or a limit, so the scan itself cannot be made to
/// overflow the stack or run away. It does not validate the PDF: anything it does not understand is left to PdfPig, which
/// reports damaged files as <c>corrupt</c>. Only FlateDecode streams (and unfiltered ones) are inflated; other filters are
/// left to the parsers (images under them are still checked from their dictionaries).
/// </remarks>
public static class PdfPreflight
{
    private const string MimeType = "application/pdf";

    /// <exception cref="DocumentException">TooLarge or TooManyPixels (final) naming the object and the limit.</exception>
    public static PdfPreflightReport Check(ReadOnlySpan<byte> pdf, EngineLimits limits)
    {
        ArgumentNullException.ThrowIfNull(limits);
        var scan = new Scanner(limits);
        scan.ScanFile(pdf);
        scan.ProcessStreams(pdf);
        return scan.Finish();
    }

    private static DocumentException TooLarge(string message) =>
        new(DocumentErrorCode.TooLarge, message) { MimeType = MimeType };

    private static string N(long n) => n.ToString("N0", CultureInfo.InvariantCulture);

    /// <summary>An object's dictionary (raw bytes) and, for a form XObject, how often it draws each name.</summary>
    private sealed class PdfObject(int number, byte[] dictionary)
    {
        public int Number { get; } = number;
        public byte[] Dictionary { get; } = dictionary;
        public Dictionary<string, long>? Draws { get; set; }
        public bool IsStream { get; set; }
    }

    private sealed class Scanner(EngineLimits limits)
    {
        private readonly Dictionary<int, PdfObject> _objects = [];
        private readonly List<(int Number, int DataStart, int DataEnd)> _streams = [];
        private int _objectCount;
        private int _maxNesting;
        private int _maxFunctionNesting;
        private long _decoded;
        private int _images;
        private long _maxPaints;

        public PdfPreflightReport Finish()
        {
            var forms = _objects.Values.Where(o => o.IsStream && Subtype(o.Dictionary) == "Form").ToList();
            var paints = CheckFanOut(forms, out var global);
            CheckPages(paints, global);
            return new PdfPreflightReport(_objectCount, _maxNesting, _maxFunctionNesting, _decoded, _images, forms.Count, _maxPaints);
        }

        /// <summary>One pass over the file: objects, nesting, streams (skipped by /Length or by searching endstream).</summary>
        public void ScanFile(ReadOnlySpan<byte> c)
        {
            var depth = 0;
            long lastInt = -1, secondLastInt = -1;
            int lastIntStart = -1, secondLastIntStart = -1;
            var objectNumber = -1;
            var objectStart = -1;
            var i = 0;
            while (i < c.Length)
            {
                var b = c[i];
                switch (b)
                {
                    case (byte)'%':
                        while (i < c.Length && c[i] is not ((byte)'\n' or (byte)'\r')) i++;
                        continue;
                    case (byte)'(':
                        i = SkipString(c, i);
                        lastInt = secondLastInt = -1;
                        continue;
                    case (byte)'<' when i + 1 < c.Length && c[i + 1] == '<':
                    case (byte)'[':
                        depth++;
                        if (depth > _maxNesting) _maxNesting = depth;
                        if (depth > limits.MaxPdfNesting)
                            throw TooLarge($"The PDF nests dictionaries or arrays more than {N(limits.MaxPdfNesting)} levels deep " +
                                           $"(at byte {N(i)}{InObject(objectNumber)}), beyond the limit of Engine:Limits:MaxPdfNesting; " +
                                           "such nesting is only found in files built to crash PDF readers.");
                        i += b == '[' ? 1 : 2;
                        lastInt = secondLastInt = -1;
                        continue;
                    case (byte)'<':
                        i = c[i..].IndexOf((byte)'>') is var close and >= 0 ? i + close + 1 : c.Length;
                        lastInt = secondLastInt = -1;
                        continue;
                    case (byte)'>' when i + 1 < c.Length && c[i + 1] == '>':
                        if (depth > 0) depth--;
                        i += 2;
                        lastInt = secondLastInt = -1;
                        continue;
                    case (byte)']':
                        if (depth > 0) depth--;
                        i++;
                        lastInt = secondLastInt = -1;
                        continue;
                }
                if (IsWhite(b) || (IsDelimiter(b) && b != '/'))
                {
                    i++;
                    continue;
                }

                // A regular token: a number, a name or a keyword. An integer ends at its last digit when a keyword follows
                // at once, as PdfPig's lenient tokenizer reads it ("2 0obj", "5 0R"; found by fuzzing).
                var start = i;
                if (b == '/') i++;
                while (i < c.Length && !IsWhite(c[i]) && !IsDelimiter(c[i]))
                {
                    if (b is >= (byte)'0' and <= (byte)'9' && c[i] is (byte)'o' or (byte)'R' && IsInteger(c[start..i])) break;
                    i++;
                }
                var token = c[start..i];
                if (token[0] is >= (byte)'0' and <= (byte)'9' && IsInteger(token))
                {
                    secondLastInt = lastInt;
                    secondLastIntStart = lastIntStart;
                    lastInt = ParseInt(token);
                    lastIntStart = start;
                    continue;
                }
                if (token.SequenceEqual("obj"u8) && secondLastInt >= 0 && lastInt >= 0)
                {
                    if (++_objectCount > limits.MaxPdfObjects)
                        throw TooLarge($"The PDF has more than {N(limits.MaxPdfObjects)} objects, the limit of Engine:Limits:MaxPdfObjects.");
                    // The previous object had no endobj (damaged, or built to hide from a scan): it ends where this one starts.
                    if (objectNumber >= 0 && objectStart >= 0 && secondLastIntStart >= objectStart)
                        Remember(objectNumber, c[objectStart..secondLastIntStart], null);
                    objectNumber = (int)Math.Min(secondLastInt, int.MaxValue);
                    objectStart = i;
                    depth = 0; // an object starts at the top level, whatever damage came before
                }
                else if (token.SequenceEqual("endobj"u8))
                {
                    if (objectNumber >= 0 && objectStart >= 0)
                        Remember(objectNumber, c[objectStart..start], null);
                    objectNumber = objectStart = -1;
                    depth = 0;
                }
                else if (token.SequenceEqual("stream"u8))
                {
                    // Outside an object (a damaged file) the data is still skipped: binary bytes are not structure.
                    var dictionary = objectStart >= 0 ? c[objectStart..start] : [];
                    var dataStart = i;
                    if (dataStart < c.Length && c[dataStart] == '\r') dataStart++;
                    if (dataStart < c.Length && c[dataStart] == '\n') dataStart++;
                    var dataEnd = StreamEnd(c, dataStart, dictionary, out var resumeAt);
                    if (objectStart >= 0)
                    {
                        // Streams are decoded after the pass, when every object (a /Filter, /Width or /FunctionType given
                        // by reference to a later object) is known.
                        Remember(objectNumber, dictionary, null, stream: true);
                        _streams.Add((objectNumber, dataStart, dataEnd));
                    }
                    // A stream with no endstream at all (damaged): PdfPig reads its data up to endobj and still finds the
                    // objects after it, so the scan goes on inside the data rather than skipping it (found by fuzzing).
                    i = resumeAt;
                    objectNumber = objectStart = -1;
                    depth = 0;
                }
                lastInt = secondLastInt = -1;
            }
        }

        private static string InObject(int number) => number >= 0 ? $", object {number}" : "";

        /// <summary>The end of a stream's data: by a direct /Length when endstream follows it, else the next endstream, and
        /// where the scan goes on (<paramref name="resumeAt"/>). PdfPig reads a stream whose /Length is wrong up to endobj and
        /// finds the objects after it by the cross-reference table, so the scan must see them too (found by fuzzing: forms
        /// drawing each other, hidden there from the loop check, overflowed PdfPig's stack): when an endobj comes before
        /// the next endstream, the data ends there and the scan goes on at that endobj; with no endstream at all, the
        /// data ends at the next endobj and the scan goes on inside it.</summary>
        private static int StreamEnd(ReadOnlySpan<byte> c, int dataStart, ReadOnlySpan<byte> dictionary, out int resumeAt)
        {
            const int EndStream = 9; // "endstream".Length
            if (Value(dictionary, "Length") is { Kind: ValueKind.Integer } length && length.Integer >= 0 && dataStart + length.Integer <= c.Length)
            {
                var after = (int)(dataStart + length.Integer);
                var probe = after;
                while (probe < c.Length && IsWhite(c[probe])) probe++;
                if (c[probe..].StartsWith("endstream"u8))
                {
                    resumeAt = Math.Min(c.Length, after + EndStream);
                    return after;
                }
            }
            var end = c[dataStart..].IndexOf("endstream"u8);
            var endobj = c[dataStart..].IndexOf("endobj"u8);
            if (end >= 0 && (endobj < 0 || endobj > end))
            {
                resumeAt = Math.Min(c.Length, dataStart + end + EndStream);
                return dataStart + end;
            }
            if (end >= 0)
            {
                resumeAt = dataStart + endobj;
                return dataStart + endobj;
            }
            resumeAt = dataStart;
            return endobj < 0 ? c.Length : dataStart + endobj;
        }

        private void Remember(int number, ReadOnlySpan<byte> dictionary, Dictionary<string, long>? draws, bool stream = false)
        {
            // The last definition wins, as in an incremental update.
            _objects[number] = new PdfObject(number, dictionary.ToArray()) { Draws = draws, IsStream = stream };
        }

        /// <summary>Object streams first (the objects they hold may be referred to by other streams' dictionaries), then the rest.</summary>
        public void ProcessStreams(ReadOnlySpan<byte> c)
        {
            var streams = _streams
                .Where(t => _objects.TryGetValue(t.Number, out var o) && o.IsStream)
                .Select(t => (t.Number, t.DataStart, t.DataEnd, Dictionary: _objects[t.Number].Dictionary))
                .OrderBy(t => Name(t.Dictionary, "Type") == "ObjStm" ? 0 : 1)
                .ToList();
            foreach (var (number, dataStart, dataEnd, dictionary) in streams)
                Stream(number, dictionary, c[dataStart..dataEnd]);
        }

        private void Stream(int number, byte[] dictionary, ReadOnlySpan<byte> data)
        {
            var filters = Filters(Direct(Value(dictionary, "Filter")));
            var subtype = Subtype(dictionary);
            if (subtype == "Image")
            {
                _images++;
                CheckImage(number, dictionary);
            }

            // Only what is read afterwards is kept: forms (fan-out), object streams, functions; the rest is only measured.
            var type = Name(dictionary, "Type");
            // Only PostScript functions are text; others hold binary samples. A type that cannot be resolved counts as PostScript.
            var function = Integer(dictionary, "FunctionType") is 4 || (Value(dictionary, "FunctionType") is { Kind: ValueKind.Reference } && Integer(dictionary, "FunctionType") is null);
            // A stream without /Type or /Subtype may be a page's content: its Do operators count too.
            var content = subtype is null && type is null && !function;
            // Function and object-stream data are kept (they are read whole below); content is only streamed past a Do counter.
            var keep = type == "ObjStm" || function;
            var counter = subtype == "Form" || content ? new DoCounter() : null;
            byte[]? decoded = null;
            if (filters is { Count: 0 })
            {
                decoded = keep ? data.ToArray() : null;
                counter?.Feed(data);
            }
            else if (filters is not null)
            {
                decoded = Decode(number, data, filters, keep, counter);
            }

            Remember(number, dictionary, counter?.Finish(), stream: true);
            if (decoded is null) return;

            if (function)
                CheckFunction(number, decoded);
            if (type == "ObjStm")
                ObjectStream(number, dictionary, decoded);
        }

        /// <summary>
        /// Decodes a filter chain of ASCIIHex, ASCII85, RunLength (all shrink or grow at most 128×, bounded anyway) and
        /// FlateDecode (bounded inflate); null when a filter is not one of them (LZW, images' codecs): left to PdfPig.
        /// </summary>
        private byte[]? Decode(int number, ReadOnlySpan<byte> data, List<string> filters, bool keep, DoCounter? counter)
        {
            byte[]? current = null;
            for (var k = 0; k < filters.Count; k++)
            {
                var input = current is null ? data : current;
                var last = k == filters.Count - 1;
                switch (filters[k])
                {
                    case "FlateDecode" or "Fl":
                        current = Inflate(number, input, keep || !last, last ? counter : null);
                        if (last) return current;
                        if (current is null) return null;
                        break;
                    case "ASCIIHexDecode" or "AHx":
                        current = AsciiHex(input);
                        break;
                    case "ASCII85Decode" or "A85":
                        current = Ascii85(input);
                        break;
                    case "RunLengthDecode" or "RL":
                        current = RunLength(input, Math.Min(limits.MaxStreamBytes, limits.MaxTotalStreamBytes - _decoded), number);
                        break;
                    default:
                        return null;
                }
            }
            if (current is not null) counter?.Feed(current);
            return keep ? current : null;
        }

        private byte[] RunLength(ReadOnlySpan<byte> data, long budget, int number)
        {
            using var output = new MemoryStream();
            var i = 0;
            while (i < data.Length)
            {
                int n = data[i++];
                if (n == 128) break;
                if (n < 128)
                {
                    var count = Math.Min(n + 1, data.Length - i);
                    output.Write(data.Slice(i, count));
                    i += count;
                }
                else if (i < data.Length)
                {
                    var b = data[i++];
                    for (var r = 0; r < 257 - n; r++) output.WriteByte(b);
                }
                if (output.Length > budget)
                    throw TooLarge($"Stream object {number} of the PDF decodes to more than {N(limits.MaxStreamBytes / (1024 * 1024))} MB, " +
                                   "the limit of Engine:Limits:MaxStreamBytes.");
            }
            _decoded += output.Length;
            return output.ToArray();
        }

        /// <summary>Inflates with a bounded output; the data is kept only when it is needed afterwards.</summary>
        private unsafe byte[]? Inflate(int number, ReadOnlySpan<byte> data, bool keep, DoCounter? counter = null)
        {
            // An empty stream: `fixed` gives a null pointer, which UnmanagedMemoryStream refuses (found by fuzzing).
            if (data.IsEmpty) return keep ? [] : null;
            fixed (byte* pointer = data)
            {
                using var input = new UnmanagedMemoryStream(pointer, data.Length);
                return Inflate(number, input, keep, counter);
            }
        }

        private byte[]? Inflate(int number, Stream input, bool keep, DoCounter? counter)
        {
            var budget = Math.Min(limits.MaxStreamBytes, limits.MaxTotalStreamBytes - _decoded);
            using var output = keep ? new MemoryStream() : null;
            var buffer = new byte[64 * 1024];
            long total = 0;
            try
            {
                using var z = new ZLibStream(input, CompressionMode.Decompress);
                int n;
                while ((n = z.Read(buffer)) > 0)
                {
                    total += n;
                    if (total > budget)
                    {
                        _decoded += total;
                        throw total > limits.MaxStreamBytes || _decoded <= limits.MaxTotalStreamBytes
                            ? TooLarge($"Stream object {number} of the PDF decompresses to more than {N(limits.MaxStreamBytes / (1024 * 1024))} MB, " +
                                       "the limit of Engine:Limits:MaxStreamBytes (a decompression bomb).")
                            : TooLarge($"The PDF's streams decompress to more than {N(limits.MaxTotalStreamBytes / (1024 * 1024))} MB together, " +
                                       "the limit of Engine:Limits:MaxTotalStreamBytes.");
                    }
                    output?.Write(buffer, 0, n);
                    counter?.Feed(buffer.AsSpan(0, n));
                }
            }
            catch (Exception e) when (e is InvalidDataException or IOException)
            {
                // Damaged or encrypted data: what was inflated so far counts, the rest is PdfPig's to judge. zlib reports
                // some damage as ZLibException (an IOException), not InvalidDataException (found by fuzzing).
            }
            _decoded += total;
            return output?.ToArray();
        }

        private void CheckImage(int number, ReadOnlySpan<byte> dictionary)
        {
            if (Subtype(dictionary) != "Image") return;
            var width = Integer(dictionary, "Width") ?? Integer(dictionary, "W");
            var height = Integer(dictionary, "Height") ?? Integer(dictionary, "H");
            if (width is not { } w || height is not { } h) return;
            var pixels = w * h;
            if (w > 0 && h > 0 && (pixels > limits.MaxPdfImagePixels || w > int.MaxValue || h > int.MaxValue))
                throw new DocumentException(DocumentErrorCode.TooManyPixels,
                    $"The PDF embeds an image (object {number}) of {N(w)} x {N(h)} pixels ({N(pixels)} pixels), more than the limit of " +
                    $"{N(limits.MaxPdfImagePixels)} pixels (Engine:Limits:MaxPdfImagePixels). Scan or export it at a lower resolution " +
                    "(300 dpi is plenty for OCR) and submit it again.")
                { MimeType = MimeType };
        }

        /// <summary>The brace depth of a PostScript calculator function, without recursion.</summary>
        private void CheckFunction(int number, ReadOnlySpan<byte> code)
        {
            var depth = 0;
            foreach (var b in code)
            {
                if (b == '{')
                {
                    depth++;
                    if (depth > _maxFunctionNesting) _maxFunctionNesting = depth;
                    if (depth > limits.MaxFunctionNesting)
                        throw TooLarge($"A PostScript function of the PDF (object {number}) nests more than {N(limits.MaxFunctionNesting)} levels deep, " +
                                       "beyond the limit of Engine:Limits:MaxFunctionNesting; such nesting crashes PDF readers.");
                }
                else if (b == '}' && depth > 0)
                {
                    depth--;
                }
            }
        }

        /// <summary>The objects packed in an object stream: counted, nesting checked, remembered for reference lookups.</summary>
        private void ObjectStream(int number, ReadOnlySpan<byte> dictionary, byte[] decoded)
        {
            var count = Integer(dictionary, "N") ?? 0;
            var first = Integer(dictionary, "First") ?? 0;
            if (count <= 0 || first <= 0 || first > decoded.Length) return;
            if (_objectCount + count > limits.MaxPdfObjects)
                throw TooLarge($"The PDF has more than {N(limits.MaxPdfObjects)} objects (object stream {number} holds {N(count)}), " +
                               "the limit of Engine:Limits:MaxPdfObjects.");
            _objectCount += (int)count;

            // The header: pairs of object number and offset (relative to /First).
            var header = decoded.AsSpan(0, (int)first);
            var numbers = new List<(long Number, long Offset)>();
            var at = 0;
            while (numbers.Count < count && NextInteger(header, ref at) is { } objNum && NextInteger(header, ref at) is { } offset)
                numbers.Add((objNum, offset));

            var body = decoded.AsSpan((int)first);
            CheckNesting(number, body);
            for (var k = 0; k < numbers.Count; k++)
            {
                var from = numbers[k].Offset;
                var to = k + 1 < numbers.Count ? numbers[k + 1].Offset : body.Length;
                if (from < 0 || to > body.Length || from > to || numbers[k].Number is < 0 or > int.MaxValue) continue;
                var objNum = (int)numbers[k].Number;
                if (!_objects.ContainsKey(objNum) || !_objects[objNum].IsStream)
                    Remember(objNum, body[(int)from..(int)to], null);
            }
        }

        private void CheckNesting(int number, ReadOnlySpan<byte> c)
        {
            var depth = 0;
            for (var i = 0; i < c.Length; i++)
            {
                var b = c[i];
                if (b == '(') { i = SkipString(c, i) - 1; continue; }
                if (b == '%') { while (i < c.Length && c[i] is not ((byte)'\n' or (byte)'\r')) i++; continue; }
                var open = b == '[' || (b == '<' && i + 1 < c.Length && c[i + 1] == '<');
                var close = b == ']' || (b == '>' && i + 1 < c.Length && c[i + 1] == '>');
                if (open)
                {
                    depth++;
                    if (depth > _maxNesting) _maxNesting = depth;
                    if (depth > limits.MaxPdfNesting)
                        throw TooLarge($"The PDF nests dictionaries or arrays more than {N(limits.MaxPdfNesting)} levels deep (object stream {number}), " +
                                       "beyond the limit of Engine:Limits:MaxPdfNesting; such nesting is only found in files built to crash PDF readers.");
                    if (b == '<') i++;
                }
                else if (close)
                {
                    if (depth > 0) depth--;
                    if (b == '>') i++;
                }
                else if (b == '<')
                {
                    var end = c[i..].IndexOf((byte)'>');
                    i = end < 0 ? c.Length : i + end;
                }
            }
        }

        /// <summary>
        /// How many XObjects each form paints when drawn, counting what the forms it draws paint in turn; refuses a loop
        /// (a form that ends up drawing itself) and a count above the limit. Iterative (an explicit stack), memoised.
        /// </summary>
        private Dictionary<int, long> CheckFanOut(List<PdfObject> forms, out Dictionary<string, HashSet<int>> global)
        {
            var formNumbers = forms.Select(f => f.Number).ToHashSet();
            // Names a form draws (with how many times) and what they resolve to; a form without its own /Resources uses its
            // page's, so its names are looked up in every XObject dictionary of the file (the worst case is taken).
            global = new Dictionary<string, HashSet<int>>(StringComparer.Ordinal);
            var paints = new Dictionary<int, long>();
            if (forms.Count == 0) return paints;
            foreach (var o in _objects.Values)
                if (XObjectMap(o.Dictionary) is { } map)
                    foreach (var (name, target) in map)
                        (global.TryGetValue(name, out var set) ? set : global[name] = []).Add(target);
            var edges = new Dictionary<int, List<(int Target, long Times)>>();
            var paintsOfImages = new Dictionary<int, long>();
            foreach (var form in forms)
            {
                var uses = form.Draws ?? [];
                var map = XObjectMap(form.Dictionary);
                var list = new List<(int, long)>();
                long direct = 0;
                foreach (var (name, times) in uses)
                {
                    direct += times;
                    // A name missing from the form's own /Resources is looked up in the enclosing ones (PdfPig keeps a stack
                    // of resource dictionaries): a form drawing itself by its page's name for it overflowed PdfPig's stack
                    // (found by fuzzing), so such a name resolves like one of a form without /Resources.
                    IEnumerable<int> targets = map is not null && map.TryGetValue(name, out var t)
                        ? [t]
                        : global.TryGetValue(name, out var set) ? set : [];
                    foreach (var target in targets)
                        if (formNumbers.Contains(target)) list.Add((target, times));
                }
                edges[form.Number] = list;
                paintsOfImages[form.Number] = direct;
            }

            // paints(f) = Σ over Do operators of 1 + paints(target form); iterative post-order with loop detection.
            var state = new Dictionary<int, byte>(); // 1 = on the stack, 2 = done
            foreach (var root in formNumbers)
            {
                if (state.ContainsKey(root)) continue;
                var stack = new Stack<(int Form, int Next)>();
                stack.Push((root, 0));
                state[root] = 1;
                while (stack.Count > 0)
                {
                    var (form, next) = stack.Pop();
                    var children = edges[form];
                    if (next < children.Count)
                    {
                        stack.Push((form, next + 1));
                        var child = children[next].Target;
                        if (state.TryGetValue(child, out var s))
                        {
                            if (s == 1)
                                throw TooLarge($"The PDF's form XObjects draw each other in a loop (object {form} draws object {child}, " +
                                               "which leads back to it); such files are built to hang PDF readers.");
                            continue;
                        }
                        state[child] = 1;
                        stack.Push((child, 0));
                        continue;
                    }
                    long total = paintsOfImages[form];
                    foreach (var (target, times) in children)
                        total = Saturate(total, Saturate(times, paints[target], multiply: true), multiply: false);
                    paints[form] = total;
                    state[form] = 2;
                    if (total > _maxPaints) _maxPaints = total;
                    if (total > limits.MaxXObjectPaints)
                        throw TooLarge($"Form XObject {form} of the PDF paints {(total == long.MaxValue ? "an astronomical number of" : N(total))} " +
                                       $"XObjects once the forms it draws are counted (fan-out), more than the limit of {N(limits.MaxXObjectPaints)} " +
                                       "(Engine:Limits:MaxXObjectPaints); such files are built to hang PDF readers.");
                }
            }
            return paints;
        }

        /// <summary>What each page's content streams paint: Σ over its Do operators of 1 + what the drawn form paints.</summary>
        private void CheckPages(Dictionary<int, long> paints, Dictionary<string, HashSet<int>> global)
        {
            foreach (var page in _objects.Values)
            {
                if (Name(page.Dictionary, "Type") != "Page") continue;
                var contents = Value(page.Dictionary, "Contents");
                List<long> streams = contents switch
                {
                    { Kind: ValueKind.Reference } r => [r.Integer],
                    { Kind: ValueKind.Array, Raw: { } raw } => References(raw),
                    _ => [],
                };
                var map = XObjectMap(page.Dictionary);
                long total = 0;
                foreach (var number in streams)
                {
                    if (number > int.MaxValue || !_objects.TryGetValue((int)number, out var stream) || stream.Draws is null) continue;
                    foreach (var (name, times) in stream.Draws)
                    {
                        IEnumerable<int> targets = map is not null && map.TryGetValue(name, out var t)
                            ? [t]
                            : global.TryGetValue(name, out var set) ? set : [];
                        var most = targets.Select(t => paints.GetValueOrDefault(t)).DefaultIfEmpty(0).Max();
                        total = Saturate(total, Saturate(times, Saturate(most, 1, multiply: false), multiply: true), multiply: false);
                    }
                }
                if (total > _maxPaints) _maxPaints = total;
                if (total > limits.MaxXObjectPaints)
                    throw TooLarge($"A page of the PDF (object {page.Number}) paints {(total == long.MaxValue ? "an astronomical number of" : N(total))} " +
                                   $"XObjects once the forms it draws are counted, more than the limit of {N(limits.MaxXObjectPaints)} " +
                                   "(Engine:Limits:MaxXObjectPaints); such files are built to hang PDF readers.");
            }
        }

        /// <summary>The object numbers of "N G R" references in an array's raw bytes.</summary>
        private static List<long> References(byte[] raw)
        {
            var list = new List<long>();
            var i = 1;
            while (i < raw.Length - 1)
            {
                var value = ReadValue(raw, ref i);
                if (value.Kind == ValueKind.Reference) list.Add(value.Integer);
                while (i < raw.Length && (IsWhite(raw[i]) || raw[i] == ']')) i++;
            }
            return list;
        }

        private static long Saturate(long a, long b, bool multiply)
        {
            try
            {
                return multiply ? checked(a * b) : checked(a + b);
            }
            catch (OverflowException)
            {
                return long.MaxValue;
            }
        }

        /// <summary>The XObject names of a form's /Resources (inline or one reference deep, twice), or null when it has none.</summary>
        private Dictionary<string, int>? XObjectMap(ReadOnlySpan<byte> dictionary)
        {
            var resources = Resolve(Value(dictionary, "Resources"));
            if (resources is null) return null;
            var xobjects = Resolve(Value(resources, "XObject"));
            if (xobjects is null) return new Dictionary<string, int>(StringComparer.Ordinal);
            var map = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var (key, value) in Entries(xobjects))
                if (value.Kind == ValueKind.Reference && value.Integer <= int.MaxValue)
                    map[key] = (int)value.Integer;
            return map;
        }

        /// <summary>A dictionary value's bytes: inline, or the dictionary of the object it refers to.</summary>
        private byte[]? Resolve(PdfValue? value) => value switch
        {
            { Kind: ValueKind.Dictionary } v => v.Raw,
            { Kind: ValueKind.Reference } v when v.Integer <= int.MaxValue && _objects.TryGetValue((int)v.Integer, out var o) => o.Dictionary,
            _ => null,
        };

        /// <summary>The value a reference points to (the first value of that object), or the value itself.</summary>
        private PdfValue? Direct(PdfValue? value)
        {
            if (value is not { Kind: ValueKind.Reference } r || r.Integer > int.MaxValue || !_objects.TryGetValue((int)r.Integer, out var o))
                return value;
            var body = o.Dictionary;
            var at = 0;
            while (at < body.Length && IsWhite(body[at])) at++;
            return at < body.Length ? ReadValue(body, ref at) : value;
        }

        /// <summary>An integer entry, direct or through a reference to an object holding just the number.</summary>
        private long? Integer(ReadOnlySpan<byte> dictionary, string key)
        {
            var value = Value(dictionary, key);
            if (value is { Kind: ValueKind.Integer }) return value.Integer;
            if (value is { Kind: ValueKind.Reference } r && r.Integer <= int.MaxValue && _objects.TryGetValue((int)r.Integer, out var o))
            {
                var at = 0;
                return NextInteger(o.Dictionary, ref at);
            }
            return null;
        }
    }

    private static byte[] AsciiHex(ReadOnlySpan<byte> data)
    {
        var output = new List<byte>(data.Length / 2);
        var high = -1;
        foreach (var b in data)
        {
            if (b == '>') break;
            var v = b switch
            {
                >= (byte)'0' and <= (byte)'9' => b - '0',
                >= (byte)'a' and <= (byte)'f' => b - 'a' + 10,
                >= (byte)'A' and <= (byte)'F' => b - 'A' + 10,
                _ => -1,
            };
            if (v < 0) continue;
            if (high < 0) high = v;
            else { output.Add((byte)(high * 16 + v)); high = -1; }
        }
        if (high >= 0) output.Add((byte)(high * 16));
        return [.. output];
    }

    private static byte[] Ascii85(ReadOnlySpan<byte> data)
    {
        var output = new List<byte>(data.Length);
        Span<int> group = stackalloc int[5];
        var n = 0;
        var i = data.StartsWith("<~"u8) ? 2 : 0;
        for (; i < data.Length; i++)
        {
            var b = data[i];
            if (b == '~') break;
            if (b == 'z' && n == 0) { output.AddRange([0, 0, 0, 0]); continue; }
            if (b is < (byte)'!' or > (byte)'u') continue;
            group[n++] = b - '!';
            if (n == 5) { Flush(group, 5, output); n = 0; }
        }
        if (n > 1)
        {
            for (var k = n; k < 5; k++) group[k] = 84;
            Flush(group, n, output);
        }
        return [.. output];

        static void Flush(Span<int> g, int count, List<byte> output)
        {
            uint value = 0;
            foreach (var d in g) value = unchecked(value * 85 + (uint)d);
            for (var k = 0; k < count - 1; k++) output.Add((byte)(value >> (24 - 8 * k)));
        }
    }

    /// <summary>
    /// Counts how often each name is drawn with the Do operator in a content stream, fed in chunks as it is inflated (nothing
    /// of the stream is kept). Strings and inline image data are skipped as PdfPig skips them.
    /// </summary>
    private sealed class DoCounter
    {
        private readonly Dictionary<string, long> _counts = new(StringComparer.Ordinal);
        private readonly byte[] _token = new byte[128];
        private int _length;
        private bool _overlong;
        private string? _lastName;
        private int _stringDepth;
        private bool _escape;
        private bool _inlineImage;

        public void Feed(ReadOnlySpan<byte> chunk)
        {
            foreach (var b in chunk)
            {
                if (_inlineImage)
                {
                    if (EndsInlineImage(b)) _inlineImage = false;
                    continue;
                }
                if (_stringDepth > 0)
                {
                    if (_escape) _escape = false;
                    else if (b == '\\') _escape = true;
                    else if (b == '(') _stringDepth++;
                    else if (b == ')') _stringDepth--;
                    continue;
                }
                if (IsWhite(b) || IsDelimiter(b))
                {
                    EndToken();
                    if (b == '/') Append(b);
                    else if (b == '(') { _stringDepth = 1; _lastName = null; }
                    continue;
                }
                Append(b);
            }
        }

        private byte _previous2, _previous1; // the last two bytes of inline image data, for finding "EI"

        /// <summary>Inline image data ends at whitespace, "EI", whitespace.</summary>
        private bool EndsInlineImage(byte b)
        {
            var end = IsWhite(b) && _previous1 == 'I' && _previous2 == 'E';
            _previous2 = _previous1;
            _previous1 = b;
            return end;
        }

        public Dictionary<string, long> Finish()
        {
            EndToken();
            return _counts;
        }

        private void Append(byte b)
        {
            if (_length < _token.Length) _token[_length++] = b;
            else _overlong = true;
        }

        private void EndToken()
        {
            if (_length == 0) return;
            var token = _token.AsSpan(0, _length);
            if (token[0] == '/')
            {
                _lastName = _overlong ? null : Encoding.Latin1.GetString(token[1..]);
            }
            else
            {
                if (!_overlong && _lastName is not null && token.SequenceEqual("Do"u8))
                    _counts[_lastName] = _counts.GetValueOrDefault(_lastName) + 1;
                else if (!_overlong && token.SequenceEqual("ID"u8))
                {
                    _inlineImage = true;
                    _previous1 = _previous2 = 0;
                }
                _lastName = null;
            }
            _length = 0;
            _overlong = false;
        }
    }

    // ---- a one-level dictionary reader (no recursion: nested values are kept as raw bytes) ----

    private enum ValueKind { Integer, Real, Reference, Name, Dictionary, Array, Other }

    private sealed record PdfValue(ValueKind Kind, long Integer, string? Name, byte[]? Raw);

    private static string? Subtype(ReadOnlySpan<byte> dictionary) => Name(dictionary, "Subtype");

    private static string? Name(ReadOnlySpan<byte> dictionary, string key) =>
        Value(dictionary, key) is { Kind: ValueKind.Name } v ? v.Name : null;

    /// <summary>The filter names, empty for none, null when they cannot be told.</summary>
    private static List<string>? Filters(PdfValue? value)
    {
        if (value is null) return [];
        if (value.Kind == ValueKind.Name) return [value.Name!];
        if (value.Kind != ValueKind.Array) return null;
        var names = new List<string>();
        // An array cut off by the end of the data has no closing ']' (a "[" alone crashed this; found by fuzzing).
        var raw = value.Raw.AsSpan(1);
        if (raw.Length > 0 && raw[^1] == ']') raw = raw[..^1];
        var i = 0;
        while (i < raw.Length)
        {
            if (raw[i] == '/')
            {
                var start = ++i;
                while (i < raw.Length && !IsWhite(raw[i]) && !IsDelimiter(raw[i])) i++;
                names.Add(Encoding.Latin1.GetString(raw[start..i]));
            }
            else if (IsWhite(raw[i])) i++;
            else return null;
        }
        return names;
    }

    /// <summary>The top-level entries of the first dictionary in <paramref name="raw"/>.</summary>
    private static List<(string Key, PdfValue Value)> Entries(ReadOnlySpan<byte> raw)
    {
        var entries = new List<(string, PdfValue)>();
        var open = raw.IndexOf("<<"u8);
        if (open < 0) return entries;
        var i = open + 2;
        while (i < raw.Length)
        {
            while (i < raw.Length && IsWhite(raw[i])) i++;
            if (i >= raw.Length || raw[i] == '>') break;
            if (raw[i] == '%') { while (i < raw.Length && raw[i] is not ((byte)'\n' or (byte)'\r')) i++; continue; }
            if (raw[i] != '/') { i = SkipValue(raw, i); continue; } // damaged: skip what is there
            var start = ++i;
            while (i < raw.Length && !IsWhite(raw[i]) && !IsDelimiter(raw[i])) i++;
            var key = Encoding.Latin1.GetString(raw[start..i]);
            while (i < raw.Length && IsWhite(raw[i])) i++;
            var valueStart = i;
            var value = ReadValue(raw, ref i);
            entries.Add((key, value));
            if (i == valueStart) i++;
        }
        return entries;
    }

    private static PdfValue? Value(ReadOnlySpan<byte> raw, string key)
    {
        foreach (var (k, v) in Entries(raw))
            if (k == key) return v;
        return null;
    }

    private static PdfValue ReadValue(ReadOnlySpan<byte> raw, ref int i)
    {
        if (i >= raw.Length) return new PdfValue(ValueKind.Other, 0, null, null);
        var b = raw[i];
        if (b == '/')
        {
            var start = ++i;
            while (i < raw.Length && !IsWhite(raw[i]) && !IsDelimiter(raw[i])) i++;
            return new PdfValue(ValueKind.Name, 0, Encoding.Latin1.GetString(raw[start..i]), null);
        }
        if (b == '[' || (b == '<' && i + 1 < raw.Length && raw[i + 1] == '<'))
        {
            var start = i;
            i = SkipValue(raw, i);
            return new PdfValue(b == '[' ? ValueKind.Array : ValueKind.Dictionary, 0, null, raw[start..i].ToArray());
        }
        if (b is (>= (byte)'0' and <= (byte)'9') or (byte)'-' or (byte)'+' or (byte)'.')
        {
            var at = i;
            if (NextInteger(raw, ref at) is { } n)
            {
                // "12 0 R" is a reference.
                var probe = at;
                if (NextInteger(raw, ref probe) is not null)
                {
                    while (probe < raw.Length && IsWhite(raw[probe])) probe++;
                    if (probe < raw.Length && raw[probe] == 'R' && (probe + 1 == raw.Length || IsWhite(raw[probe + 1]) || IsDelimiter(raw[probe + 1])))
                    {
                        i = probe + 1;
                        return new PdfValue(ValueKind.Reference, n, null, null);
                    }
                }
                i = at;
                return new PdfValue(ValueKind.Integer, n, null, null);
            }
            while (i < raw.Length && !IsWhite(raw[i]) && !IsDelimiter(raw[i])) i++;
            return new PdfValue(ValueKind.Real, 0, null, null);
        }
        i = SkipValue(raw, i);
        return new PdfValue(ValueKind.Other, 0, null, null);
    }

    /// <summary>Skips one value: a balanced dictionary or array (iteratively), a string, or a token.</summary>
    private static int SkipValue(ReadOnlySpan<byte> c, int i)
    {
        if (i >= c.Length) return c.Length;
        if (c[i] == '(') return SkipString(c, i);
        if (c[i] == '<' && !(i + 1 < c.Length && c[i + 1] == '<'))
        {
            var end = c[i..].IndexOf((byte)'>');
            return end < 0 ? c.Length : i + end + 1;
        }
        if (c[i] == '[' || c[i] == '<')
        {
            var depth = 0;
            while (i < c.Length)
            {
                var b = c[i];
                if (b == '(') { i = SkipString(c, i); continue; }
                if (b == '[') { depth++; i++; }
                else if (b == '<' && i + 1 < c.Length && c[i + 1] == '<') { depth++; i += 2; }
                else if (b == '<') { var end = c[i..].IndexOf((byte)'>'); i = end < 0 ? c.Length : i + end + 1; }
                else if (b == ']') { depth--; i++; }
                else if (b == '>' && i + 1 < c.Length && c[i + 1] == '>') { depth--; i += 2; }
                else i++;
                if (depth == 0) return i;
            }
            return c.Length;
        }
        if (IsDelimiter(c[i])) return i + 1;
        while (i < c.Length && !IsWhite(c[i]) && !IsDelimiter(c[i])) i++;
        return i;
    }

    /// <summary>The next integer token from <paramref name="i"/> (skipping whitespace), or null when the next token is not one.</summary>
    private static long? NextInteger(ReadOnlySpan<byte> c, ref int i)
    {
        var at = i;
        while (at < c.Length && IsWhite(c[at])) at++;
        var start = at;
        if (at < c.Length && c[at] is (byte)'+' or (byte)'-') at++;
        while (at < c.Length && c[at] is >= (byte)'0' and <= (byte)'9') at++;
        // "5 0R": PdfPig's lenient tokenizer reads the R after the digits as a separate keyword.
        if (at == start || (at < c.Length && !IsWhite(c[at]) && !IsDelimiter(c[at]) && c[at] != 'R')) return null;
        var token = c[start..at];
        if (!long.TryParse(token, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n)) return null;
        i = at;
        return n;
    }

    private static bool IsInteger(ReadOnlySpan<byte> token)
    {
        if (token.Length > 18) return false;
        foreach (var b in token)
            if (b is < (byte)'0' or > (byte)'9') return false;
        return true;
    }

    private static long ParseInt(ReadOnlySpan<byte> token)
    {
        long n = 0;
        foreach (var b in token) n = n * 10 + (b - '0');
        return n;
    }

    /// <summary>Skips a literal string (balanced parentheses, backslash escapes); returns the index after it.</summary>
    private static int SkipString(ReadOnlySpan<byte> c, int i)
    {
        var depth = 0;
        while (i < c.Length)
        {
            var b = c[i];
            if (b == '\\') { i += 2; continue; }
            if (b == '(') depth++;
            else if (b == ')' && --depth == 0) return i + 1;
            i++;
        }
        return c.Length;
    }

    private static bool IsWhite(byte b) => b is 0 or 9 or 10 or 12 or 13 or 32;

    private static bool IsDelimiter(byte b) => b is (byte)'(' or (byte)')' or (byte)'<' or (byte)'>' or (byte)'[' or (byte)']'
        or (byte)'{' or (byte)'}' or (byte)'/' or (byte)'%';
}
