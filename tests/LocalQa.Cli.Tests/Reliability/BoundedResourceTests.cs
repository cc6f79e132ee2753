using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LocalQa.Core.Index;

namespace LocalQa.Cli.Tests.Reliability;

/// <summary>
/// Inputs far larger than articles: memory stays a small multiple of the input and nothing grows
/// faster than the input. Run through the real CLI, with the child's peak resident memory (VmHWM).
/// Filter on the trait Category=BoundedResources to run only these.
/// </summary>
public sealed class BoundedResourceTests : IDisposable
{
    // A large file costs about 5 bytes of memory per byte of text (the text as UTF-16, the chunks'
    // own copies, and SQLite's page cache) on top of the runtime's ~100 MiB: 200 MiB of text then
    // peaks near 1.07 GiB, measured. The bound allows that factor and nothing that grows faster.
    private const long BaseBytes = 200L << 20;
    private const int BytesPerInputByte = 5;

    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    /// <summary>Size of the large file: 32 MiB keeps the suite fast; LOCALQA_LARGE_FILE_MB=200 runs the full-size case (about 90 s here).</summary>
    private static int LargeFileMegabytes =>
        int.TryParse(Environment.GetEnvironmentVariable("LOCALQA_LARGE_FILE_MB"), out var mb) && mb > 0 ? mb : 32;

    [Fact]
    [Trait("Category", "BoundedResources")]
    public void A_large_text_file_ingests_with_memory_a_small_multiple_of_its_size()
    {
        var path = Path.Combine(_cli.Home, "large.txt");
        var seed = File.ReadAllText(Directory.GetFiles(Path.Combine(CliRunner.RepoRoot, "seeds")).Order(StringComparer.Ordinal).First());
        using (var writer = new StreamWriter(path, append: false, new UTF8Encoding(false)))
        {
            for (var part = 0; writer.BaseStream.Length < (long)LargeFileMegabytes << 20; part++)
            {
                writer.Write($"Part {part}\n\n{seed}\n\n");
                writer.Flush();
            }
        }
        var size = new FileInfo(path).Length;

        var r = LocalQaProcess.Run(_cli.Home, ["ingest", path, "--index", Path.Combine(_cli.Home, "large.db"), "--json"], timeoutSeconds: 600);

        Assert.True(r.ExitCode == 0, r.ToString());
        using var json = JsonDocument.Parse(r.Out);
        Assert.Equal(1, json.RootElement.GetProperty("added").GetInt32());
        Assert.True(json.RootElement.GetProperty("chunks").GetInt64() > size / 2000, r.Out);
        var bound = BaseBytes + (BytesPerInputByte * size);
        TestContext.Current.SendDiagnosticMessage($"{size >> 20} MiB ingested in {r.Elapsed.TotalSeconds:F1} s, peak resident {r.PeakResidentBytes >> 20} MiB (bound {bound >> 20} MiB).");
        Assert.True(r.PeakResidentBytes > 0, "the child's memory was never read");
        Assert.True(r.PeakResidentBytes < bound, $"peak resident memory {r.PeakResidentBytes >> 20} MiB for a {size >> 20} MiB file; bound {bound >> 20} MiB");
    }

    [Fact]
    [Trait("Category", "BoundedResources")]
    public void A_single_10_megabyte_line_without_punctuation_ingests_in_bounded_chunks()
    {
        var path = Path.Combine(_cli.Home, "one-line.txt");
        var rng = new Random(2);
        string[] words = ["harbour", "boat", "lighthouse", "storm", "captain", "net", "fish", "tide"];
        var line = new StringBuilder(10 << 20);
        while (line.Length < 10 << 20) line.Append(words[rng.Next(words.Length)]).Append(rng.Next(1000)).Append(' ');
        File.WriteAllText(path, line.ToString().TrimEnd() + "\n");
        var index = Path.Combine(_cli.Home, "line.db");

        var r = LocalQaProcess.Run(_cli.Home, ["ingest", path, "--index", index, "--json"]);

        Assert.True(r.ExitCode == 0, r.ToString());
        Assert.True(r.PeakResidentBytes < BaseBytes + (BytesPerInputByte * (10L << 20)), $"peak resident memory {r.PeakResidentBytes >> 20} MiB");
        using var idx = LocalQaIndex.Open(index);
        var doc = Assert.Single(idx.ListDocuments());
        // Cut between words, within the token budget, from the first character to the last, with
        // nothing but the spaces between words left out between one chunk and the next.
        var text = line.ToString().TrimEnd();
        var end = 0;
        for (var ordinal = 0; ordinal < doc.ChunkCount; ordinal += 1000)
        {
            foreach (var c in idx.GetNeighbours(doc.Id, ordinal, before: 0, after: 999))
            {
                Assert.InRange(c.TokenCount, 1, 256);
                Assert.True(c.Start <= end || string.IsNullOrWhiteSpace(text[end..c.Start]),
                    $"chunk {c.Ordinal} starts at {c.Start}; the previous one ended at {end}, skipping '{text[end..Math.Min(c.Start, end + 40)]}'");
                Assert.Equal(text.Substring(c.Start, c.Length), c.Text);
                end = Math.Max(end, c.Start + c.Length);
            }
        }
        Assert.Equal(text.Length, end);
    }

    /// <summary>How many small files: 3,000 keeps the suite fast (about 10 s); LOCALQA_MANY_FILES=20000 runs the full-size case.</summary>
    private static int ManyFiles =>
        int.TryParse(Environment.GetEnvironmentVariable("LOCALQA_MANY_FILES"), out var n) && n > 0 ? n : 3_000;

    // Templated notes that differ only in numbers: every one nearly duplicates every other, the
    // worst case for near-duplicate grouping.
    private static string WriteNotes(string folder, int first, int count)
    {
        Directory.CreateDirectory(folder);
        for (var f = first; f < first + count; f++)
            File.WriteAllText(Path.Combine(folder, $"note-{f:D5}.txt"), $"Note {f}\n\nThe keeper counted {f % 97} boats in the harbour at dusk. The tide turned at {f % 12} o'clock.\n");
        return folder;
    }

    [Fact]
    [Trait("Category", "BoundedResources")]
    public void Many_small_files_ingest_with_progress_on_a_terminal()
    {
        var files = ManyFiles;
        var corpus = WriteNotes(Path.Combine(_cli.Home, "many"), 0, files);
        var index = Path.Combine(_cli.Home, "many.db");

        // script(1) gives the child a terminal, where ingest draws its progress bar.
        var command = $"dotnet {Quote(CliRunner.LocalQaDll)} ingest {Quote(corpus)} --index {Quote(index)}";
        ChildResult r;
        try
        {
            r = LocalQaProcess.RunCommand(_cli.Home, ["script", "-qfec", command, "/dev/null"], new Dictionary<string, string?> { ["TERM"] = "xterm-256color" }, timeoutSeconds: 600);
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Skip($"script(1) is not installed, so ingest cannot be given a terminal to draw progress on: {e.Message}");
            return;
        }

        Assert.True(r.ExitCode == 0, r.ToString());
        var shown = Regex.Matches(r.Out, $@"files (\d+)/{files}").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
        Assert.True(shown.Count >= 5, $"progress drawn {shown.Count} times: {string.Join(", ", shown.Take(20))}");
        Assert.Contains(shown, n => n > 0 && n < files);
        Assert.Contains($"{files} added", r.Out, StringComparison.Ordinal);
        TestContext.Current.SendDiagnosticMessage($"{files} files ingested in {r.Elapsed.TotalSeconds:F1} s, progress drawn at {shown.Count} counts.");
        using var idx = LocalQaIndex.Open(index);
        var stats = idx.Stats();
        Assert.Equal(files, stats.Documents);
        Assert.Equal(1, stats.DuplicateGroups); // the notes are one text with other numbers: one group
    }

    [Fact]
    [Trait("Category", "BoundedResources")]
    public void A_file_costs_the_same_however_many_near_copies_of_it_are_indexed()
    {
        // Each new note used to be compared with every earlier copy: ingesting n copies was
        // quadratic (4,000 took 30 s, 20,000 about 12 minutes). Two equal batches into one index
        // must cost about the same CPU time; quadratic work makes the second three times the first.
        const int batch = 2_000;
        var index = Path.Combine(_cli.Home, "copies.db");
        var first = LocalQaProcess.Run(_cli.Home, ["ingest", WriteNotes(Path.Combine(_cli.Home, "first"), 0, batch), "--index", index]);
        var second = LocalQaProcess.Run(_cli.Home, ["ingest", WriteNotes(Path.Combine(_cli.Home, "second"), batch, batch), "--index", index]);
        Assert.True(first.ExitCode == 0, first.ToString());
        Assert.True(second.ExitCode == 0, second.ToString());
        var ratio = second.CpuTime / first.CpuTime;
        TestContext.Current.SendDiagnosticMessage($"CPU time: first {batch} notes {first.CpuTime.TotalSeconds:F1} s, next {batch} {second.CpuTime.TotalSeconds:F1} s ({ratio:F2}x).");
        Assert.True(ratio < 1.8, $"the second {batch} notes took {ratio:F2}x the CPU time of the first ({first.CpuTime} then {second.CpuTime})");
    }

    private static string Quote(string path) => "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
