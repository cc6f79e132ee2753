namespace LocalQa.Core.Index;

/// <summary>What <c>localqa index</c> reports and repairs across the stores: counts, the integrity check and optimizing.</summary>
internal sealed class IndexHealth(IndexDatabase db, FullTextStore fullText)
{
    public IndexStats Stats()
    {
        db.ThrowIfDisposed();
        var transaction = db.ReadTransaction;
        var documents = Sql.ScalarLong(db.Connection, transaction, "SELECT count(*) FROM documents");
        var chunks = CountChunks();
        var groups = Sql.ScalarLong(db.Connection, transaction,
            "SELECT count(*) FROM (SELECT dup_group FROM documents WHERE dup_group IS NOT NULL GROUP BY dup_group HAVING count(*) > 1)");
        var models = new List<EmbeddingModelStats>();
        using var command = db.ReadCommand("SELECT model_id, dimensions, count(*) FROM embeddings GROUP BY model_id, dimensions ORDER BY model_id");
        using var reader = command.ExecuteReader();
        while (reader.Read())
        {
            models.Add(new EmbeddingModelStats(reader.GetString(0), reader.GetInt32(1), reader.GetInt64(2)));
        }

        return new IndexStats(documents, chunks, groups, models);
    }

    /// <summary>Chunks in the index: what a term's document frequency is relative to.</summary>
    public long CountChunks()
    {
        db.ThrowIfDisposed();
        return Sql.ScalarLong(db.Connection, db.ReadTransaction, "SELECT count(*) FROM chunks");
    }

    public IndexIntegrityReport IntegrityCheck()
    {
        db.ThrowIfDisposed();
        db.FlushBatch();
        var problems = new List<string>();
        using (var command = Sql.Command(db.Connection, "PRAGMA integrity_check"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                var line = reader.GetString(0);
                if (line != "ok")
                {
                    problems.Add("SQLite: " + line);
                }
            }
        }

        using (var command = Sql.Command(db.Connection, "PRAGMA foreign_key_check"))
        using (var reader = command.ExecuteReader())
        {
            while (reader.Read())
            {
                problems.Add($"Row {reader.GetValue(1)} of table {reader.GetString(0)} points at a missing row of {reader.GetString(2)}.");
            }
        }

        fullText.Check(problems);
        var badVectors = Sql.ScalarLong(db.Connection, null, "SELECT count(*) FROM embeddings WHERE length(vector) <> dimensions * 4");
        if (badVectors > 0)
        {
            problems.Add($"{badVectors} vectors have a byte length that does not match their dimensions.");
        }

        return new IndexIntegrityReport(problems);
    }

    public void Optimize()
    {
        db.ThrowIfDisposed();
        db.FlushBatch();
        db.Mapped(() =>
        {
            fullText.Optimize();
            Sql.Execute(db.Connection, null, "PRAGMA optimize");
            return 0;
        });
    }
}
