using Microsoft.Data.Sqlite;

namespace LocalQa.Core.Index;

/// <summary>
/// The one map from SQLite's error codes to what a user can fix, as a message naming the index and
/// the fix. Anything not listed is a bug and surfaces as the SQLite exception.
/// </summary>
internal static class IndexErrors
{
    private const int SqliteReadOnly = 8;
    private const int SqliteBusy = 5;
    private const int SqliteLocked = 6;
    private const int SqliteCorrupt = 11;
    private const int SqliteFull = 13;
    private const int SqliteCannotOpen = 14;
    private const int SqliteNotADatabase = 26;
    private const int SqliteIoErrorShmSize = 10 | (19 << 8); // SQLITE_IOERR_SHMSIZE: no room to grow the -shm file

    /// <summary>The file exists but is not an SQLite database (or is damaged beyond reading its header).</summary>
    public static bool IsNotADatabase(SqliteException e) => e.SqliteErrorCode is SqliteNotADatabase or SqliteCorrupt;

    /// <summary>A failure while opening: a read-only or unopenable file, or anything <see cref="UserError"/> maps.</summary>
    public static InvalidInputException? OnOpen(string path, int busyTimeoutMilliseconds, SqliteException e) =>
        e.SqliteErrorCode is SqliteReadOnly or SqliteCannotOpen
            ? new InvalidInputException(
                $"Cannot open the index '{path}' for writing: {e.Message}",
                "Check that the file and its folder are writable, or choose another index path.",
                e)
            : UserError(path, busyTimeoutMilliseconds, e);

    /// <summary>A full disk, another process's write lock or a damaged file; null for anything else.</summary>
    public static InvalidInputException? UserError(string path, int busyTimeoutMilliseconds, SqliteException e) => e.SqliteErrorCode switch
    {
        SqliteFull => DiskFull(path, e),
        SqliteCorrupt or SqliteNotADatabase => Damaged(path, e.Message, e),
        _ when e.SqliteExtendedErrorCode == SqliteIoErrorShmSize => DiskFull(path, e),
        SqliteBusy or SqliteLocked => new InvalidInputException(
            $"The index '{path}' is locked: another LocalQa process is writing to it (waited {busyTimeoutMilliseconds / 1000} s).",
            "Wait for the other process to finish, or stop it, then run this again; nothing was lost.",
            e),
        _ => null,
    };

    /// <summary>
    /// The index file is damaged (pages overwritten, the file cut short) or inconsistent. Nothing
    /// here touches it: it may hold what a recovery tool can still read.
    /// </summary>
    public static InvalidInputException Damaged(string path, string what, Exception? inner = null) => new(
        $"The index '{path}' is damaged ({what}); LocalQa has not changed it.",
        "Move the file aside (keep it if you want to try recovering it) and ingest your folders again to build a new index, or choose another index file.",
        inner)
    { Setting = SettingKeys.Index };

    private static InvalidInputException DiskFull(string path, SqliteException e) => new(
        $"The disk holding the index '{path}' is full; every document already stored in it is whole.",
        "Free space on that disk and run this again, or put the index on another disk.",
        e)
    { Setting = SettingKeys.Index };
}
