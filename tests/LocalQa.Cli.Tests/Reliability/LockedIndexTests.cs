using LocalQa.Core.Index;
using Microsoft.Data.Sqlite;

namespace LocalQa.Cli.Tests.Reliability;

/// <summary>
/// Another process holds the index's write lock for longer than LocalQa waits: ingest gives up
/// after the busy timeout with exit code 2 and a message naming the index, not a stack trace,
/// and the index keeps everything it had.
/// </summary>
public sealed class LockedIndexTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    [Trait("Category", "Reliability")]
    public void Ingest_into_an_index_another_process_is_writing_is_exit_2_and_loses_nothing()
    {
        var index = Path.Combine(_cli.Home, "shared.db");
        var seeded = LocalQaProcess.Run(_cli.Home, ["ingest", Path.Combine(CliRunner.RepoRoot, "seeds"), "--index", index]);
        Assert.True(seeded.ExitCode == 0, seeded.ToString());
        var before = Snapshot(index);
        var corpus = Corpus.Write(Path.Combine(_cli.Home, "corpus"), files: 5, sentences: 40, seed: 4);

        ChildResult locked;
        using (var holder = new SqliteConnection($"Data Source={index};Pooling=False"))
        {
            holder.Open();
            using (var begin = holder.CreateCommand())
            {
                begin.CommandText = "BEGIN EXCLUSIVE";
                begin.ExecuteNonQuery();
            }
            locked = LocalQaProcess.Run(_cli.Home, ["ingest", corpus, "--index", index]);
            using var rollback = holder.CreateCommand();
            rollback.CommandText = "ROLLBACK";
            rollback.ExecuteNonQuery();
        }

        // The lock is held for the whole run, so the outcome does not depend on how long the
        // machine takes to get there; how long it waits is a setting (IndexSchemaTests), not timed here.
        Assert.True(locked.ExitCode == 2, locked.ToString());
        Assert.Contains($"'{index}'", locked.Err, StringComparison.Ordinal);
        Assert.Contains("another LocalQa process is writing to it (waited 10 s)", locked.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", locked.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", locked.Err, StringComparison.Ordinal);

        Assert.Equal(before, Snapshot(index));
        var again = LocalQaProcess.Run(_cli.Home, ["ingest", corpus, "--index", index]);
        Assert.True(again.ExitCode == 0, again.ToString());
        using var idx = LocalQaIndex.Open(index);
        Assert.True(idx.IntegrityCheck().IsOk);
        Assert.Equal(before.Count + 5, idx.ListDocuments().Count);
    }

    private static List<string> Snapshot(string index)
    {
        using var idx = LocalQaIndex.Open(index);
        var report = idx.IntegrityCheck();
        Assert.True(report.IsOk, string.Join("; ", report.Problems));
        return [.. idx.ListDocuments().Select(d => $"{d.Path} {d.ContentHash} {d.ChunkCount}")];
    }
}
