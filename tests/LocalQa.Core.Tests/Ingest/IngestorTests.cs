using LocalQa.Core.Ai;
using LocalQa.Core.Chunking;
using LocalQa.Core.Index;
using LocalQa.Core.Ingest;
using LocalQa.Llama;

namespace LocalQa.Core.Tests.Ingest;

public sealed class IngestorTests(CoreModelsFixture models) : IClassFixture<CoreModelsFixture>
{
    private static string CopySeeds()
    {
        var dir = Directory.CreateTempSubdirectory("localqa-ingest-").FullName;
        foreach (var f in Directory.GetFiles(TestPaths.SeedsFolder)) File.Copy(f, Path.Combine(dir, Path.GetFileName(f)));
        return dir;
    }

    [Fact]
    public async Task Re_ingesting_an_unchanged_folder_changes_nothing_and_edits_and_deletions_are_applied()
    {
        var dir = CopySeeds();
        using var index = LocalQaIndex.Open(models.NewIndexPath());
        var ingestor = new Ingestor(index, new Chunker());
        var first = await ingestor.IngestAsync([dir]);
        Assert.Equal(5, first.Added);
        Assert.True(first.LexicalOnly);
        var chunks = index.Stats().Chunks;

        var again = await ingestor.IngestAsync([dir]);
        Assert.Equal((0, 0, 5, 0), (again.Added, again.Updated, again.Unchanged, again.Removed));
        Assert.Equal(chunks, index.Stats().Chunks);

        var edited = Directory.GetFiles(dir)[0];
        File.AppendAllText(edited, "\n\nA new closing paragraph about the harbour of Tarnby and its forty boats.\n");
        File.Delete(Directory.GetFiles(dir)[1]);
        var kept = await ingestor.IngestAsync([dir]);
        Assert.Equal((0, 1, 3, 0), (kept.Added, kept.Updated, kept.Unchanged, kept.Removed));
        Assert.Equal(5, index.Stats().Documents);

        var pruned = await ingestor.IngestAsync([dir], new IngestOptions { Prune = true });
        Assert.Equal(1, pruned.Removed);
        Assert.Equal(4, index.Stats().Documents);
        Assert.Contains(global::LocalQa.Core.Retrieval.Retriever.SearchFullText(index, "Tarnby harbour boats", 3), h => h.Chunk.DocumentPath == edited);
        Assert.True(index.IntegrityCheck().IsOk);
    }

    [Fact]
    public async Task An_edit_that_keeps_the_file_size_is_still_seen_and_a_symlinked_file_stays_unchanged()
    {
        // The size is only a shortcut for "changed": equal sizes must still be hashed.
        var dir = Directory.CreateTempSubdirectory("localqa-ingest-").FullName;
        var note = Path.Combine(dir, "note.txt");
        File.WriteAllText(note, "The ferry to Tarnby leaves at nine.\n");
        var target = Path.Combine(Directory.CreateTempSubdirectory("localqa-target-").FullName, "linked.txt");
        File.Copy(Directory.GetFiles(TestPaths.SeedsFolder)[0], target);
        File.CreateSymbolicLink(Path.Combine(dir, "linked.txt"), target);
        using var index = LocalQaIndex.Open(models.NewIndexPath());
        var ingestor = new Ingestor(index, new Chunker());
        Assert.Equal(2, (await ingestor.IngestAsync([dir])).Added);

        File.WriteAllText(note, "The ferry to Tarnby leaves at five.\n");
        Assert.Equal("The ferry to Tarnby leaves at nine.\n".Length, new FileInfo(note).Length);
        var again = await ingestor.IngestAsync([dir]);
        Assert.Equal((0, 1, 1), (again.Added, again.Updated, again.Unchanged));
        Assert.Contains(global::LocalQa.Core.Retrieval.Retriever.SearchFullText(index, "ferry leaves five", 3), h => h.Chunk.Text.Contains("at five", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_large_file_read_in_sections_gets_a_vector_for_every_chunk_equal_to_embedding_it_alone()
    {
        var dir = Directory.CreateTempSubdirectory("localqa-large-embed-").FullName;
        var path = Path.Combine(dir, "log.txt");
        File.WriteAllText(path, string.Join("\n\n", Enumerable.Range(0, 400).Select(i =>
            $"Entry {i}. The keeper counted {i % 97} boats in the harbour at dusk. The tide turned at {i % 12} o'clock and the lamp was lit.")));
        using var index = LocalQaIndex.Open(models.NewIndexPath());
        using var embedModel = LlamaModel.Load(models.EmbedPath);
        using var embedder = new LlamaEmbeddingGenerator(embedModel, new EmbedderOptions { Threads = 2 });
        var load = new global::LocalQa.Core.Documents.LoadOptions { StreamingThresholdBytes = 1_000, SectionChars = 4_096 };
        var report = await new Ingestor(index, new Chunker(), embedder, "model-a").IngestAsync([path], new IngestOptions { Load = load });

        var stats = index.Stats();
        Assert.Equal(1, report.Added);
        Assert.True(stats.Chunks > 10, $"{stats.Chunks} chunks");
        Assert.Equal(stats.Chunks, report.Embedded);
        Assert.Empty(index.ChunksWithoutEmbeddings("model-a"));
        // Spot-check the last chunk: its stored vector is the one its text gets on its own.
        var doc = Assert.Single(index.ListDocuments());
        var last = Assert.Single(index.GetNeighbours(doc.Id, doc.ChunkCount - 1, before: 0, after: 0));
        var hit = Assert.Single(global::LocalQa.Core.Retrieval.VectorStore.Load(index, "model-a").Search(embedder.Embedder.Embed([last.Text])[0], 1));
        Assert.Equal(last.Id, hit.ChunkId);
        Assert.True(hit.Score > 0.9999f, $"cosine {hit.Score}");
    }

    [Fact]
    public async Task Bad_files_are_skipped_with_warnings_naming_them_and_the_rest_ingests()
    {
        var dir = Directory.CreateTempSubdirectory("localqa-bad-").FullName;
        File.WriteAllText(Path.Combine(dir, "good.txt"), "A good article\n\nThe harbour has forty boats and a lighthouse.\n");
        File.WriteAllBytes(Path.Combine(dir, "binary.txt"), [0x7F, (byte)'E', (byte)'L', (byte)'F', 0, 0, 1, 2, 0, 0]);
        File.WriteAllBytes(Path.Combine(dir, "empty.txt"), []);
        File.WriteAllBytes(Path.Combine(dir, "latin1.txt"), [.. "Caf"u8, 0xE9, .. " cr\u00e8me is good and the harbour is calm.\n"u8]);
        // Links that lead nowhere are found by the folder walk but cannot be opened.
        File.CreateSymbolicLink(Path.Combine(dir, "loop-a.txt"), Path.Combine(dir, "loop-b.txt"));
        File.CreateSymbolicLink(Path.Combine(dir, "loop-b.txt"), Path.Combine(dir, "loop-a.txt"));
        File.CreateSymbolicLink(Path.Combine(dir, "broken.txt"), Path.Combine(dir, "gone", "away.txt"));
        using var index = LocalQaIndex.Open(models.NewIndexPath());
        var report = await new Ingestor(index, new Chunker()).IngestAsync([dir]);
        Assert.Contains(report.Warnings, w => w.Path.EndsWith("binary.txt", StringComparison.Ordinal));
        Assert.Contains(report.Warnings, w => w.Path.EndsWith("empty.txt", StringComparison.Ordinal));
        foreach (var link in new[] { "loop-a.txt", "loop-b.txt", "broken.txt" })
            Assert.Contains(report.Warnings, w => w.Path.EndsWith(link, StringComparison.Ordinal));
        // Every file named in a "skipped" warning is counted as skipped: the summary line must agree.
        Assert.Equal((2, 5), (report.Added, report.Skipped));
        // Each skipped file once: the skip reason used to come back among the loader's warnings as well.
        var skippedFiles = new[] { "binary.txt", "empty.txt", "loop-a.txt", "loop-b.txt", "broken.txt" };
        Assert.All(skippedFiles, f => Assert.Single(report.Warnings, w => w.Path.EndsWith(f, StringComparison.Ordinal)));
        Assert.Contains(index.ListDocuments(), d => d.Path.EndsWith("good.txt", StringComparison.Ordinal));
        Assert.Contains(index.ListDocuments(), d => d.Path.EndsWith("latin1.txt", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Embeddings_are_stored_at_ingest_and_a_new_embedding_model_re_embeds_only_vectors()
    {
        var dir = CopySeeds();
        using var index = LocalQaIndex.Open(models.NewIndexPath());
        using var embedModel = LlamaModel.Load(models.EmbedPath);
        using var embedder = new LlamaEmbeddingGenerator(embedModel, new EmbedderOptions { Threads = 2 });
        var report = await new Ingestor(index, new Chunker(), embedder, "model-a").IngestAsync([dir]);
        Assert.False(report.LexicalOnly);
        var stats = index.Stats();
        Assert.Equal(stats.Chunks, stats.Embeddings.Single(e => e.ModelId == "model-a").EmbeddedChunks);
        var chunkIds = index.ListDocuments().Select(d => d.Id).ToArray();

        var second = await new Ingestor(index, new Chunker(), embedder, "model-b").IngestAsync([dir]);
        Assert.Equal(5, second.Unchanged);
        Assert.Equal(stats.Chunks, second.Embedded);
        Assert.Equal(chunkIds, index.ListDocuments().Select(d => d.Id).ToArray());
        Assert.Equal(stats.Chunks, index.Stats().Embeddings.Single(e => e.ModelId == "model-b").EmbeddedChunks);
    }

    /// <summary>
    /// Ingest depends on the Microsoft.Extensions.AI abstraction, not on LocalQa's engine: a generator
    /// of another kind (here a counting stand-in, as a remote server would be) fills the index too.
    /// </summary>
    [Fact]
    public async Task Any_embedding_generator_fills_the_index_in_batches()
    {
        var dir = CopySeeds();
        using var index = LocalQaIndex.Open(models.NewIndexPath());
        using var generator = new CountingGenerator(dimensions: 8);
        var report = await new Ingestor(index, new Chunker(), generator, "elsewhere").IngestAsync([dir], new IngestOptions { EmbedBatch = 4 });
        var stored = index.Stats().Embeddings.Single(e => e.ModelId == "elsewhere");
        Assert.Equal(index.Stats().Chunks, stored.EmbeddedChunks);
        Assert.Equal(8, stored.Dimensions);
        Assert.Equal(report.Embedded, generator.Texts);
        Assert.All(generator.BatchSizes, size => Assert.InRange(size, 1, 4));
    }

    private sealed class CountingGenerator(int dimensions) : Microsoft.Extensions.AI.IEmbeddingGenerator<string, Microsoft.Extensions.AI.Embedding<float>>
    {
        public int Texts { get; private set; }

        public List<int> BatchSizes { get; } = [];

        public Task<Microsoft.Extensions.AI.GeneratedEmbeddings<Microsoft.Extensions.AI.Embedding<float>>> GenerateAsync(
            IEnumerable<string> values, Microsoft.Extensions.AI.EmbeddingGenerationOptions? options = null, CancellationToken cancellationToken = default)
        {
            var texts = values.ToArray();
            BatchSizes.Add(texts.Length);
            Texts += texts.Length;
            var result = new Microsoft.Extensions.AI.GeneratedEmbeddings<Microsoft.Extensions.AI.Embedding<float>>(
                texts.Select(t => new Microsoft.Extensions.AI.Embedding<float>(Enumerable.Range(0, dimensions).Select(i => (float)((t.Length + i) % 7)).ToArray())));
            return Task.FromResult(result);
        }

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose() { }
    }

    [Fact]
    public async Task A_missing_path_is_bad_input_naming_it()
    {
        using var index = LocalQaIndex.Open(models.NewIndexPath());
        var ex = await Assert.ThrowsAnyAsync<InvalidInputException>(() => new Ingestor(index, new Chunker()).IngestAsync(["/no/such/folder"]));
        Assert.Contains("/no/such/folder", ex.Message, StringComparison.Ordinal);
    }
}
