using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LocalQa.Core.Documents;
using LocalQa.Core.Index;

namespace LocalQa.Cli.Tests.Reliability;

/// <summary>
/// Inputs far larger than articles: memory stays a small multiple of the input and nothing grows
/// faster than the input. Run through the real CLI, with the child's peak resident memory (VmHWM).
/// Filter on the trait Category=BoundedResources to run only these.
/// </summary>
public sealed class BoundedResourceTests : IDisposable
{
    // Up to the streaming threshold (16 MiB) a file is held whole, about 5 bytes of memory per byte
    // of text (the text as UTF-16, the chunks' own copies) on top of the runtime's ~100 MiB. Past
    // it, plain text is read a section at a time and memory no longer depends on the file's size.
    private const long BaseBytes = 200L << 20;
    private const int BytesPerInputByte = 5;
    internal const long StreamingBoundBytes = 400L << 20;

    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    /// <summary>Size of the larger file: 128 MiB, with a quarter of it for the smaller; LOCALQA_LARGE_FILE_MB=64 makes a quick run.</summary>
    private static int LargeFileMegabytes =>
        int.TryParse(Environment.GetEnvironmentVariable("LOCALQA_LARGE_FILE_MB"), out var mb) && mb > 0 ? mb : 128;

    private static string SeedPath => Directory.GetFiles(Path.Combine(CliRunner.RepoRoot, "seeds")).Order(StringComparer.Ordinal).First();

    private static string WriteLargeText(string path, long bytes)
    {
        var seed = File.ReadAllText(SeedPath);
        using var writer = new StreamWriter(path, append: false, new UTF8Encoding(false), 1 << 20);
        for (var part = 0; writer.BaseStream.Length < bytes; part++)
        {
            writer.Write($"Part {part}\n\n{seed}\n\n");
            if (part % 64 == 0) writer.Flush();
        }
        return path;
    }

    private ChildResult IngestLarge(string path, string index)
    {
        var size = new FileInfo(path).Length;
        var r = LocalQaProcess.Run(_cli.Home, ["ingest", path, "--index", index, "--json"], hangGuard: TimeSpan.FromMinutes(15));
        Assert.True(r.ExitCode == 0, r.ToString());
        using var json = JsonDocument.Parse(r.Out);
        Assert.Equal(1, json.RootElement.GetProperty("added").GetInt32());
        Assert.True(json.RootElement.GetProperty("chunks").GetInt64() > size / 2000, r.Out);
        TestContext.Current.SendDiagnosticMessage($"{size >> 20} MiB ingested in {r.Elapsed.TotalSeconds:F1} s, peak resident {r.PeakResidentBytes >> 20} MiB (bound {StreamingBoundBytes >> 20} MiB).");
        Assert.True(r.PeakResidentBytes > 0, "the child's memory was never read");
        Assert.True(r.PeakResidentBytes < StreamingBoundBytes, $"peak resident memory {r.PeakResidentBytes >> 20} MiB for a {size >> 20} MiB file; bound {StreamingBoundBytes >> 20} MiB");
        return r;
    }

    [Fact]
    [Trait("Category", "BoundedResources")]
    public void A_large_text_file_ingests_in_memory_that_does_not_grow_with_its_size()
    {
        // Two sizes past the streaming threshold, the second four times the first: memory that
        // grew with the file would show as the difference of the peaks. This used to be one
        // 1 GiB file under the 400 MiB bound, which only caught growth above about a quarter of
        // a byte per byte of input (and took four minutes on a slow machine); the difference
        // catches the same growth at an eighth of the size.
        var largeBytes = (long)LargeFileMegabytes << 20;
        var smallPath = WriteLargeText(Path.Combine(_cli.Home, "quarter.txt"), largeBytes / 4);
        var path = WriteLargeText(Path.Combine(_cli.Home, "large.txt"), largeBytes);
        var index = Path.Combine(_cli.Home, "large.db");
        try
        {
            var small = IngestLarge(smallPath, Path.Combine(_cli.Home, "quarter.db"));
            var large = IngestLarge(path, index);
            var growth = large.PeakResidentBytes - small.PeakResidentBytes;
            var extra = new FileInfo(path).Length - new FileInfo(smallPath).Length;
            Assert.True(growth < extra / 4,
                $"peak resident memory {small.PeakResidentBytes >> 20} MiB for {new FileInfo(smallPath).Length >> 20} MiB, {large.PeakResidentBytes >> 20} MiB for {new FileInfo(path).Length >> 20} MiB: it grew by more than a quarter of the extra input");

            // Unchanged on a second run, and the end of the file is stored: nothing was dropped on the way.
            var again = LocalQaProcess.Run(_cli.Home, ["ingest", path, "--index", index, "--json"]);
            Assert.True(again.ExitCode == 0, again.ToString());
            using (var second = JsonDocument.Parse(again.Out)) Assert.Equal(1, second.RootElement.GetProperty("unchanged").GetInt32());
            var seedText = DocumentLoader.Load(SeedPath, cancellationToken: TestContext.Current.CancellationToken).Document!.Text;
            using var idx = LocalQaIndex.Open(index);
            var doc = Assert.Single(idx.ListDocuments());
            var tail = string.Concat(idx.GetNeighbours(doc.Id, doc.ChunkCount - 1, before: 2, after: 0).Select(c => c.Text));
            Assert.EndsWith(seedText[^60..], tail, StringComparison.Ordinal);
        }
        finally
        {
            // Hundreds of megabytes of text and index: don't keep them on disk while the rest of the suite runs.
            foreach (var f in new[] { smallPath, path, index, index + "-wal", index + "-shm" }) File.Delete(f);
        }
    }

    [Fact]
    [Trait("Category", "BoundedResources")]
    public void Progress_moves_within_one_large_file_on_a_terminal()
    {
        var path = WriteLargeText(Path.Combine(_cli.Home, "progress.txt"), 48L << 20);
        var r = IngestOnTerminal(path, Path.Combine(_cli.Home, "progress.db"));

        Assert.True(r.ExitCode == 0, r.ToString());
        var percents = Regex.Matches(r.Out, @"progress\.txt (\d+)%").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
        Assert.True(percents.Count >= 5, $"the file's progress was drawn at {percents.Count} percentages: {string.Join(", ", percents)}");
        Assert.True(percents.SequenceEqual(percents.Order()), $"progress went back: {string.Join(", ", percents)}");
        Assert.Contains(percents, p => p > 0 && p < 100);
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

    // Templated notes that differ only in numbers: every one nearly duplicates every other, the
    // worst case for near-duplicate grouping.
    internal static string WriteNotes(string folder, int first, int count)
    {
        Directory.CreateDirectory(folder);
        for (var f = first; f < first + count; f++)
            File.WriteAllText(Path.Combine(folder, $"note-{f:D5}.txt"), $"Note {f}\n\nThe keeper counted {f % 97} boats in the harbour at dusk. The tide turned at {f % 12} o'clock.\n");
        return folder;
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

    /// <summary>Runs ingest under script(1), which gives it a terminal to draw its progress bar on; skips the test where script is missing.</summary>
    private ChildResult IngestOnTerminal(string target, string index) => IngestOnTerminal(_cli.Home, target, index);

    internal static ChildResult IngestOnTerminal(string home, string target, string index)
    {
        var command = $"dotnet {Quote(CliRunner.LocalQaDll)} ingest {Quote(target)} --index {Quote(index)}";
        try
        {
            return LocalQaProcess.RunCommand(home, ["script", "-qfec", command, "/dev/null"], new Dictionary<string, string?> { ["TERM"] = "xterm-256color" }, hangGuard: TimeSpan.FromMinutes(10));
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            Assert.Skip($"script(1) is not installed, so ingest cannot be given a terminal to draw progress on: {e.Message}");
            throw;
        }
    }

    private static string Quote(string path) => "'" + path.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
