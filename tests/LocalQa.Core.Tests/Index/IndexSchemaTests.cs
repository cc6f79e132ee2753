using LocalQa.Core.Index;
using LocalQa.Llama;
using Microsoft.Data.Sqlite;
using Xunit;

namespace LocalQa.Core.Tests.Index;

public sealed class IndexSchemaTests
{
    [Fact]
    public void A_writer_waits_for_a_lock_for_the_busy_timeout_in_sqlite_and_in_microsoft_data_sqlite()
    {
        // Both layers retry a busy statement, each for its own time: left at its default (30 s),
        // Microsoft.Data.Sqlite's made a locked index wait 30 s, not the 10 s the message names.
        // Checked as settings, not by timing a wait: the CLI test of a locked index waits for
        // real and checks the message and the exit code, not how long it took.
        using var folder = new TempFolder();
        using var db = IndexDatabase.Open(folder.IndexPath, IndexCreationOptions.Default, null, null);

        Assert.Equal(IndexDatabase.BusyTimeoutMilliseconds, Scalar(db.Connection, "PRAGMA busy_timeout"));
        Assert.Equal(IndexDatabase.BusyTimeoutMilliseconds / 1000, db.Connection.DefaultTimeout);
    }

    [Fact]
    public void A_new_index_has_the_current_schema_in_wal_mode()
    {
        using var folder = new TempFolder();
        using (LocalQaIndex.Open(folder.IndexPath))
        {
        }

        using var connection = OpenRaw(folder.IndexPath);
        Assert.Equal(LocalQaIndex.SchemaVersion, Scalar(connection, "PRAGMA user_version"));
        Assert.Equal(IndexMigrations.ApplicationId, Scalar(connection, "PRAGMA application_id"));
        Assert.Equal("wal", Text(connection, "PRAGMA journal_mode"));
        foreach (var table in new[] { "meta", "documents", "chunks", "chunks_fts", "embeddings", "document_bands" })
        {
            Assert.Equal(1, Scalar(connection, $"SELECT count(*) FROM sqlite_schema WHERE name = '{table}'"));
        }

        Assert.Equal("porter unicode61 remove_diacritics 2", Text(connection, "SELECT value FROM meta WHERE key = 'fts_tokenizer'"));
    }

    [Fact]
    public void The_index_folder_is_created_when_missing()
    {
        using var folder = new TempFolder();
        var path = Path.Combine(folder.Path, "a", "b", "index.db");

        using var index = LocalQaIndex.Open(path);

        Assert.True(File.Exists(path));
        Assert.Equal(Path.GetFullPath(path), index.FilePath);
    }

    [Fact]
    public void A_version_1_index_is_migrated_keeping_its_documents_and_grouping_copies()
    {
        using var folder = new TempFolder();
        var original = IndexTestData.MakeDocument("/news/original.txt", Stories.Original);
        var copy = IndexTestData.MakeDocument("/news/copy.txt", Stories.SyndicatedCopy);
        var other = IndexTestData.MakeDocument("/news/other.txt", Stories.Unrelated);
        using (var connection = OpenRaw(folder.IndexPath))
        {
            IndexMigrations.MigrateTo(connection, 1, IndexCreationOptions.Default);
            Assert.Equal(1, Scalar(connection, "PRAGMA user_version"));
            InsertVersion1Document(connection, original);
            InsertVersion1Document(connection, copy);
            InsertVersion1Document(connection, other);
        }

        using var index = LocalQaIndex.Open(folder.IndexPath);

        var documents = index.ListDocuments().ToDictionary(d => d.Path);
        Assert.Equal(3, documents.Count);
        Assert.Equal(documents["/news/original.txt"].DuplicateGroup, documents["/news/copy.txt"].DuplicateGroup);
        Assert.NotEqual(documents["/news/original.txt"].DuplicateGroup, documents["/news/other.txt"].DuplicateGroup);
        Assert.Equal(original.ContentHash, documents["/news/original.txt"].ContentHash);
        Assert.NotEmpty(index.SearchFullText("\"glacier\"", 10));
        Assert.True(index.IntegrityCheck().IsOk);
        index.Dispose();
        using var raw = OpenRaw(folder.IndexPath);
        Assert.Equal(LocalQaIndex.SchemaVersion, Scalar(raw, "PRAGMA user_version"));
    }

    [Fact]
    public void An_index_from_a_newer_LocalQa_is_refused_and_left_alone()
    {
        using var folder = new TempFolder();
        using (var index = LocalQaIndex.Open(folder.IndexPath))
        {
            index.UpsertDocument(IndexTestData.MakeDocument("/a.txt", Stories.Original), IndexTestData.ParagraphChunks(Stories.Original, 40));
        }

        using (var connection = OpenRaw(folder.IndexPath))
        {
            Execute(connection, "PRAGMA user_version = 99");
        }

        var before = File.ReadAllBytes(folder.IndexPath);

        var error = Assert.Throws<InvalidInputException>(() => LocalQaIndex.Open(folder.IndexPath));

        Assert.Contains(folder.IndexPath, error.Message, StringComparison.Ordinal);
        Assert.Contains("newer", error.Message, StringComparison.Ordinal);
        Assert.Contains("Upgrade LocalQa", error.Fix, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(folder.IndexPath));
    }

    [Theory]
    [InlineData("csv")]
    [InlineData("random")]
    [InlineData("fake-header")]
    public void A_file_that_is_not_sqlite_is_refused_and_left_byte_identical(string kind)
    {
        using var folder = new TempFolder();
        var path = folder["notes.db"];
        var content = kind switch
        {
            "csv" => "name,value\nalpha,1\nbeta,2\n"u8.ToArray(),
            "random" => RandomBytes(8192),
            _ => [.. "SQLite format 3\0"u8, .. RandomBytes(4080)],
        };
        File.WriteAllBytes(path, content);

        var error = Assert.Throws<InvalidInputException>(() => LocalQaIndex.Open(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("is not a LocalQa index (not an SQLite database)", error.Message, StringComparison.Ordinal);
        Assert.Equal(content, File.ReadAllBytes(path));
        Assert.False(File.Exists(path + "-wal"));
        Assert.False(File.Exists(path + "-shm"));
    }

    [Fact]
    public void Another_programs_sqlite_database_is_refused_and_left_alone()
    {
        using var folder = new TempFolder();
        var path = folder["app.db"];
        using (var connection = OpenRaw(path))
        {
            Execute(connection, "CREATE TABLE customers(id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers(name) VALUES ('Ada')");
        }

        var before = File.ReadAllBytes(path);

        var error = Assert.Throws<InvalidInputException>(() => LocalQaIndex.Open(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
        Assert.Contains("not a LocalQa index", error.Message, StringComparison.Ordinal);
        Assert.Equal(before, File.ReadAllBytes(path));
    }

    [Fact]
    public void A_folder_is_refused_as_index_path()
    {
        using var folder = new TempFolder();

        var error = Assert.Throws<InvalidInputException>(() => LocalQaIndex.Open(folder.Path));

        Assert.Contains(folder.Path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_file_becomes_a_new_index()
    {
        using var folder = new TempFolder();
        File.WriteAllBytes(folder.IndexPath, []);

        using var index = LocalQaIndex.Open(folder.IndexPath);

        Assert.Equal(0, index.Stats().Documents);
    }

    internal static SqliteConnection OpenRaw(string path)
    {
        SqliteRuntime.EnsureInitialized();
        var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
        connection.Open();
        Execute(connection, "PRAGMA foreign_keys = ON");
        return connection;
    }

    internal static long Scalar(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static void Execute(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        command.ExecuteNonQuery();
    }

    private static string Text(SqliteConnection connection, string sql)
    {
        using var command = connection.CreateCommand();
        command.CommandText = sql;
        return (string)command.ExecuteScalar()!;
    }

    private static byte[] RandomBytes(int count)
    {
        var bytes = new byte[count];
        new Random(1234).NextBytes(bytes);
        return bytes;
    }

    /// <summary>Writes a document the way version 1 of the schema stored it: no signature, no group.</summary>
    private static void InsertVersion1Document(SqliteConnection connection, global::LocalQa.Core.Documents.Document document)
    {
        using var insertDocument = connection.CreateCommand();
        insertDocument.CommandText = """
            INSERT INTO documents(path, title, content_hash, size, modified, ingested)
            VALUES ($path, $title, $hash, $size, 0, 0) RETURNING id
            """;
        insertDocument.Parameters.AddWithValue("$path", document.Path);
        insertDocument.Parameters.AddWithValue("$title", document.Title);
        insertDocument.Parameters.AddWithValue("$hash", document.ContentHash);
        insertDocument.Parameters.AddWithValue("$size", document.SizeBytes);
        var id = (long)insertDocument.ExecuteScalar()!;
        foreach (var chunk in IndexTestData.ParagraphChunks(document.Text, 40))
        {
            using var insertChunk = connection.CreateCommand();
            insertChunk.CommandText = """
                INSERT INTO chunks(document_id, ordinal, start, length, heading, token_count, text)
                VALUES ($document, $ordinal, $start, $length, NULL, $tokens, $text)
                """;
            insertChunk.Parameters.AddWithValue("$document", id);
            insertChunk.Parameters.AddWithValue("$ordinal", chunk.Ordinal);
            insertChunk.Parameters.AddWithValue("$start", chunk.Start);
            insertChunk.Parameters.AddWithValue("$length", chunk.Length);
            insertChunk.Parameters.AddWithValue("$tokens", chunk.TokenCount);
            insertChunk.Parameters.AddWithValue("$text", chunk.Text);
            insertChunk.ExecuteNonQuery();
        }
    }
}
