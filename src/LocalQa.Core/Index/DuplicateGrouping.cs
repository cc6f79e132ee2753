using Microsoft.Data.Sqlite;

namespace LocalQa.Core.Index;

/// <summary>
/// Records near-duplicate documents as groups (documents.dup_group) instead of dropping them:
/// both copies stay searchable and citable, and retrieval can show one of them.
/// </summary>
/// <remarks>
/// A group id is the smallest id among the documents that formed it. When a member's text changes
/// it is regrouped; the other members stay together (their group may be relabelled). Removing a
/// document leaves its group's label as it was: ids are never reused, so the label stays unique.
/// </remarks>
internal sealed class DuplicateGrouping : IDisposable
{
    /// <summary>
    /// The most documents of one LSH bucket (band, hash) compared with a new document: the newest
    /// ones. Unrelated documents share a bucket with probability about similarity³, so a bucket
    /// this full is one text stored many times (templated notes, a saved page copied around), whose
    /// newest members stand for their group. Comparing with every member made ingesting n copies
    /// quadratic: 4,000 near-identical notes took 30 s and 20,000 would have taken about 12 minutes.
    /// Eight are as good a sample of such a group as 32 were, and reading 42 × 32 bucket rows per
    /// document was a third of ingesting 100,000 notes.
    /// </summary>
    internal const int CandidatesPerBand = 8;

    private readonly SqliteCommand _candidates;
    private readonly SqliteCommand _signature;
    private readonly SqliteCommand _insertBand;
    private readonly SqliteCommand _deleteBands;
    private readonly SqliteCommand _setGroup;
    private readonly SqliteCommand _mergeGroups;
    private readonly SqliteCommand _leaveGroup;

    public DuplicateGrouping(SqliteConnection connection)
    {
        // One statement for all bands, and one for storing them: run as 42 statements each, they
        // were most of the cost of ingesting a small file.
        var bands = Enumerable.Range(0, NearDuplicateDetector.Bands).ToArray();
        _candidates = Sql.Command(connection,
            string.Join("\nUNION ALL\n", bands.Select(b => $"""
                SELECT * FROM (SELECT document_id FROM document_bands WHERE band = {b} AND hash = $h{b} AND document_id <> $id
                ORDER BY document_id DESC LIMIT {CandidatesPerBand})
                """)),
            [.. bands.Select(b => $"$h{b}"), "$id"]);
        _signature = Sql.Command(connection,
            "SELECT minhash, dup_group FROM documents WHERE id = $id",
            "$id");
        _insertBand = Sql.Command(connection,
            "INSERT OR IGNORE INTO document_bands(band, hash, document_id) VALUES " + string.Join(", ", bands.Select(b => $"({b}, $h{b}, $id)")),
            [.. bands.Select(b => $"$h{b}"), "$id"]);
        _deleteBands = Sql.Command(connection,
            "DELETE FROM document_bands WHERE document_id = $id",
            "$id");
        _setGroup = Sql.Command(connection,
            "UPDATE documents SET dup_group = $group, minhash = $minhash WHERE id = $id",
            "$group", "$minhash", "$id");
        _mergeGroups = Sql.Command(connection,
            "UPDATE documents SET dup_group = $group WHERE dup_group = $old",
            "$group", "$old");

        // The document may head a group whose other members it no longer resembles: they are
        // relabelled to their own smallest id before the document is grouped afresh.
        _leaveGroup = Sql.Command(connection, """
            UPDATE documents SET dup_group = (SELECT min(id) FROM documents WHERE dup_group = $id AND id <> $id)
            WHERE dup_group = $id AND id <> $id
            """,
            "$id");
    }

    /// <summary>Stores the document's signature and puts it in the group of every document it nearly duplicates.</summary>
    /// <returns>The document's group id.</returns>
    public long Assign(SqliteTransaction transaction, long documentId, ulong[]? signature)
    {
        Sql.Enlist(transaction, _candidates, _signature, _insertBand, _deleteBands, _setGroup, _mergeGroups, _leaveGroup);
        Sql.Run(_deleteBands, documentId);
        Sql.Run(_leaveGroup, documentId);

        var groups = new SortedSet<long>();
        long[]? bands = null;
        if (signature is not null)
        {
            bands = NearDuplicateDetector.BandHashes(signature);
            foreach (var match in Matches(signature, bands, documentId))
            {
                groups.Add(match.Group);
            }
        }

        var group = groups.Count > 0 ? Math.Min(groups.Min, documentId) : documentId;
        foreach (var old in groups)
        {
            if (old != group)
            {
                Sql.Run(_mergeGroups, group, old);
            }
        }

        Sql.Run(_setGroup, group, signature is null ? DBNull.Value : NearDuplicateDetector.ToBlob(signature), documentId);
        if (bands is not null)
        {
            SetBands(_insertBand, bands, documentId);
            _insertBand.ExecuteNonQuery();
        }

        return group;
    }

    /// <summary>Indexed documents whose text nearly duplicates a text that is not (yet) in the index, most similar first.</summary>
    public List<(long DocumentId, double Similarity)> Find(SqliteTransaction? transaction, ulong[] signature)
    {
        Sql.Enlist(transaction, _candidates, _signature);
        // Ids start at 1, so 0 excludes nothing.
        var found = Matches(signature, NearDuplicateDetector.BandHashes(signature), 0)
            .Select(m => (m.DocumentId, m.Similarity))
            .ToList();
        found.Sort((a, b) => b.Similarity.CompareTo(a.Similarity));
        return found;
    }

    /// <summary>Candidates from the LSH buckets whose stored signature is similar enough: the document, its group and the estimate.</summary>
    private IEnumerable<(long DocumentId, long Group, double Similarity)> Matches(ulong[] signature, long[] bands, long excludeId)
    {
        foreach (var candidate in Candidates(bands, excludeId))
        {
            _signature.Parameters[0].Value = candidate;
            using var reader = _signature.ExecuteReader();
            if (!reader.Read())
            {
                continue;
            }

            var other = NearDuplicateDetector.FromBlob(reader.IsDBNull(0) ? null : (byte[])reader.GetValue(0));
            if (other is null)
            {
                continue;
            }

            var similarity = NearDuplicateDetector.EstimateSimilarity(signature, other);
            if (similarity >= NearDuplicateDetector.Threshold)
            {
                yield return (candidate, reader.IsDBNull(1) ? candidate : reader.GetInt64(1), similarity);
            }
        }
    }

    public void Dispose()
    {
        _candidates.Dispose();
        _signature.Dispose();
        _insertBand.Dispose();
        _deleteBands.Dispose();
        _setGroup.Dispose();
        _mergeGroups.Dispose();
        _leaveGroup.Dispose();
    }

    private HashSet<long> Candidates(long[] bands, long documentId)
    {
        SetBands(_candidates, bands, documentId);
        var candidates = new HashSet<long>();
        using var reader = _candidates.ExecuteReader();
        while (reader.Read())
        {
            candidates.Add(reader.GetInt64(0));
        }

        return candidates;
    }

    private static void SetBands(SqliteCommand command, long[] bands, long documentId)
    {
        for (var band = 0; band < bands.Length; band++)
        {
            command.Parameters[band].Value = bands[band];
        }

        command.Parameters[bands.Length].Value = documentId;
    }
}
