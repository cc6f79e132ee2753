using System.Globalization;
using LocalQa.Core.Documents;
using Microsoft.Data.Sqlite;

namespace LocalQa.Core.Index;

/// <summary>
/// Chunks: written with their vectors inside a document's transaction (the full-text index follows
/// them through the schema's triggers), and read back by position or by id.
/// </summary>
internal sealed class ChunkStore
{
    private readonly IndexDatabase _db;
    private readonly EmbeddingStore _embeddings;
    private readonly SqliteCommand _deleteOfDocument;
    private readonly SqliteCommand _insert;
    private readonly SqliteCommand _range;
    private readonly SqliteCommand _byId;

    public ChunkStore(IndexDatabase db, EmbeddingStore embeddings)
    {
        _db = db;
        _embeddings = embeddings;
        _deleteOfDocument = db.Command("DELETE FROM chunks WHERE document_id = $id", "$id");
        _insert = db.Command("""
            INSERT INTO chunks(document_id, ordinal, start, length, heading, token_count, text, page)
            VALUES ($document, $ordinal, $start, $length, $heading, $tokens, $text, $page)
            RETURNING id
            """, "$document", "$ordinal", "$start", "$length", "$heading", "$tokens", "$text", "$page");
        _range = db.Command("""
            SELECT id, document_id, ordinal, start, length, heading, token_count, text, page
            FROM chunks WHERE document_id = $document AND ordinal BETWEEN $first AND $last
            ORDER BY ordinal
            """, "$document", "$first", "$last");
        _byId = db.Command("""
            SELECT c.id, c.document_id, d.path, d.title, c.ordinal, c.start, c.length, c.heading, c.text,
                   coalesce(d.dup_group, d.id), c.page
            FROM chunks c JOIN documents d ON d.id = c.document_id
            WHERE c.id IN (SELECT value FROM json_each($ids))
            """, "$ids");
    }

    /// <summary>Deletes a document's chunks (with their full-text entries and vectors) before it is written again.</summary>
    public void DeleteOf(SqliteTransaction transaction, long documentId)
    {
        Sql.Enlist(transaction, _deleteOfDocument);
        Sql.Run(_deleteOfDocument, documentId);
    }

    /// <summary>Inserts chunks (ordinals and offsets final) with their vectors.</summary>
    /// <param name="transaction">The open transaction that writes the document.</param>
    /// <param name="documentId">The document the chunks belong to.</param>
    /// <param name="chunks">The chunks, in ordinal order.</param>
    /// <param name="embeddings">Their vectors in the same order, or null.</param>
    /// <param name="document">The whole document, to check each chunk against as it is written; null when the caller checked them.</param>
    public List<long> Write(SqliteTransaction transaction, long documentId, IReadOnlyList<Chunk> chunks, ChunkEmbeddings? embeddings, Document? document) => _db.Mapped(() =>
    {
        _db.ThrowIfDisposed();
        Sql.Enlist(transaction, _insert);
        EmbeddingStore.VectorWriter? vectors = null;
        if (embeddings is not null)
        {
            EmbeddingStore.ValidateShape(embeddings.ModelId, embeddings.Dimensions);
            if (embeddings.Vectors.Count != chunks.Count)
            {
                throw new ArgumentException($"{embeddings.Vectors.Count} embedding vectors were given for {chunks.Count} chunks.", nameof(embeddings));
            }

            vectors = _embeddings.Begin(transaction, embeddings.ModelId, embeddings.Dimensions);
        }

        var chunkIds = new List<long>(chunks.Count);
        for (var i = 0; i < chunks.Count; i++)
        {
            var chunk = chunks[i];
            if (document is not null)
            {
                Validate(document, chunk, i);
            }

            var chunkId = (long)Sql.Scalar(
                _insert, documentId, chunk.Ordinal, chunk.Start, chunk.Length, chunk.Heading, chunk.TokenCount, chunk.Text, chunk.Page)!;
            chunkIds.Add(chunkId);
            vectors?.Write(chunkId, embeddings!.Vectors[i]);
        }

        return chunkIds;
    });

    public IReadOnlyList<StoredChunk> Neighbours(long documentId, int ordinal, int before, int after)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(before);
        ArgumentOutOfRangeException.ThrowIfNegative(after);
        _db.Reading(_range);
        Sql.SetValues(_range, [documentId, (long)ordinal - before, (long)ordinal + after]);
        var chunks = new List<StoredChunk>(before + after + 1);
        using var reader = _range.ExecuteReader();
        while (reader.Read())
        {
            chunks.Add(ReadStoredChunk(reader));
        }

        return chunks;
    }

    public IReadOnlyList<SourcedChunk> ById(IReadOnlyCollection<long> chunkIds)
    {
        ArgumentNullException.ThrowIfNull(chunkIds);
        _db.Reading(_byId);
        var chunks = new List<SourcedChunk>(chunkIds.Count);
        if (chunkIds.Count == 0)
        {
            return chunks;
        }

        Sql.SetValues(_byId, ["[" + string.Join(',', chunkIds.Select(id => id.ToString(CultureInfo.InvariantCulture))) + "]"]);
        using var reader = _byId.ExecuteReader();
        while (reader.Read())
        {
            chunks.Add(ReadSourcedChunk(reader));
        }

        return chunks;
    }

    /// <summary>Reads columns id, document_id, ordinal, start, length, heading, token_count, text, page.</summary>
    public static StoredChunk ReadStoredChunk(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetInt64(1),
        reader.GetInt32(2),
        reader.GetInt32(3),
        reader.GetInt32(4),
        reader.IsDBNull(5) ? null : reader.GetString(5),
        reader.GetInt32(6),
        reader.GetString(7))
    {
        Page = reader.IsDBNull(8) ? null : reader.GetInt32(8),
    };

    /// <summary>Reads columns chunk id, document id, path, title, ordinal, start, length, heading, text, group, page.</summary>
    public static SourcedChunk ReadSourcedChunk(SqliteDataReader reader) => new(
        reader.GetInt64(0),
        reader.GetInt64(1),
        reader.GetString(2),
        reader.GetString(3),
        reader.GetInt32(4),
        reader.GetInt32(5),
        reader.GetInt32(6),
        reader.IsDBNull(7) ? null : reader.GetString(7),
        reader.GetString(8),
        reader.GetInt64(9))
    {
        Page = reader.IsDBNull(10) ? null : reader.GetInt32(10),
    };

    private static void Validate(Document document, Chunk chunk, int index)
    {
        ArgumentNullException.ThrowIfNull(chunk);
        if (chunk.Ordinal != index)
        {
            throw new ArgumentException($"Chunk {index} of '{document.Path}' has ordinal {chunk.Ordinal}; ordinals must be 0, 1, 2… in order.", nameof(chunk));
        }

        if (chunk.Start < 0 || chunk.Length < 0 || (long)chunk.Start + chunk.Length > document.Text.Length)
        {
            throw new ArgumentException($"Chunk {index} of '{document.Path}' spans [{chunk.Start}, +{chunk.Length}) outside the document's {document.Text.Length} characters.", nameof(chunk));
        }

        ArgumentNullException.ThrowIfNull(chunk.Text);
    }
}
