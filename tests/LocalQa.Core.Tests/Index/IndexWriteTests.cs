using System.Collections;
using System.Runtime.InteropServices;
using LocalQa.Core.Documents;
using LocalQa.Core.Index;
using Microsoft.Data.Sqlite;
using Xunit;

namespace LocalQa.Core.Tests.Index;

public sealed class IndexWriteTests : IDisposable
{
    private const string ModelA = "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa";
    private const string ModelB = "bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb";

    private readonly TempFolder _folder = new();
    private readonly FixedTime _time = new(new DateTimeOffset(2025, 12, 1, 9, 0, 0, TimeSpan.Zero));
    private readonly LocalQaIndex _index;

    public IndexWriteTests() => _index = LocalQaIndex.Open(_folder.IndexPath, _time);

    public void Dispose()
    {
        _index.Dispose();
        _folder.Dispose();
    }

    [Fact]
    public void Upsert_replace_and_remove_keep_counts_and_full_text_in_step()
    {
        var first = Upsert("/docs/animals.txt", Paragraphs("aardvark", 3));
        Upsert("/docs/zoo.txt", Paragraphs("zebra", 2));
        Assert.Equal((2, 5), Counts());
        Assert.Equal(3, _index.SearchFullText("\"aardvark\"", 10).Count);
        Assert.Equal(3, _index.CountFullText("\"aardvark\""));
        Assert.Equal(5, _index.CountFullText("\"aardvark\" OR \"zebra\""));

        var replaced = Upsert("/docs/animals.txt", Paragraphs("okapi", 1));

        Assert.Equal(first.DocumentId, replaced.DocumentId);
        Assert.Equal((2, 3), Counts());
        Assert.Empty(_index.SearchFullText("\"aardvark\"", 10));
        Assert.Equal(0, _index.CountFullText("\"aardvark\""));
        var okapi = Assert.Single(_index.SearchFullText("\"okapi\"", 10));
        Assert.Equal("/docs/animals.txt", okapi.Chunk.DocumentPath);
        Assert.Equal(replaced.ChunkIds[0], okapi.Chunk.ChunkId);
        Assert.True(_index.IntegrityCheck().IsOk);

        Assert.True(_index.RemoveDocument("/docs/zoo.txt"));
        Assert.False(_index.RemoveDocument("/docs/zoo.txt"));
        Assert.Equal((1, 1), Counts());
        Assert.Empty(_index.SearchFullText("\"zebra\"", 10));
        Assert.True(_index.IntegrityCheck().IsOk);
    }

    [Fact]
    public void Listed_documents_carry_what_was_ingested()
    {
        var text = Paragraphs("heron", 2);
        var modified = new DateTimeOffset(2025, 3, 4, 5, 6, 7, TimeSpan.Zero);
        var document = IndexTestData.MakeDocument("/docs/birds.md", text, "Birds of the marsh", modified);
        _index.UpsertDocument(document, IndexTestData.ParagraphChunks(text, 20));

        var listed = Assert.Single(_index.ListDocuments());

        Assert.Equal("/docs/birds.md", listed.Path);
        Assert.Equal("Birds of the marsh", listed.Title);
        Assert.Equal(document.ContentHash, listed.ContentHash);
        Assert.Equal(document.SizeBytes, listed.SizeBytes);
        Assert.Equal(modified, listed.ModifiedUtc);
        Assert.Equal(_time.GetUtcNow(), listed.IngestedUtc);
        Assert.Equal(2, listed.ChunkCount);
        Assert.Equal(listed, _index.GetDocument("/docs/birds.md"));
        Assert.Null(_index.GetDocument("/docs/none.md"));
    }

    [Fact]
    public void The_stored_hash_tells_whether_a_file_changed()
    {
        var document = Upsert("/docs/a.txt", Paragraphs("lynx", 1));
        var hash = _index.ListDocuments()[0].ContentHash;

        Assert.True(_index.TryGetDocumentHash("/docs/a.txt", out var stored));
        Assert.Equal(hash, stored);
        Assert.False(_index.TryGetDocumentHash("/docs/b.txt", out var missing));
        Assert.Null(missing);
        Assert.NotEqual(0, document.DocumentId);
    }

    [Fact]
    public void Prune_removes_documents_whose_files_are_gone()
    {
        Upsert("/docs/a.txt", Paragraphs("alpha", 1));
        Upsert("/docs/b.txt", Paragraphs("bravo", 1));
        Upsert("/docs/c.txt", Paragraphs("charlie", 1));

        var removed = _index.Prune(["/docs/b.txt", "/docs/new.txt"]);

        Assert.Equal(["/docs/a.txt", "/docs/c.txt"], removed);
        Assert.Equal(["/docs/b.txt"], _index.ListDocuments().Select(d => d.Path));
        Assert.Empty(_index.SearchFullText("\"alpha\" OR \"charlie\"", 10));
        Assert.True(_index.IntegrityCheck().IsOk);
    }

    [Fact]
    public void A_replacement_whose_chunk_list_fails_leaves_the_old_document_whole()
    {
        var oldText = Paragraphs("walrus", 3);
        var old = Upsert("/docs/sea.txt", oldText, Embeddings(ModelA, 3, 8));
        var newText = Paragraphs("narwhal", 4);
        var newDocument = IndexTestData.MakeDocument("/docs/sea.txt", newText);
        var failing = new FailingChunkList(IndexTestData.ParagraphChunks(newText, 20), failAt: 2);

        Assert.Throws<InvalidOperationException>(() => _index.UpsertDocument(newDocument, failing));

        AssertStillOld(old, oldText);
    }

    [Fact]
    public void A_replacement_whose_embedding_write_fails_leaves_the_old_document_whole()
    {
        var oldText = Paragraphs("walrus", 3);
        var old = Upsert("/docs/sea.txt", oldText, Embeddings(ModelA, 3, 8));
        var newText = Paragraphs("narwhal", 4);
        var newDocument = IndexTestData.MakeDocument("/docs/sea.txt", newText);
        var vectors = Embeddings(ModelA, 4, 8).Vectors.ToArray();
        vectors[3] = new float[7];

        Assert.Throws<ArgumentException>(() =>
            _index.UpsertDocument(newDocument, IndexTestData.ParagraphChunks(newText, 20), new ChunkEmbeddings(ModelA, 8, vectors)));

        AssertStillOld(old, oldText);
    }

    [Fact]
    public void A_first_upsert_that_fails_leaves_no_trace()
    {
        var text = Paragraphs("ibis", 3);
        var failing = new FailingChunkList(IndexTestData.ParagraphChunks(text, 20), failAt: 1);

        Assert.Throws<InvalidOperationException>(() => _index.UpsertDocument(IndexTestData.MakeDocument("/docs/x.txt", text), failing));

        Assert.Equal((0, 0), Counts());
        Assert.Empty(_index.SearchFullText("\"ibis\"", 10));
        Assert.False(_index.TryGetDocumentHash("/docs/x.txt", out _));
        Assert.True(_index.IntegrityCheck().IsOk);
    }

    [Fact]
    public void Chunks_out_of_order_or_outside_the_text_are_refused()
    {
        var text = Paragraphs("gecko", 2);
        var document = IndexTestData.MakeDocument("/docs/g.txt", text);
        var chunks = IndexTestData.ParagraphChunks(text, 20);

        Assert.Throws<ArgumentException>(() => _index.UpsertDocument(document, [chunks[1] with { Ordinal = 0 }, chunks[0] with { Ordinal = 1 }, chunks[0]]));
        Assert.Throws<ArgumentException>(() => _index.UpsertDocument(document, [chunks[0] with { Length = text.Length + 1 }]));
        Assert.Equal((0, 0), Counts());
    }

    [Fact]
    public void Embeddings_are_stored_and_read_back_bit_exact()
    {
        float[] special = [0f, -0f, float.Epsilon, -float.Epsilon, float.MaxValue, float.MinValue, 1e-38f, 1.0000001f];
        var random = new Random(42);
        var vectors = Enumerable.Range(0, 3)
            .Select(i => i == 0 ? special : Enumerable.Range(0, 8).Select(_ => (float)(random.NextDouble() * 2 - 1) * MathF.Pow(10, random.Next(-20, 20))).ToArray())
            .ToArray();
        var result = Upsert("/docs/v.txt", Paragraphs("vector", 3), new ChunkEmbeddings(ModelA, 8, vectors));

        using var connection = IndexSchemaTests.OpenRaw(_folder.IndexPath);
        for (var i = 0; i < vectors.Length; i++)
        {
            using var command = connection.CreateCommand();
            command.CommandText = "SELECT vector, dimensions FROM embeddings WHERE chunk_id = $id AND model_id = $model";
            command.Parameters.AddWithValue("$id", result.ChunkIds[i]);
            command.Parameters.AddWithValue("$model", ModelA);
            using var reader = command.ExecuteReader();
            Assert.True(reader.Read());
            Assert.Equal(MemoryMarshal.AsBytes(vectors[i].AsSpan()).ToArray(), (byte[])reader.GetValue(0));
            Assert.Equal(8, reader.GetInt32(1));
        }

        _index.ReadEmbeddingMatrix(ModelA, out var ids, out var matrix, out var dimensions);
        Assert.Equal(8, dimensions);
        Assert.Equal(result.ChunkIds, ids);
        Assert.Equal(
            vectors.SelectMany(v => v).Select(BitConverter.SingleToInt32Bits),
            matrix.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void A_new_embedding_model_needs_only_vectors_not_text()
    {
        var first = Upsert("/docs/a.txt", Paragraphs("otter", 2), Embeddings(ModelA, 2, 4));
        var second = Upsert("/docs/b.txt", Paragraphs("beaver", 3));

        Assert.Equal(second.ChunkIds, _index.ChunksWithoutEmbeddings(ModelA).Select(c => c.Id));
        Assert.Equal(first.ChunkIds.Concat(second.ChunkIds), _index.ChunksWithoutEmbeddings(ModelB).Select(c => c.Id));

        var pending = _index.ChunksWithoutEmbeddings(ModelB);
        Assert.Equal(5, _index.StoreEmbeddings(ModelB, 6, pending.Select(c => (c.Id, new float[] { 1, 2, 3, 4, 5, c.Id })).ToList()));

        Assert.Empty(_index.ChunksWithoutEmbeddings(ModelB));
        var stats = _index.Stats();
        Assert.Equal(5, stats.Chunks);
        Assert.Equal([new EmbeddingModelStats(ModelA, 4, 2), new EmbeddingModelStats(ModelB, 6, 5)], stats.Embeddings);

        Assert.Equal(2, _index.RemoveEmbeddingsExcept(ModelB));
        Assert.Equal([new EmbeddingModelStats(ModelB, 6, 5)], _index.Stats().Embeddings);

        Upsert("/docs/b.txt", Paragraphs("beaver dam", 1));
        Assert.Single(_index.ChunksWithoutEmbeddings(ModelB));
        Assert.Equal(2, _index.Stats().Embeddings[0].EmbeddedChunks);
    }

    [Fact]
    public void Storing_vectors_for_a_missing_chunk_writes_none_of_them()
    {
        var result = Upsert("/docs/a.txt", Paragraphs("marten", 2));

        Assert.Throws<SqliteException>(() => _index.StoreEmbeddings(ModelA, 2, [(result.ChunkIds[0], [1f, 2f]), (999_999, [3f, 4f])]));

        Assert.Empty(_index.Stats().Embeddings);
    }

    [Fact]
    public void Vectors_of_one_model_keep_one_dimension()
    {
        var result = Upsert("/docs/a.txt", Paragraphs("stoat", 2), Embeddings(ModelA, 2, 4));

        Assert.Throws<ArgumentException>(() => _index.StoreEmbeddings(ModelA, 3, [(result.ChunkIds[0], [1f, 2f, 3f])]));
        Assert.Throws<ArgumentException>(() => _index.StoreEmbeddings(ModelA, 4, [(result.ChunkIds[0], [1f, float.NaN, 3f, 4f])]));
    }

    [Fact]
    public void Chunks_and_their_neighbours_are_found_by_ordinal()
    {
        var result = Upsert("/docs/n.txt", Paragraphs("mole", 4));

        var chunk = _index.GetChunk(result.DocumentId, 2);
        Assert.NotNull(chunk);
        Assert.Equal(result.ChunkIds[2], chunk.Id);
        Assert.Contains("mole 2", chunk.Text, StringComparison.Ordinal);
        Assert.Null(_index.GetChunk(result.DocumentId, 4));
        Assert.Equal([1, 2, 3], _index.GetNeighbours(result.DocumentId, 2).Select(c => c.Ordinal));
        Assert.Equal([0, 1], _index.GetNeighbours(result.DocumentId, 0).Select(c => c.Ordinal));
        Assert.Equal([0, 1, 2, 3], _index.GetNeighbours(result.DocumentId, 3, before: 5, after: 5).Select(c => c.Ordinal));
    }

    [Fact]
    public void A_reader_queries_while_a_writer_is_inside_a_document_transaction()
    {
        Upsert("/docs/old.txt", Paragraphs("badger", 2));
        using var reader = LocalQaIndex.Open(_folder.IndexPath);
        var seenDuringWrite = new List<int>();
        var text = Paragraphs("ferret", 3);
        var chunks = new CallbackChunkList(IndexTestData.ParagraphChunks(text, 20), atIndex: 2, () =>
        {
            seenDuringWrite.Add(reader.ListDocuments().Count);
            seenDuringWrite.Add(reader.SearchFullText("\"badger\"", 10).Count);
            seenDuringWrite.Add(reader.SearchFullText("\"ferret\"", 10).Count);
        });

        _index.UpsertDocument(IndexTestData.MakeDocument("/docs/new.txt", text), chunks);

        Assert.Equal([1, 2, 0], seenDuringWrite);
        Assert.Equal(2, reader.ListDocuments().Count);
        Assert.Equal(3, reader.SearchFullText("\"ferret\"", 10).Count);
    }

    [Fact]
    public void The_integrity_check_reports_damage()
    {
        var result = Upsert("/docs/a.txt", Paragraphs("vole", 3), Embeddings(ModelA, 3, 4));
        Assert.True(_index.IntegrityCheck().IsOk);

        using (var connection = IndexSchemaTests.OpenRaw(_folder.IndexPath))
        {
            IndexSchemaTests.Execute(connection, $"UPDATE embeddings SET vector = x'0102' WHERE chunk_id = {result.ChunkIds[0]}");
            IndexSchemaTests.Execute(connection, $"DELETE FROM chunks_fts WHERE rowid = {result.ChunkIds[1]}");
        }

        var report = _index.IntegrityCheck();

        Assert.False(report.IsOk);
        Assert.Contains(report.Problems, p => p.Contains("full-text index holds 2 entries for 3 chunks", StringComparison.Ordinal));
        Assert.Contains(report.Problems, p => p.Contains("1 vectors", StringComparison.Ordinal));
    }

    [Fact]
    public void Stats_count_documents_chunks_and_duplicate_groups()
    {
        Upsert("/news/original.txt", Stories.Original);
        Upsert("/news/copy.txt", Stories.SyndicatedCopy);
        Upsert("/news/tram.txt", Stories.Unrelated);

        var stats = _index.Stats();

        Assert.Equal(3, stats.Documents);
        Assert.Equal(1, stats.DuplicateGroups);
        Assert.Equal(_index.ListDocuments().Sum(d => d.ChunkCount), stats.Chunks);
    }

    [Fact]
    public void Documents_of_a_batch_are_seen_by_other_readers_only_once_it_commits()
    {
        using var reader = LocalQaIndex.Open(_folder.IndexPath);
        using (var batch = _index.BeginBatch(maxDocuments: 3, maxAge: TimeSpan.FromHours(1)))
        {
            Upsert("/docs/a.txt", Paragraphs("otter", 1));
            Upsert("/docs/b.txt", Paragraphs("beaver", 1));
            // The writer sees its own pending documents (ingest asks for their hashes); others don't yet.
            Assert.True(_index.TryGetDocumentHash("/docs/b.txt", out _));
            Assert.Equal(2, _index.ListDocuments().Count);
            Assert.Empty(reader.ListDocuments());
            Assert.Equal(2, batch.Pending);

            Upsert("/docs/c.txt", Paragraphs("vole", 1)); // the third fills the batch: committed
            Assert.Equal(3, reader.ListDocuments().Count);
            Upsert("/docs/d.txt", Paragraphs("shrew", 1));
            Assert.Equal(3, reader.ListDocuments().Count);
        }

        Assert.Equal(4, reader.ListDocuments().Count); // disposing commits the rest
        Assert.True(_index.IntegrityCheck().IsOk);
    }

    [Fact]
    public void Every_read_and_write_of_the_index_works_while_a_batch_is_open()
    {
        // Microsoft.Data.Sqlite refuses a command that does not name the connection's open
        // transaction: each method must read inside the batch or commit it first.
        var stored = Upsert("/docs/old.txt", Paragraphs("lynx", 2), Embeddings(ModelA, 2, 4));
        using var batch = _index.BeginBatch(maxAge: TimeSpan.FromHours(1));
        var pending = Upsert("/docs/new.txt", Paragraphs("marten", 2));
        Assert.True(_index.TryGetDocumentHash("/docs/new.txt", out _));
        Assert.True(_index.TryGetDocumentHash("/docs/new.txt", out _, out var size) && size > 0);
        Assert.Null(_index.NearDuplicateOf("/docs/new.txt"));
        Assert.Equal("/docs/new.txt", Assert.Single(_index.FindNearCopies(Paragraphs("marten", 2))).Path);
        Assert.Equal(2, _index.ListDocuments().Count);
        Assert.NotNull(_index.GetDocument("/docs/new.txt"));
        Assert.NotNull(_index.GetChunk(pending.DocumentId, 1));
        Assert.NotNull(_index.GetChunk(stored.DocumentId, 0));
        Assert.Equal(2, _index.GetNeighbours(pending.DocumentId, 0).Count);
        Assert.Equal(2, _index.SearchFullText("\"marten\"", 10).Count);
        Assert.Equal(2, _index.GetChunks(pending.ChunkIds.ToList()).Count);
        Assert.Equal(2, _index.ChunksWithoutEmbeddings(ModelA).Count);
        Assert.Equal((2, 4), Counts());
        Assert.Equal(2, global::LocalQa.Core.Retrieval.VectorStore.Load(_index, ModelA).Count);
        Assert.Equal(2, _index.StoreEmbeddings(ModelA, 4, pending.ChunkIds.Select((id, i) => (id, Embeddings(ModelA, 2, 4).Vectors[i])).ToList()));
        Upsert("/docs/third.txt", Paragraphs("stoat", 1));
        Assert.True(_index.IntegrityCheck().IsOk);
        Upsert("/docs/fourth.txt", Paragraphs("weasel", 1));
        Assert.Equal(4, _index.RemoveEmbeddingsExcept(ModelB));
        Assert.True(_index.RemoveDocument("/docs/old.txt"));
        Assert.Equal(["/docs/fourth.txt", "/docs/new.txt", "/docs/third.txt"], _index.ListDocuments().Select(d => d.Path));
        Assert.Empty(_index.Prune(["/docs/new.txt", "/docs/third.txt", "/docs/fourth.txt"]));
        _index.Optimize();
        batch.Commit();
        Assert.Null(_index.GetChunk(stored.DocumentId, 0));
    }

    [Fact]
    public void A_document_that_fails_inside_a_batch_is_undone_alone()
    {
        var oldText = Paragraphs("walrus", 3);
        var old = Upsert("/docs/sea.txt", oldText, Embeddings(ModelA, 3, 4));
        using (_index.BeginBatch(maxAge: TimeSpan.FromHours(1)))
        {
            Upsert("/docs/before.txt", Paragraphs("puffin", 1));
            var newText = Paragraphs("narwhal", 3);
            var failing = new FailingChunkList(IndexTestData.ParagraphChunks(newText, 20), failAt: 2);
            Assert.Throws<InvalidOperationException>(() =>
                _index.UpsertDocument(IndexTestData.MakeDocument("/docs/sea.txt", newText), failing, Embeddings(ModelA, 3, 4)));
            Upsert("/docs/after.txt", Paragraphs("tern", 1));
        }

        Assert.Single(_index.SearchFullText("\"puffin\"", 10));
        Assert.Single(_index.SearchFullText("\"tern\"", 10));
        Assert.True(_index.RemoveDocument("/docs/before.txt"));
        Assert.True(_index.RemoveDocument("/docs/after.txt"));
        AssertStillOld(old, oldText);
    }

    [Fact]
    public void Writing_a_document_in_sections_commits_an_open_batch_first()
    {
        using var reader = LocalQaIndex.Open(_folder.IndexPath);
        using var batch = _index.BeginBatch(maxAge: TimeSpan.FromHours(1));
        Upsert("/docs/small.txt", Paragraphs("gannet", 1));
        Assert.Empty(reader.ListDocuments());

        using (var writer = _index.BeginDocument("/docs/large.txt"))
        {
            Assert.Single(reader.ListDocuments());
            var text = Paragraphs("albatross", 2);
            writer.Add(new DocumentSection(0, 0, text, [], text.Length, "Large"), IndexTestData.ParagraphChunks(text, 20));
            writer.Commit("Large", "hash", text.Length, DateTimeOffset.UnixEpoch);
        }

        Assert.Equal(2, reader.ListDocuments().Count);
        Assert.Equal("Large", reader.ListDocuments().Single(d => d.Path == "/docs/large.txt").Title);
        Assert.Equal(2, reader.SearchFullText("\"albatross\"", 10).Count);
    }

    private UpsertResult Upsert(string path, string text, ChunkEmbeddings? embeddings = null) =>
        _index.UpsertDocument(IndexTestData.MakeDocument(path, text), IndexTestData.ParagraphChunks(text, 20), embeddings);

    private (long Documents, long Chunks) Counts()
    {
        var stats = _index.Stats();
        return (stats.Documents, stats.Chunks);
    }

    private void AssertStillOld(UpsertResult old, string oldText)
    {
        Assert.True(_index.TryGetDocumentHash("/docs/sea.txt", out var hash));
        Assert.Equal(IndexTestData.MakeDocument("/docs/sea.txt", oldText).ContentHash, hash);
        Assert.Equal((1, 3), Counts());
        Assert.Equal(old.ChunkIds.Order(), _index.SearchFullText("\"walrus\"", 10).Select(h => h.Chunk.ChunkId).Order());
        Assert.Empty(_index.SearchFullText("\"narwhal\"", 10));
        Assert.Empty(_index.ChunksWithoutEmbeddings(ModelA));
        Assert.Equal(3, _index.Stats().Embeddings.Single().EmbeddedChunks);
        Assert.True(_index.IntegrityCheck().IsOk);
    }

    /// <summary>Paragraphs that each hold one numbered occurrence of <paramref name="word"/> and about twenty words.</summary>
    private static string Paragraphs(string word, int count) =>
        string.Join("\n\n", Enumerable.Range(0, count).Select(i =>
            $"Paragraph {i} is about the {word} {i} which lives near the river and eats what it finds along the banks every day."));

    private static ChunkEmbeddings Embeddings(string model, int count, int dimensions) =>
        new(model, dimensions, Enumerable.Range(0, count).Select(i => Enumerable.Range(0, dimensions).Select(d => (float)(i + 1) * (d + 1)).ToArray()).ToList());

    private sealed class FixedTime(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }

    /// <summary>A chunk list that throws when item <c>failAt</c> is read: a chunker failing half-way.</summary>
    private sealed class FailingChunkList(IReadOnlyList<Chunk> chunks, int failAt) : IReadOnlyList<Chunk>
    {
        public int Count => chunks.Count;

        public Chunk this[int index] => index == failAt ? throw new InvalidOperationException("chunker failed") : chunks[index];

        public IEnumerator<Chunk> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }

    /// <summary>A chunk list that runs <c>callback</c> when item <c>atIndex</c> is read, i.e. inside the writer's transaction.</summary>
    private sealed class CallbackChunkList(IReadOnlyList<Chunk> chunks, int atIndex, Action callback) : IReadOnlyList<Chunk>
    {
        public int Count => chunks.Count;

        public Chunk this[int index]
        {
            get
            {
                if (index == atIndex)
                {
                    callback();
                }

                return chunks[index];
            }
        }

        public IEnumerator<Chunk> GetEnumerator()
        {
            for (var i = 0; i < Count; i++)
            {
                yield return this[i];
            }
        }

        IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
    }
}
