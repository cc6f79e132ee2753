using System.Security.Cryptography;
using System.Text.Json;
using LocalQa.Core.Index;

namespace LocalQa.Cli.Tests.Reliability;

/// <summary>
/// The disk holding the index fills up during an ingest: the user gets exit code 2 and a message
/// naming the index and the fix, and the index keeps every document it had, each whole, so a
/// rerun with space completes it.
/// </summary>
public sealed class DiskFullTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    // Mounts a 1 MiB tmpfs in a private mount namespace (it vanishes with the process, so nothing
    // leaks onto the machine), ingests onto it, and copies the index files out afterwards.
    private const string Script = """
        mount -t tmpfs -o size=1m localqa-full "$1" || exit 97
        dotnet "$2" ingest "$3" --index "$1/index.db"
        code=$?
        cp "$1"/index.db* "$4"/
        exit $code
        """;

    [Fact]
    [Trait("Category", "Reliability")]
    public void A_full_disk_during_ingest_is_exit_2_naming_the_index_and_keeps_every_document_whole()
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("Size-limited file systems are mounted with Linux namespaces here.");
        var corpus = Corpus.Write(Path.Combine(_cli.Home, "corpus"), files: 40, sentences: 400, seed: 3);
        var mountPoint = Directory.CreateDirectory(Path.Combine(_cli.Home, "small-disk")).FullName;
        var copy = Directory.CreateDirectory(Path.Combine(_cli.Home, "copied")).FullName;

        ChildResult full;
        try
        {
            full = LocalQaProcess.RunCommand(_cli.Home, ["unshare", "-m", "sh", "-c", Script, "sh", mountPoint, CliRunner.LocalQaDll, corpus, copy]);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Skip($"unshare is not available, so no size-limited disk can be made: {e.Message}");
            return;
        }
        if (full.ExitCode == 97 || (full.ExitCode != 2 && full.Err.Contains("unshare", StringComparison.Ordinal)))
            Assert.Skip($"Mounting a small tmpfs in a private mount namespace is not permitted here (needs root): {full.Err.Trim()}");

        Assert.True(full.ExitCode == 2, full.ToString());
        var index = Path.Combine(mountPoint, "index.db");
        Assert.Contains($"'{index}'", full.Err, StringComparison.Ordinal);
        Assert.Contains("full", full.Err, StringComparison.Ordinal);
        Assert.Contains("--index", full.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", full.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", full.Err, StringComparison.Ordinal);

        // The index as the full disk left it: valid, each stored document whole and current.
        var copied = Path.Combine(copy, "index.db");
        int kept;
        using (var idx = LocalQaIndex.Open(copied))
        {
            var report = idx.IntegrityCheck();
            Assert.True(report.IsOk, string.Join("; ", report.Problems));
            var docs = idx.ListDocuments();
            kept = docs.Count;
            Assert.InRange(kept, 1, 39); // some fitted, not all
            foreach (var doc in docs)
            {
                Assert.Equal(Sha256(doc.Path), doc.ContentHash);
                Assert.True(doc.ChunkCount > 0, doc.Path);
                for (var i = 0; i < doc.ChunkCount; i++) Assert.NotNull(idx.GetChunk(doc.Id, i));
                Assert.Null(idx.GetChunk(doc.Id, doc.ChunkCount));
            }
        }

        // With space, the same command finishes the job from where it stopped.
        var rerun = LocalQaProcess.Run(_cli.Home, ["ingest", corpus, "--index", copied, "--json"]);
        Assert.True(rerun.ExitCode == 0, rerun.ToString());
        using var json = JsonDocument.Parse(rerun.Out);
        Assert.Equal(kept, json.RootElement.GetProperty("unchanged").GetInt32());
        Assert.Equal(40, json.RootElement.GetProperty("documents").GetInt32());
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));
}
