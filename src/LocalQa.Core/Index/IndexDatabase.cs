using System.Globalization;
using Microsoft.Data.Sqlite;

namespace LocalQa.Core.Index;

/// <summary>
/// The index's SQLite connection and everything every store shares: opening, configuring and
/// migrating the file, the prepared commands' lifetime, the write batch, the one way to run a write
/// and the one map from SQLite's errors to what a user can fix.
/// </summary>
internal sealed class IndexDatabase : IDisposable
{
    /// <summary>How long a writer waits for another process's write lock before giving up (the locked-index message says so).</summary>
    internal const int BusyTimeoutMilliseconds = 10_000;
    private const int SqliteError = 1;

    /// <summary>
    /// SQLite's default page cache (2 MB) is smaller than the b-trees an ingest touches for every
    /// document (chunks, full-text segments, near-duplicate bands), so each statement read the same
    /// pages from the OS again: half of ingesting 100,000 notes was pread() in the kernel.
    /// </summary>
    private const int CacheKibibytes = 64 * 1024;

    /// <summary>A large document's transaction grows the WAL to everything it wrote; without a limit the file stays that large after the checkpoint has emptied it.</summary>
    private const long JournalSizeLimitBytes = 64L << 20;

    private const string DocumentSavepoint = "document";

    private readonly List<IDisposable> _owned = [];
    private WriteBatch? _batch;
    private bool _disposed;

    private IndexDatabase(string path, SqliteConnection connection, TimeProvider time)
    {
        FilePath = path;
        Connection = connection;
        Time = time;
    }

    public string FilePath { get; }

    public SqliteConnection Connection { get; }

    public TimeProvider Time { get; }

    /// <summary>The open batch's transaction, which Microsoft.Data.Sqlite wants every command on this connection to name; null outside a batch.</summary>
    public SqliteTransaction? ReadTransaction => _batch?.OpenTransaction;

    /// <summary>Opens (creating or upgrading) the index file; every failure a user can fix is an <see cref="InvalidInputException"/> naming the file.</summary>
    public static IndexDatabase Open(string path, IndexCreationOptions options, TimeProvider? time, int? targetVersion)
    {
        var fullPath = CheckPath(path);

        var folder = Path.GetDirectoryName(fullPath);
        try
        {
            if (!string.IsNullOrEmpty(folder))
            {
                Directory.CreateDirectory(folder);
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"Cannot create the folder of the index '{fullPath}': {e.Message}", "Choose an index path in a writable folder.", e)
            {
                Setting = SettingKeys.Index,
            };
        }

        var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadWriteCreate,
            Pooling = false,
            // Microsoft.Data.Sqlite retries a busy statement for this long on top of SQLite's own
            // busy handler; left at its default of 30 s, a locked index made a writer wait 30 s, not the busy timeout.
            DefaultTimeout = BusyTimeoutMilliseconds / 1000,
        }.ToString());
        try
        {
            connection.Open();
            var version = CheckFile(connection, fullPath);
            Configure(connection);
            var target = targetVersion ?? IndexMigrations.CurrentVersion;
            if (version < target)
            {
                try
                {
                    IndexMigrations.MigrateTo(connection, target, options);
                }
                catch (SqliteException e) when (version > 0 && e.SqliteErrorCode == SqliteError)
                {
                    // An upgrade of a real index fails only when its tables are not those of the version
                    // it claims (user_version set back by hand, or a file of mixed origins).
                    throw IndexErrors.Damaged(fullPath, $"it says schema version {version}, but its tables are not that version's: {e.Message}", e);
                }
            }

            return new IndexDatabase(fullPath, connection, time ?? TimeProvider.System);
        }
        catch (SqliteException e) when (IndexErrors.OnOpen(fullPath, BusyTimeoutMilliseconds, e) is { } user)
        {
            connection.Dispose();
            throw user;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Checks the index file at <paramref name="path"/> as <see cref="Open"/> would, without writing
    /// to it (read-only, no migration, nothing created), then runs SQLite's quick check: null when it
    /// is sound or there is no file yet, otherwise the error a command would meet, with its fix.
    /// </summary>
    public static InvalidInputException? Check(string path)
    {
        string fullPath;
        try
        {
            fullPath = CheckPath(path);
        }
        catch (InvalidInputException e)
        {
            return e;
        }
        if (!File.Exists(fullPath)) return null;
        using var connection = new SqliteConnection(new SqliteConnectionStringBuilder
        {
            DataSource = fullPath,
            Mode = SqliteOpenMode.ReadOnly,
            Pooling = false,
        }.ToString());
        try
        {
            connection.Open();
            CheckFile(connection, fullPath);
            using var check = Sql.Command(connection, "PRAGMA quick_check(1)");
            var verdict = check.ExecuteScalar() as string;
            return verdict == "ok" ? null : IndexErrors.Damaged(fullPath, verdict ?? "SQLite's check gave no verdict");
        }
        catch (InvalidInputException e)
        {
            return e;
        }
        catch (SqliteException e) when (IndexErrors.UserError(fullPath, BusyTimeoutMilliseconds, e) is { } user)
        {
            return user;
        }
    }

    /// <summary>The full path of an index, refusing a folder or a device before SQLite sees it.</summary>
    private static string CheckPath(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        SqliteRuntime.EnsureInitialized();
        var fullPath = Path.GetFullPath(path);
        if (Directory.Exists(fullPath))
        {
            throw new InvalidInputException($"The index path '{fullPath}' is a folder.", "Give a file name for the index, for example index.db inside that folder.")
            {
                Setting = SettingKeys.Index,
            };
        }

        // SQLite would open /dev/null and then fail (or, as root, create /dev/null-journal beside it).
        if (FileKind.Special(fullPath) is { } kind)
        {
            throw new InvalidInputException($"The index path '{fullPath}' is {FileKind.Describe(kind)}, not a regular file.", "Give the path of an index file, or a name that does not exist yet to create a new index.")
            {
                Setting = SettingKeys.Index,
            };
        }

        return fullPath;
    }

    /// <summary>A prepared command that lives (and is disposed) with the connection.</summary>
    public SqliteCommand Command(string text, params ReadOnlySpan<string> parameters)
    {
        var command = Sql.Command(Connection, text, parameters);
        _owned.Add(command);
        return command;
    }

    /// <summary>Something else that holds prepared commands and is disposed with the connection.</summary>
    public T Own<T>(T disposable) where T : IDisposable
    {
        _owned.Add(disposable);
        return disposable;
    }

    /// <summary>A one-off command for a read, inside the open batch's transaction if there is one.</summary>
    public SqliteCommand ReadCommand(string text, params ReadOnlySpan<string> parameters)
    {
        ThrowIfDisposed();
        var command = Sql.Command(Connection, text, parameters);
        command.Transaction = ReadTransaction;
        return command;
    }

    /// <summary>Prepares <paramref name="commands"/> for a read: the index is open and they name the batch's transaction.</summary>
    public void Reading(params ReadOnlySpan<SqliteCommand> commands)
    {
        ThrowIfDisposed();
        Sql.Enlist(ReadTransaction, commands);
    }

    /// <summary>
    /// Runs <paramref name="write"/> in its own immediate transaction and commits it, after committing an
    /// open batch. On any failure the transaction rolls back, so every document stays wholly old or
    /// wholly new; SQLite failures a user can fix (full disk, another writer) become their message.
    /// </summary>
    public T Write<T>(Func<SqliteTransaction, T> write) => Mapped(() =>
    {
        ThrowIfDisposed();
        FlushBatch();
        using var transaction = Connection.BeginTransaction(deferred: false);
        var result = write(transaction);
        transaction.Commit();
        return result;
    });

    /// <summary>
    /// Runs one document's write in the open batch, inside a savepoint so that a failure undoes only
    /// that document, or in its own transaction when no batch is open.
    /// </summary>
    public T WriteDocument<T>(Func<SqliteTransaction, T> write, long chars)
    {
        if (_batch is not { } batch)
        {
            return Write(write);
        }

        return Mapped(() =>
        {
            ThrowIfDisposed();
            var shared = batch.Transaction();
            shared.Save(DocumentSavepoint);
            T result;
            try
            {
                result = write(shared);
                shared.Release(DocumentSavepoint);
            }
            catch
            {
                try
                {
                    shared.Rollback(DocumentSavepoint);
                    shared.Release(DocumentSavepoint);
                }
                catch (SqliteException)
                {
                    // SQLite rolled the whole transaction back itself (a full disk does).
                    batch.Abandon();
                }

                throw;
            }

            batch.Written(chars);
            return result;
        });
    }

    /// <summary>Begins a transaction the caller owns (a streamed document), after committing an open batch.</summary>
    public SqliteTransaction BeginOwnTransaction() => Mapped(() =>
    {
        ThrowIfDisposed();
        FlushBatch();
        return Connection.BeginTransaction(deferred: false);
    });

    /// <summary>What a user can fix about <paramref name="e"/> (see <see cref="IndexErrors.UserError"/>), or null.</summary>
    public InvalidInputException? UserError(SqliteException e) => IndexErrors.UserError(FilePath, BusyTimeoutMilliseconds, e);

    /// <summary>Runs a step of a write whose transaction someone else commits, mapping the failures a user can fix.</summary>
    public T Mapped<T>(Func<T> write)
    {
        try
        {
            return write();
        }
        catch (SqliteException e) when (IndexErrors.UserError(FilePath, BusyTimeoutMilliseconds, e) is { } user)
        {
            throw user;
        }
    }

    public WriteBatch BeginBatch(int maxDocuments, long maxChars, TimeSpan maxAge)
    {
        ThrowIfDisposed();
        if (_batch is not null)
        {
            throw new InvalidOperationException("A write batch is already open on this index.");
        }

        _batch = new WriteBatch(this, maxDocuments, maxChars, maxAge, Time);
        return _batch;
    }

    public void CommitBatch(SqliteTransaction transaction) => Mapped(() =>
    {
        transaction.Commit();
        return 0;
    });

    public void EndBatch(WriteBatch batch)
    {
        if (ReferenceEquals(_batch, batch))
        {
            _batch = null;
        }
    }

    /// <summary>Commits an open batch before work that needs the whole connection.</summary>
    public void FlushBatch() => _batch?.Commit();

    public void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        foreach (var owned in _owned)
        {
            owned.Dispose();
        }

        Connection.Dispose();
    }

    /// <summary>Refuses anything that is not an SQLite file holding a LocalQa index this build understands, before writing a byte.</summary>
    private static int CheckFile(SqliteConnection connection, string path)
    {
        long version, applicationId, objects;
        try
        {
            version = Sql.ScalarLong(connection, null, "PRAGMA user_version");
            applicationId = Sql.ScalarLong(connection, null, "PRAGMA application_id");
            objects = Sql.ScalarLong(connection, null, "SELECT count(*) FROM sqlite_schema");
        }
        catch (SqliteException e) when (IndexErrors.IsNotADatabase(e) && HasIndexHeader(path))
        {
            throw IndexErrors.Damaged(path, e.Message, e);
        }
        catch (SqliteException e) when (IndexErrors.IsNotADatabase(e))
        {
            throw new InvalidInputException(
                $"'{path}' is not a LocalQa index (not an SQLite database).",
                "Pass the path of an index file, or a name that does not exist yet to create a new index.",
                e);
        }

        if (applicationId != IndexMigrations.ApplicationId && !(applicationId == 0 && objects == 0))
        {
            throw new InvalidInputException(
                $"'{path}' is an SQLite database of another program, not a LocalQa index.",
                "Pass the path of an index file, or a name that does not exist yet to create a new index.");
        }

        if (version > IndexMigrations.CurrentVersion)
        {
            throw new InvalidInputException(
                $"The index '{path}' has schema version {version}, newer than this LocalQa understands ({IndexMigrations.CurrentVersion}).",
                "Upgrade LocalQa to open this index, or build a new index in another file.");
        }

        return (int)version;
    }

    // A file whose header is a LocalQa index's (SQLite's magic and our application id) but which SQLite
    // cannot read is a damaged index (cut short, overwritten), not some other file.
    private static bool HasIndexHeader(string path)
    {
        try
        {
            using var file = File.OpenRead(path);
            Span<byte> header = stackalloc byte[72];
            return file.ReadAtLeast(header, header.Length, throwOnEndOfStream: false) == header.Length
                   && header[..16].SequenceEqual("SQLite format 3\0"u8)
                   && System.Buffers.Binary.BinaryPrimitives.ReadInt32BigEndian(header[68..]) == IndexMigrations.ApplicationId;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static void Configure(SqliteConnection connection)
    {
        // WAL is a property of the file, the rest of the connection: a reader in another process
        // never blocks on a writer, and a second writer waits instead of failing at once.
        Sql.Execute(connection, null, "PRAGMA journal_mode = WAL");
        Sql.Execute(connection, null, "PRAGMA synchronous = NORMAL");
        Sql.Execute(connection, null, "PRAGMA busy_timeout = " + BusyTimeoutMilliseconds.ToString(CultureInfo.InvariantCulture));
        Sql.Execute(connection, null, "PRAGMA foreign_keys = ON");
        Sql.Execute(connection, null, "PRAGMA cache_size = -" + CacheKibibytes.ToString(CultureInfo.InvariantCulture));
        Sql.Execute(connection, null, "PRAGMA journal_size_limit = " + JournalSizeLimitBytes.ToString(CultureInfo.InvariantCulture));
    }
}
