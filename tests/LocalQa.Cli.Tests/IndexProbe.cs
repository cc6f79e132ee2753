using Microsoft.Data.Sqlite;

namespace LocalQa.Cli.Tests;

/// <summary>
/// Reads what a running ingest has committed, as the signal for a test to act (kill it, interrupt
/// it) once it is under way instead of after a guessed delay. Read-only, taking no lock a writer
/// waits for.
/// </summary>
internal static class IndexProbe
{
    /// <summary>
    /// How often a test that waits for the index to reach a state looks again: the wait ends on
    /// the state, whatever the machine's speed; this only sets how soon after it the test notices.
    /// </summary>
    public const int PollMilliseconds = 5;

    /// <summary>
    /// The path and content hash of each committed document; none before the index exists, or while
    /// a killed writer's log still needs recovering (which a read-only connection cannot do).
    /// </summary>
    public static IReadOnlyList<(string Path, string Hash)> Documents(string indexPath)
    {
        if (!File.Exists(indexPath)) return [];
        try
        {
            using var c = new SqliteConnection($"Data Source={indexPath};Mode=ReadOnly;Pooling=False");
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "SELECT path, content_hash FROM documents";
            using var r = cmd.ExecuteReader();
            var documents = new List<(string, string)>();
            while (r.Read()) documents.Add((r.GetString(0), r.GetString(1)));
            return documents;
        }
        catch (SqliteException)
        {
            return [];
        }
    }
}
