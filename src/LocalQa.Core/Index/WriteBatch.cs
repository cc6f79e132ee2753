using Microsoft.Data.Sqlite;

namespace LocalQa.Core.Index;

/// <summary>
/// Lets the next document upserts share transactions: a folder of 100,000 notes committed one
/// document at a time spent most of its time writing the same index pages to the WAL again and
/// again. Each document is still written inside its own savepoint, so it is wholly old or wholly
/// new whatever happens; a crash, or a disk that fills up, loses at most the documents of the
/// open batch (up to <c>maxDocuments</c>, <c>maxChars</c> of text or <c>maxAge</c> of work), which
/// the next ingest writes again. Larger documents gain nothing from sharing and soon fill a batch.
/// </summary>
/// <remarks>
/// Only <see cref="LocalQaIndex.UpsertDocument"/> joins the batch. Anything else that writes
/// (<see cref="LocalQaIndex.BeginDocument"/>, removals, embeddings) commits the batch first.
/// </remarks>
internal sealed class WriteBatch : IDisposable
{
    private readonly IndexDatabase _db;
    private readonly int _maxDocuments;
    private readonly long _maxChars;
    private readonly TimeSpan _maxAge;
    private readonly TimeProvider _time;
    private SqliteTransaction? _transaction;
    private long _openedAt;
    private int _documents;
    private long _chars;
    private bool _disposed;

    internal WriteBatch(IndexDatabase db, int maxDocuments, long maxChars, TimeSpan maxAge, TimeProvider time)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxDocuments, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxChars, 1);
        _db = db;
        _maxDocuments = maxDocuments;
        _maxChars = maxChars;
        _maxAge = maxAge;
        _time = time;
    }

    /// <summary>Documents written since the last commit.</summary>
    public int Pending => _documents;

    /// <summary>The transaction now open, if any.</summary>
    internal SqliteTransaction? OpenTransaction => _transaction;

    /// <summary>The open transaction, begun on first use.</summary>
    internal SqliteTransaction Transaction()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_transaction is null)
        {
            _transaction = _db.Connection.BeginTransaction(deferred: false);
            _openedAt = _time.GetTimestamp();
            _documents = 0;
            _chars = 0;
        }

        return _transaction;
    }

    /// <summary>Counts a written document of <paramref name="chars"/> characters and commits once the batch is full or old enough.</summary>
    internal void Written(long chars)
    {
        _documents++;
        _chars += chars;
        if (_documents >= _maxDocuments || _chars >= _maxChars || _time.GetElapsedTime(_openedAt) >= _maxAge)
        {
            Commit();
        }
    }

    /// <summary>Makes every document written so far durable.</summary>
    public void Commit()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_transaction is null)
        {
            return;
        }

        var transaction = _transaction;
        _transaction = null;
        try
        {
            _db.CommitBatch(transaction);
        }
        finally
        {
            transaction.Dispose();
        }
    }

    /// <summary>
    /// Drops the open transaction after SQLite rolled it back by itself (a full disk, an I/O
    /// error): the documents of this batch are not stored, and the next ingest writes them.
    /// </summary>
    internal void Abandon()
    {
        var transaction = _transaction;
        _transaction = null;
        try
        {
            transaction?.Dispose();
        }
        catch (SqliteException)
        {
            // Already rolled back by SQLite; there is nothing left to undo.
        }
    }

    /// <summary>Commits what is pending, or, when that fails because of an earlier error, rolls it back.</summary>
    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        try
        {
            Commit();
        }
        catch (Exception e) when (e is SqliteException or InvalidInputException)
        {
            // Disposing on the way out of an error (a full disk): that error is the one to report.
            Abandon();
        }
        finally
        {
            _disposed = true;
            _db.EndBatch(this);
        }
    }
}
