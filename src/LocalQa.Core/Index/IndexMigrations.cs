using System.Globalization;
using System.Text;
using Microsoft.Data.Sqlite;

namespace LocalQa.Core.Index;

/// <summary>Choices fixed when an index file is created.</summary>
/// <param name="FtsTokenizer">
/// FTS5 tokenizer. Porter stemming over unicode61 without diacritics. On the seed articles it
/// reaches the same recall@5 as unicode61 alone (0.944 on the shared eval questions, and every
/// source of the 20 questions in RetrievalQualityTests); it is kept because questions and articles
/// often use different forms of one word ("released"/"release", "leads"/"leading"), which only
/// stemming matches.
/// </param>
/// <param name="Bm25Weights">
/// Column weights of FTS5 bm25 for (title, heading, body). The document title is indexed with every
/// chunk so that a chunk which says "he" can still match the name in its title; at half weight it
/// changed no ranking on the seeds, while at weight 2 one question (with 100-word chunks) lost its
/// answering passage from first place to a chunk of another article whose title matched.
/// </param>
internal sealed record IndexCreationOptions(string FtsTokenizer, double[] Bm25Weights)
{
    public static IndexCreationOptions Default { get; } = new("porter unicode61 remove_diacritics 2", [0.5, 1.0, 1.0]);
}

/// <summary>One forward step of the schema; steps run in order, each inside the open transaction.</summary>
internal sealed record IndexMigration(int Version, string Description, Action<SqliteConnection, SqliteTransaction, IndexCreationOptions> Apply);

/// <summary>
/// The schema's history. A file records the last step applied in PRAGMA user_version; opening it
/// applies the missing steps in one transaction. Steps are never edited once released: a change is
/// a new step.
/// </summary>
internal static class IndexMigrations
{
    /// <summary>PRAGMA application_id of a LocalQa index ("LQIX"), so another program's database is never mistaken for one.</summary>
    public const int ApplicationId = 0x4C514958;

    public static IReadOnlyList<IndexMigration> All { get; } =
    [
        new(1, "documents, chunks, FTS5 over chunks, embeddings, meta", CreateBaseSchema),
        new(2, "MinHash signatures and LSH bands for near-duplicate groups", AddNearDuplicateSignatures),
        new(3, "the page each chunk starts on (PDF), for citations", AddChunkPages),
    ];

    public static int CurrentVersion => All[^1].Version;

    /// <summary>Applies every step after the file's version up to <paramref name="targetVersion"/>, all or nothing.</summary>
    public static void MigrateTo(SqliteConnection connection, int targetVersion, IndexCreationOptions options)
    {
        using var transaction = connection.BeginTransaction(deferred: false);

        // Read again under the write lock: another process may have migrated meanwhile.
        var version = (int)Sql.ScalarLong(connection, transaction, "PRAGMA user_version");
        foreach (var migration in All)
        {
            if (migration.Version > version && migration.Version <= targetVersion)
            {
                migration.Apply(connection, transaction, options);
                Sql.Execute(connection, transaction, "PRAGMA user_version = " + migration.Version.ToString(CultureInfo.InvariantCulture));
            }
        }

        Sql.Execute(connection, transaction, "PRAGMA application_id = " + ApplicationId.ToString(CultureInfo.InvariantCulture));
        transaction.Commit();
    }

    private static void CreateBaseSchema(SqliteConnection connection, SqliteTransaction transaction, IndexCreationOptions options)
    {
        if (!options.FtsTokenizer.All(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '_'))
        {
            throw new ArgumentException($"Unsafe FTS5 tokenizer specification '{options.FtsTokenizer}'.", nameof(options));
        }

        if (options.Bm25Weights.Length != 3 || options.Bm25Weights.Any(w => !double.IsFinite(w) || w < 0))
        {
            throw new ArgumentException("Three finite, non-negative bm25 column weights are needed.", nameof(options));
        }

        Sql.Execute(connection, transaction, """
            CREATE TABLE meta(
                key TEXT PRIMARY KEY,
                value TEXT NOT NULL
            ) STRICT;

            -- AUTOINCREMENT here and on chunks: an id is never reused, so a near-duplicate group
            -- label, a vector cache or a citation holding an old id never points at another text.
            CREATE TABLE documents(
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                path TEXT NOT NULL UNIQUE,
                title TEXT NOT NULL,
                content_hash TEXT NOT NULL,
                size INTEGER NOT NULL,
                modified INTEGER NOT NULL,
                ingested INTEGER NOT NULL,
                dup_group INTEGER
            ) STRICT;

            CREATE TABLE chunks(
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                ordinal INTEGER NOT NULL,
                start INTEGER NOT NULL,
                length INTEGER NOT NULL,
                heading TEXT,
                token_count INTEGER NOT NULL,
                text TEXT NOT NULL,
                UNIQUE(document_id, ordinal)
            ) STRICT;

            CREATE TABLE embeddings(
                chunk_id INTEGER NOT NULL REFERENCES chunks(id) ON DELETE CASCADE,
                model_id TEXT NOT NULL,
                dimensions INTEGER NOT NULL,
                vector BLOB NOT NULL,
                PRIMARY KEY(model_id, chunk_id)
            ) STRICT, WITHOUT ROWID;

            CREATE INDEX embeddings_chunk ON embeddings(chunk_id);
            CREATE INDEX documents_dup_group ON documents(dup_group);
            """);

        // Contentless-delete: the text already lives in chunks, and rows can still be deleted by rowid.
        Sql.Execute(connection, transaction,
            "CREATE VIRTUAL TABLE chunks_fts USING fts5(title, heading, body, content='', contentless_delete=1, tokenize='"
            + options.FtsTokenizer + "')");

        var weights = string.Join(", ", options.Bm25Weights.Select(w => w.ToString("R", CultureInfo.InvariantCulture)));
        using (var rank = connection.CreateCommand())
        {
            rank.Transaction = transaction;
            rank.CommandText = "INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('rank', $rank)";
            rank.Parameters.AddWithValue("$rank", "bm25(" + weights + ")");
            rank.ExecuteNonQuery();
        }

        // Triggers keep the full-text index in step with chunks on every path, cascades included.
        Sql.Execute(connection, transaction, """
            CREATE TRIGGER chunks_fts_insert AFTER INSERT ON chunks BEGIN
                INSERT INTO chunks_fts(rowid, title, heading, body)
                VALUES (new.id, (SELECT title FROM documents WHERE id = new.document_id), new.heading, new.text);
            END;

            CREATE TRIGGER chunks_fts_delete AFTER DELETE ON chunks BEGIN
                DELETE FROM chunks_fts WHERE rowid = old.id;
            END;
            """);

        using var meta = connection.CreateCommand();
        meta.Transaction = transaction;
        meta.CommandText = "INSERT INTO meta(key, value) VALUES ($key, $value)";
        var key = meta.Parameters.Add("$key", SqliteType.Text);
        var value = meta.Parameters.Add("$value", SqliteType.Text);
        foreach (var (k, v) in new[] { ("application", "LocalQa"), ("fts_tokenizer", options.FtsTokenizer), ("bm25_weights", weights) })
        {
            key.Value = k;
            value.Value = v;
            meta.ExecuteNonQuery();
        }
    }

    private static void AddNearDuplicateSignatures(SqliteConnection connection, SqliteTransaction transaction, IndexCreationOptions _)
    {
        Sql.Execute(connection, transaction, """
            ALTER TABLE documents ADD COLUMN minhash BLOB;

            CREATE TABLE document_bands(
                band INTEGER NOT NULL,
                hash INTEGER NOT NULL,
                document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
                PRIMARY KEY(band, hash, document_id)
            ) STRICT, WITHOUT ROWID;

            CREATE INDEX document_bands_document ON document_bands(document_id);
            """);

        // Version 1 files grouped nothing; rebuild each document's text from its chunks (they tile
        // the text, possibly overlapping) and group the documents in id order.
        var documents = new List<long>();
        using (var ids = connection.CreateCommand())
        {
            ids.Transaction = transaction;
            ids.CommandText = "SELECT id FROM documents ORDER BY id";
            using var reader = ids.ExecuteReader();
            while (reader.Read())
            {
                documents.Add(reader.GetInt64(0));
            }
        }

        using var chunks = Sql.Command(connection, "SELECT start, text FROM chunks WHERE document_id = $id ORDER BY ordinal", "$id");
        chunks.Transaction = transaction;
        using var grouping = new DuplicateGrouping(connection);
        var text = new StringBuilder();
        foreach (var id in documents)
        {
            text.Clear();
            chunks.Parameters[0].Value = id;
            using (var reader = chunks.ExecuteReader())
            {
                var covered = 0;
                while (reader.Read())
                {
                    var start = reader.GetInt32(0);
                    var chunkText = reader.GetString(1);
                    var skip = Math.Clamp(covered - start, 0, chunkText.Length);
                    text.Append(' ').Append(chunkText, skip, chunkText.Length - skip);
                    covered = Math.Max(covered, start + chunkText.Length);
                }
            }

            grouping.Assign(transaction, id, NearDuplicateDetector.ComputeSignature(text.ToString()));
        }
    }

    private static void AddChunkPages(SqliteConnection connection, SqliteTransaction transaction, IndexCreationOptions _) =>
        // Chunks written before pages were kept have none; a PDF's pages come back when its hash is
        // forgotten, so the next ingest reads it again instead of skipping it as unchanged.
        Sql.Execute(connection, transaction, """
            ALTER TABLE chunks ADD COLUMN page INTEGER;
            UPDATE documents SET content_hash = '' WHERE lower(path) LIKE '%.pdf';
            """);
}
