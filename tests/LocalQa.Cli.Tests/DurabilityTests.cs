using System.Security.Cryptography;
using LocalQa.Core.Index;
using Microsoft.Data.Sqlite;

namespace LocalQa.Cli.Tests;

/// <summary>Kill -9 in the middle of an ingest: the index must stay valid and every document whole.</summary>
public sealed class DurabilityTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private string MakeCorpus(int files, int seed)
    {
        var dir = Path.Combine(_cli.Home, $"corpus-{seed}");
        Directory.CreateDirectory(dir);
        var rng = new Random(seed);
        string[] words = ["harbour", "boat", "lighthouse", "storm", "captain", "net", "fish", "tide", "rope", "sail", "island", "gull", "anchor", "wave", "deck"];
        for (var f = 0; f < files; f++)
        {
            using var w = new StreamWriter(Path.Combine(dir, $"article-{f:D4}.txt"));
            w.WriteLine($"Article number {f} about the sea");
            w.WriteLine();
            for (var s = 0; s < 120; s++)
            {
                var n = rng.Next(6, 18);
                var sentence = string.Join(' ', Enumerable.Range(0, n).Select(_ => words[rng.Next(words.Length)]));
                w.Write(char.ToUpperInvariant(sentence[0]) + sentence[1..] + $" {f}-{s}. ");
                if (s % 8 == 7) w.WriteLine("\n");
            }
        }
        return dir;
    }

    private static string Sha256(string path) => Convert.ToHexStringLower(SHA256.HashData(File.ReadAllBytes(path)));

    // Every version each file has had: a document in the index must be one of them, whole.
    private readonly Dictionary<string, HashSet<string>> _versions = new(StringComparer.Ordinal);

    private void RecordVersions(string corpus)
    {
        foreach (var f in Directory.GetFiles(corpus))
        {
            if (!_versions.TryGetValue(f, out var set)) _versions[f] = set = [];
            set.Add(Sha256(f));
        }
    }

    private void AssertConsistent(string indexPath, string corpus)
    {
        using var index = LocalQaIndex.Open(indexPath);
        var report = index.IntegrityCheck();
        Assert.True(report.IsOk, string.Join("; ", report.Problems));
        foreach (var doc in index.ListDocuments())
        {
            // Wholly old or wholly new: the stored hash is one the file has had, and all its chunks are there.
            Assert.Contains(doc.ContentHash, _versions[doc.Path]);
            Assert.True(doc.ChunkCount > 0, doc.Path);
            for (var i = 0; i < doc.ChunkCount; i++) Assert.NotNull(index.GetChunk(doc.Id, i));
            Assert.Null(index.GetChunk(doc.Id, doc.ChunkCount));
        }
        Assert.True(index.ListDocuments().Count <= Directory.GetFiles(corpus).Length);
    }

    /// <summary>How many documents the index holds in their files' current versions: how far this run of ingest has got.</summary>
    private static int DocumentsAtCurrentVersion(string indexPath, Dictionary<string, string> current) =>
        IndexProbe.Documents(indexPath).Count(d => current.TryGetValue(d.Path, out var hash) && hash == d.Hash);

    [Fact]
    public void Twenty_sigkills_during_ingest_leave_a_valid_index_that_a_rerun_completes()
    {
        var corpus = MakeCorpus(files: 150, seed: 1);
        var indexPath = Path.Combine(_cli.Home, "killed.db");
        var rng = new Random(42);
        var killedMidway = 0;
        for (var run = 0; run < 20; run++)
        {
            // Every run changes most files, so there is work to interrupt, including replacements of indexed documents.
            if (run > 0)
            {
                foreach (var f in Directory.GetFiles(corpus).Where(_ => rng.Next(4) != 0))
                    File.AppendAllText(f, $"\n\nA late addition number {run} about the harbour.\n");
            }
            RecordVersions(corpus);
            var current = Directory.GetFiles(corpus).ToDictionary(f => f, Sha256, StringComparer.Ordinal);
            var before = DocumentsAtCurrentVersion(indexPath, current);
            // The kill comes when this run has committed a random share of its work (the index
            // is the signal), not after a guessed delay: on a slow machine a fixed delay killed
            // runs that had not opened the index yet, on a fast one runs that had finished.
            var target = before + rng.Next(1, ((current.Count - before) * 3 / 4) + 1);
            using var p = _cli.Start(["ingest", corpus, "--index", indexPath, "--json"]);
            while (!p.WaitForExit(IndexProbe.PollMilliseconds) && DocumentsAtCurrentVersion(indexPath, current) < target)
            {
            }
            if (!p.HasExited)
            {
                p.Kill(entireProcessTree: true);
                killedMidway++;
            }
            p.WaitForExit();
            AssertConsistent(indexPath, corpus);
        }
        Assert.True(killedMidway >= 5, $"only {killedMidway} runs were killed before finishing");
        var final = _cli.Run("ingest", corpus, "--index", indexPath, "--json");
        Assert.True(final.ExitCode == 0, final.Err);
        using var index = LocalQaIndex.Open(indexPath);
        Assert.Equal(150, index.ListDocuments().Count);
        Assert.Equal(150, index.ListDocuments().Select(d => d.Path).Distinct().Count());
        Assert.All(index.ListDocuments(), d => Assert.Equal(Sha256(d.Path), d.ContentHash));
        AssertConsistent(indexPath, corpus);
    }

    [Fact]
    public void Ask_answers_while_an_ingest_is_writing()
    {
        var corpus = MakeCorpus(files: 80, seed: 2);
        var indexPath = Path.Combine(_cli.Home, "busy.db");
        var seeded = _cli.Run("ingest", Path.Combine(CliRunner.RepoRoot, "seeds"), "--index", indexPath);
        Assert.True(seeded.ExitCode == 0, seeded.Err);

        // An ingest holds the write lock for a batch of documents at a time. Held here for the
        // whole ask, so the ask overlaps a writer on a machine of any speed.
        using (var writer = new SqliteConnection($"Data Source={indexPath};Pooling=False"))
        {
            writer.Open();
            using var begin = writer.CreateCommand();
            begin.CommandText = "BEGIN IMMEDIATE";
            begin.ExecuteNonQuery();
            AssertAnswers(indexPath);
        }

        // And beside a real ingest: every ask made while it runs answers (how many overlap it
        // depends on the machine's speed, so none is counted on).
        using var ingest = _cli.Start(["ingest", corpus, "--index", indexPath]);
        for (var asked = 0; asked < 3 && !ingest.HasExited; asked++) AssertAnswers(indexPath);
        ingest.WaitForExit();
        Assert.Equal(0, ingest.ExitCode);
    }

    private void AssertAnswers(string indexPath)
    {
        var r = _cli.Run(["ask", "When was LLaMA 3 released?", "--index", indexPath, "--json"], null);
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("April 2024", r.Out, StringComparison.Ordinal);
    }
}
