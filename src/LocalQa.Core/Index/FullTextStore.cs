using Microsoft.Data.Sqlite;

namespace LocalQa.Core.Index;

/// <summary>
/// The FTS5 index over chunk text and titles (kept in step with the chunks by the schema's
/// triggers): search, and its own maintenance and integrity check.
/// </summary>
internal sealed class FullTextStore
{
    private readonly IndexDatabase _db;
    private readonly SqliteCommand _search;
    private readonly SqliteCommand _count;

    public FullTextStore(IndexDatabase db)
    {
        _db = db;
        _search = db.Command("""
            SELECT c.id, c.document_id, d.path, d.title, c.ordinal, c.start, c.length, c.heading, c.text,
                   coalesce(d.dup_group, d.id), c.page, f.rank
            FROM (SELECT rowid, rank FROM chunks_fts WHERE chunks_fts MATCH $query ORDER BY rank LIMIT $limit) AS f
            JOIN chunks c ON c.id = f.rowid
            JOIN documents d ON d.id = c.document_id
            ORDER BY f.rank, c.id
            """, "$query", "$limit");
        _count = db.Command("SELECT count(*) FROM chunks_fts WHERE chunks_fts MATCH $query", "$query");
    }

    /// <summary>How many chunks match: the index's own posting lists, no chunk row read.</summary>
    public long Count(string matchExpression)
    {
        ArgumentNullException.ThrowIfNull(matchExpression);
        _db.Reading(_count);
        return (long)Sql.Scalar(_count, matchExpression)!;
    }

    public IReadOnlyList<ChunkHit> Search(string matchExpression, int limit)
    {
        ArgumentNullException.ThrowIfNull(matchExpression);
        ArgumentOutOfRangeException.ThrowIfNegative(limit);
        _db.Reading(_search);
        var hits = new List<ChunkHit>(Math.Min(limit, 256));
        if (limit == 0)
        {
            return hits;
        }

        Sql.SetValues(_search, [matchExpression, limit]);
        using var reader = _search.ExecuteReader();
        while (reader.Read())
        {
            hits.Add(new ChunkHit(ChunkStore.ReadSourcedChunk(reader), -reader.GetDouble(11)));
        }

        return hits;
    }

    /// <summary>Merges the index's segments: after a large ingest, queries read one b-tree instead of many.</summary>
    public void Optimize() => Sql.Execute(_db.Connection, null, "INSERT INTO chunks_fts(chunks_fts) VALUES ('optimize')");

    /// <summary>FTS5's own check, and one entry per chunk.</summary>
    public void Check(List<string> problems)
    {
        try
        {
            Sql.Execute(_db.Connection, null, "INSERT INTO chunks_fts(chunks_fts, rank) VALUES ('integrity-check', 0)");
        }
        catch (SqliteException e)
        {
            problems.Add("Full-text index: " + e.Message);
        }

        var chunkCount = Sql.ScalarLong(_db.Connection, null, "SELECT count(*) FROM chunks");
        var ftsCount = Sql.ScalarLong(_db.Connection, null, "SELECT count(*) FROM chunks_fts");
        if (chunkCount != ftsCount)
        {
            problems.Add($"The full-text index holds {ftsCount} entries for {chunkCount} chunks.");
        }
    }
}
