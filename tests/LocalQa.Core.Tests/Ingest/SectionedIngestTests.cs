using System.Text;
using LocalQa.Core.Chunking;
using LocalQa.Core.Documents;
using LocalQa.Core.Index;
using LocalQa.Core.Ingest;
using LocalQa.Core.Retrieval;

namespace LocalQa.Core.Tests.Ingest;

/// <summary>
/// Plain text past the streaming threshold is read, chunked and stored a section at a time. The
/// thresholds here are tiny so that a few hundred kilobytes make many sections.
/// </summary>
public sealed class SectionedIngestTests
{
    private static readonly LoadOptions Small = new() { StreamingThresholdBytes = 10_000, SectionChars = 8_192 };

    private static string WriteArticle(TempFolder folder, string name, int paragraphs, string marker = "")
    {
        var text = new StringBuilder("The Qwertyuiop Harbour Log\n\n");
        var rng = new Random(7);
        string[] words = ["harbour", "boat", "lighthouse", "storm", "captain", "net", "fish", "tide", "keeper", "rope"];
        for (var p = 0; p < paragraphs; p++)
        {
            if (p % 40 == 0) text.Append("Chapter ").Append(p / 40 + 1).Append("\n\n");
            for (var s = 0; s < 5; s++)
            {
                text.Append("The ").Append(words[rng.Next(words.Length)]).Append(' ').Append(p).Append('.').Append(s);
                for (var w = 0; w < 12; w++) text.Append(' ').Append(words[rng.Next(words.Length)]);
                text.Append(". ");
            }
            text.Length--;
            text.Append("\n\n");
        }
        text.Append("The last paragraph names the ").Append(marker).Append(" of the harbour.\n");
        return folder.Write(name, text.ToString());
    }

    private static IngestOptions Options(bool prune = false) => new() { Load = Small, Prune = prune };

    [Fact]
    public async Task A_large_file_is_stored_in_sections_whose_chunks_point_into_the_whole_document_text()
    {
        using var folder = new TempFolder();
        var path = WriteArticle(folder, "log.txt", 600, "zanzibarite");
        using var index = LocalQaIndex.Open(Path.Combine(folder.Path, "index.db"));
        var progress = new List<IngestProgress>();
        var report = await new Ingestor(index, new Chunker()).IngestAsync([path], Options(), new SyncProgress(progress.Add), TestContext.Current.CancellationToken);

        Assert.Equal(1, report.Added);
        var sections = progress.Where(p => p.CurrentBytes > 0).ToList();
        Assert.True(sections.Count > 10, $"{sections.Count} section reports");
        Assert.True(sections.Select(p => p.CurrentBytesDone).SequenceEqual(sections.Select(p => p.CurrentBytesDone).Order()), "bytes read never go back");
        Assert.True(sections.Select(p => p.Chunks).Distinct().Count() > 10, "the chunk count moves while the file is read");

        // The same file loaded whole (no cleaning rule fires on it) is the text the offsets point into.
        var whole = DocumentLoader.Load(path, cancellationToken: TestContext.Current.CancellationToken).Document!;
        var doc = Assert.Single(index.ListDocuments());
        Assert.Equal(whole.Title, doc.Title);
        Assert.Equal(whole.ContentHash, doc.ContentHash);
        var chunks = index.GetNeighbours(doc.Id, 0, before: 0, after: doc.ChunkCount);
        Assert.Equal(doc.ChunkCount, chunks.Count);
        Assert.Equal(Enumerable.Range(0, chunks.Count), chunks.Select(c => c.Ordinal));
        var end = 0;
        foreach (var c in chunks)
        {
            Assert.Equal(whole.Text.Substring(c.Start, c.Length), c.Text);
            Assert.True(c.Start <= end || string.IsNullOrWhiteSpace(whole.Text[end..c.Start]), $"text skipped before chunk {c.Ordinal}");
            Assert.InRange(c.TokenCount, 1, 256);
            end = Math.Max(end, c.Start + c.Length);
        }
        Assert.Equal(whole.Text.Length, end);
        // Chunks of later sections keep the heading they sit under, set in an earlier section.
        Assert.All(chunks.Where(c => c.Start > Small.SectionChars), c => Assert.StartsWith("Chapter", c.Heading ?? "", StringComparison.Ordinal));
        Assert.Contains(Retriever.SearchFullText(index, "zanzibarite", 3), h => h.Chunk.DocumentPath == path);
        // The title, known only once the first section is read, is indexed with every chunk.
        Assert.Equal(5, Retriever.SearchFullText(index, "qwertyuiop", 5).Count(h => h.Chunk.DocumentPath == path));
        Assert.True(index.IntegrityCheck().IsOk);
    }

    [Fact]
    public async Task An_unchanged_large_file_is_skipped_and_a_changed_one_replaced()
    {
        using var folder = new TempFolder();
        var path = WriteArticle(folder, "log.txt", 300, "firstmarker");
        using var index = LocalQaIndex.Open(Path.Combine(folder.Path, "index.db"));
        var ingestor = new Ingestor(index, new Chunker());
        await ingestor.IngestAsync([folder.Path], Options(), null, TestContext.Current.CancellationToken);
        var chunks = index.Stats().Chunks;

        var again = await ingestor.IngestAsync([folder.Path], Options(), null, TestContext.Current.CancellationToken);
        Assert.Equal((0, 0, 1), (again.Added, again.Updated, again.Unchanged));
        Assert.Equal(chunks, index.Stats().Chunks);

        WriteArticle(folder, "log.txt", 200, "secondmarker");
        var changed = await ingestor.IngestAsync([folder.Path], Options(), null, TestContext.Current.CancellationToken);
        Assert.Equal(1, changed.Updated);
        Assert.Empty(Retriever.SearchFullText(index, "firstmarker", 3));
        Assert.NotEmpty(Retriever.SearchFullText(index, "secondmarker", 3));
        Assert.True(index.Stats().Chunks < chunks);
    }

    [Fact]
    public async Task A_large_file_stopped_half_way_leaves_the_previous_version_whole()
    {
        using var folder = new TempFolder();
        var path = WriteArticle(folder, "log.txt", 300, "oldmarker");
        using var index = LocalQaIndex.Open(Path.Combine(folder.Path, "index.db"));
        var ingestor = new Ingestor(index, new Chunker());
        await ingestor.IngestAsync([path], Options(), null, TestContext.Current.CancellationToken);
        var before = Assert.Single(index.ListDocuments());

        WriteArticle(folder, "log.txt", 900, "newmarker");
        using var stop = new CancellationTokenSource();
        var sections = 0;
        var progress = new SyncProgress(p =>
        {
            if (p.CurrentBytes > 0 && ++sections == 5) stop.Cancel();
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ingestor.IngestAsync([path], Options(), progress, stop.Token));

        var after = Assert.Single(index.ListDocuments());
        Assert.Equal((before.ContentHash, before.ChunkCount, before.Title), (after.ContentHash, after.ChunkCount, after.Title));
        Assert.NotEmpty(Retriever.SearchFullText(index, "oldmarker", 3));
        Assert.True(index.IntegrityCheck().IsOk);

        var completed = await ingestor.IngestAsync([path], Options(), null, TestContext.Current.CancellationToken);
        Assert.Equal(1, completed.Updated);
        Assert.NotEmpty(Retriever.SearchFullText(index, "newmarker", 3));
    }

    [Fact]
    public async Task Two_copies_of_a_large_file_read_in_sections_are_grouped_as_near_duplicates()
    {
        using var folder = new TempFolder();
        var first = WriteArticle(folder, "a.txt", 300, "onemarker");
        var second = WriteArticle(folder, "b.txt", 300, "othermarker");
        var other = folder.Write("c.txt", string.Join("\n\n", Enumerable.Range(0, 2_000).Select(i => $"Unrelated line {i} about gardens, roses {i * 7} and spring rain.")));
        using var index = LocalQaIndex.Open(Path.Combine(folder.Path, "index.db"));
        await new Ingestor(index, new Chunker()).IngestAsync([folder.Path], Options(), null, TestContext.Current.CancellationToken);

        var docs = index.ListDocuments().ToDictionary(d => d.Path);
        Assert.Equal(docs[first].DuplicateGroup, docs[second].DuplicateGroup);
        Assert.NotEqual(docs[first].DuplicateGroup, docs[other].DuplicateGroup);
    }

    [Fact]
    public async Task A_large_binary_or_empty_file_is_skipped_with_a_warning_naming_it()
    {
        using var folder = new TempFolder();
        var binary = folder.Write("data.txt", [.. "%PDF-1.7\n"u8, .. new byte[50_000]]);
        var blank = folder.Write("blank.txt", new string('\n', 50_000));
        using var index = LocalQaIndex.Open(Path.Combine(folder.Path, "index.db"));
        var report = await new Ingestor(index, new Chunker()).IngestAsync([folder.Path], Options(), null, TestContext.Current.CancellationToken);

        Assert.Equal(2, report.Skipped);
        Assert.Contains(report.Warnings, w => w.Path == binary && w.Message.Contains("PDF", StringComparison.Ordinal));
        Assert.Contains(report.Warnings, w => w.Path == blank && w.Message.Contains("no text", StringComparison.Ordinal));
        Assert.Empty(index.ListDocuments());
    }

    [Fact]
    public void Lines_longer_than_the_limit_are_broken_at_spaces_and_nothing_is_lost()
    {
        using var folder = new TempFolder();
        var line = string.Join(' ', Enumerable.Range(0, 20_000).Select(i => $"w{i}"));
        var path = folder.Write("line.txt", line + "\n\nA short closing line.\n");
        var lines = new List<string>();
        using (var stream = File.OpenRead(path))
        {
            SourceReader.ReadSections(stream, 4_096, 1_000, lines.AddRange, TestContext.Current.CancellationToken);
        }

        Assert.All(lines, l => Assert.InRange(l.Length, 0, 1_000));
        var pieces = lines.TakeWhile(l => l.Length > 0).ToList();
        Assert.True(pieces.Count > 100);
        Assert.Equal(line, string.Concat(pieces).TrimEnd());
        Assert.All(pieces[..^1], p => Assert.EndsWith(" ", p, StringComparison.Ordinal));
        Assert.Equal("A short closing line.", lines[^1]);
    }

    /// <summary>Reports on the calling thread: <see cref="Progress{T}"/> would post to the thread pool.</summary>
    private sealed class SyncProgress(Action<IngestProgress> report) : IProgress<IngestProgress>
    {
        public void Report(IngestProgress value) => report(value);
    }
}
