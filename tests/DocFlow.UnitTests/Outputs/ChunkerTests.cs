using DocFlow.Documents;
using DocFlow.Outputs;

namespace DocFlow.UnitTests.Outputs;

public sealed class ChunkerTests
{
    [Fact]
    public void Chunks_start_at_headings_and_carry_their_heading_path_page_span_and_boxes()
    {
        var document = TestDocuments.Report();
        var chunks = Chunker.Chunk(document).Chunks!;
        Assert.Equal(["c1", "c2"], chunks.Select(c => c.ChunkId));
        Assert.StartsWith("# Annual Review\n\nThis review covers", chunks[0].Content, StringComparison.Ordinal);
        Assert.StartsWith("# Annual Review\n\n### Results and plans\n\n- First point made", chunks[1].Content, StringComparison.Ordinal);
        Assert.Equal((1, 1), (chunks[0].PageSpan!.PageStart, chunks[0].PageSpan!.PageEnd));
        Assert.Equal((1, 2), (chunks[1].PageSpan!.PageStart, chunks[1].PageSpan!.PageEnd));
        // Running headers and footers are not content: they ride along as pageHeaders/pageFooters.
        Assert.DoesNotContain("ACME Quarterly Report", chunks[1].Content, StringComparison.Ordinal);
        Assert.Equal(["Page 1 of 2", "Page 2 of 2"], chunks[1].PageFooters!.Select(f => f.Text));
        Assert.Equal([0L, 1L], chunks[1].PageRefs!.Select(r => r.Page));
        var box = chunks[1].PageRefs![0].BoundingPoly!.Vertices!;
        Assert.Equal(200, box[0].X);   // the list's left edge
        Assert.True(box[2].Y >= 1870); // down to the table's last row
    }

    [Theory]
    [InlineData(100, 10)]
    [InlineData(60, 0)]
    [InlineData(500, 50)]
    public void No_chunk_is_over_the_size_limit_and_split_sections_overlap(int size, int overlap)
    {
        var document = TestDocuments.Long(paragraphs: 12, words: 35);
        var chunks = Chunker.Chunk(document, new ChunkingOptions { ChunkSize = size, Overlap = overlap }).Chunks!;
        Assert.All(chunks, c => Assert.True(Chunker.Words(c.Content!) <= size, $"{c.ChunkId}: {Chunker.Words(c.Content!)} words > {size}"));
        var body = chunks.Select(c => c.Content!.Split("\n\n", 2)[1].Split((char[])[' ', '\n'], StringSplitOptions.RemoveEmptyEntries)).ToList();
        // Every word of the document is in some chunk, in order.
        var all = body.SelectMany(b => b).Distinct().ToList();
        Assert.Equal(Enumerable.Range(0, 12 * 35).Select(i => $"w{i}"), all);
        if (size >= 500) { Assert.Single(chunks); return; }
        Assert.True(chunks.Count > 1);
        for (var i = 1; i < body.Count; i++)
        {
            if (overlap == 0)
            {
                Assert.NotEqual(body[i - 1][^1], body[i][0]);
                continue;
            }
            // The next chunk begins with the last `overlap` words of the previous one.
            Assert.Equal(body[i - 1][^overlap..], body[i][..overlap]);
        }
    }

    [Theory]
    [InlineData(10, 0)]
    [InlineData(100, 50)]
    [InlineData(100, -1)]
    public void Bad_options_are_refused(int size, int overlap) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Chunker.Chunk(TestDocuments.Long(1, 5), new ChunkingOptions { ChunkSize = size, Overlap = overlap }));

    [Fact]
    public void The_chunks_serialise_as_document_ai_chunked_document()
    {
        var document = TestDocuments.Report();
        document.ChunkedDocument = Chunker.Chunk(document);
        var json = DocumentJson.Serialize(document);
        Assert.Contains("\"chunkedDocument\":{\"chunks\":[{\"chunkId\":\"c1\",\"content\":", json, StringComparison.Ordinal);
        Assert.Contains("\"pageSpan\":{\"pageStart\":1,\"pageEnd\":2}", json, StringComparison.Ordinal);
        Assert.Contains("\"pageFooters\":[{\"text\":\"Page 1 of 2\",\"pageSpan\":{\"pageStart\":1,\"pageEnd\":1}}", json, StringComparison.Ordinal);
        var back = DocumentJson.Deserialize(json);
        Assert.Equal(document.ChunkedDocument.Chunks!.Count, back.ChunkedDocument!.Chunks!.Count);
    }
}
