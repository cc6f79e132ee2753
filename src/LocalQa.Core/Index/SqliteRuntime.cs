using Microsoft.Data.Sqlite;

namespace LocalQa.Core.Index;

/// <summary>Process-wide SQLite setup: the native provider is registered exactly once.</summary>
internal static class SqliteRuntime
{
    private static readonly Lazy<bool> Initialized = new(Initialize, LazyThreadSafetyMode.ExecutionAndPublication);

    /// <summary>Registers the bundled e_sqlite3 provider and proves that it was built with FTS5.</summary>
    public static void EnsureInitialized() => _ = Initialized.Value;

    private static bool Initialize()
    {
        SQLitePCL.Batteries_V2.Init();
        using var connection = new SqliteConnection("Data Source=:memory:");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT sqlite_compileoption_used('ENABLE_FTS5')";
        if (Convert.ToInt64(command.ExecuteScalar(), System.Globalization.CultureInfo.InvariantCulture) != 1)
        {
            // The index cannot work without full-text search; this is a packaging bug, not user input.
            throw new InvalidOperationException("The bundled SQLite library was built without FTS5; LocalQa needs SQLitePCLRaw.bundle_e_sqlite3.");
        }

        return true;
    }
}
