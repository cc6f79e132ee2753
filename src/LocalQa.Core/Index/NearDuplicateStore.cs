using Microsoft.Data.Sqlite;

namespace LocalQa.Core.Index;

/// <summary>
/// Near-duplicate documents: assigning a written document to its group, and finding the indexed
/// copies of a document or of a text that is not in the index.
/// </summary>
internal sealed class NearDuplicateStore
{
    private readonly IndexDatabase _db;
    private readonly DuplicateGrouping _grouping;
    private readonly SqliteCommand _nearDuplicateOf;
    private readonly SqliteCommand _pathAndTitle;

    public NearDuplicateStore(IndexDatabase db)
    {
        _db = db;
        _grouping = db.Own(new DuplicateGrouping(db.Connection));
        _nearDuplicateOf = db.Command("""
            SELECT o.path FROM documents d JOIN documents o ON o.dup_group = d.dup_group AND o.id <> d.id
            WHERE d.path = $path ORDER BY o.id LIMIT 1
            """, "$path");
        _pathAndTitle = db.Command("SELECT path, title FROM documents WHERE id = $id", "$id");
    }

    /// <summary>Groups a just-written document with its near-duplicates; returns its group.</summary>
    public long Assign(SqliteTransaction transaction, long documentId, ulong[]? signature) =>
        _grouping.Assign(transaction, documentId, signature);

    public string? NearDuplicateOf(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        _db.Reading(_nearDuplicateOf);
        return Sql.Scalar(_nearDuplicateOf, path) as string;
    }

    public IReadOnlyList<NearCopy> FindNearCopies(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        _db.Reading(_pathAndTitle);
        if (NearDuplicateDetector.ComputeSignature(text) is not { } signature) return [];
        var copies = new List<NearCopy>();
        foreach (var (id, similarity) in _grouping.Find(_db.ReadTransaction, signature))
        {
            Sql.SetValues(_pathAndTitle, [id]);
            using var reader = _pathAndTitle.ExecuteReader();
            if (reader.Read()) copies.Add(new NearCopy(id, reader.GetString(0), reader.GetString(1), similarity));
        }

        return copies;
    }
}
