using System.Text.RegularExpressions;
using LocalQa.Core.Index;

namespace LocalQa.Cli.Tests.Reliability;

/// <summary>
/// A folder of 100,000 notes through the real CLI: memory stays under the bound and progress is
/// drawn. A class of its own, so that xunit runs it beside the other test classes instead of after
/// the rest of <see cref="BoundedResourceTests"/>: it is the longest test, and it shares nothing.
/// Filter on the trait Category=BoundedResources to run only these.
/// </summary>
public sealed class ManySmallFilesTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    /// <summary>How many small files: 100,000; LOCALQA_MANY_FILES=3000 makes a quick run.</summary>
    private static int ManyFiles =>
        int.TryParse(Environment.GetEnvironmentVariable("LOCALQA_MANY_FILES"), out var n) && n > 0 ? n : 100_000;

    [Fact]
    [Trait("Category", "BoundedResources")]
    public void Many_small_files_ingest_with_progress_on_a_terminal()
    {
        var files = ManyFiles;
        var corpus = BoundedResourceTests.WriteNotes(Path.Combine(_cli.Home, "many"), 0, files);
        var index = Path.Combine(_cli.Home, "many.db");

        var r = BoundedResourceTests.IngestOnTerminal(_cli.Home, corpus, index);

        Assert.True(r.ExitCode == 0, r.ToString());
        var shown = Regex.Matches(r.Out, $@"files (\d+)/{files}").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).Distinct().ToList();
        Assert.True(shown.Count >= 5, $"progress drawn {shown.Count} times: {string.Join(", ", shown.Take(20))}");
        Assert.Contains(shown, n => n > 0 && n < files);
        Assert.Contains($"{files} added", r.Out, StringComparison.Ordinal);
        TestContext.Current.SendDiagnosticMessage($"{files} files ingested in {r.Elapsed.TotalSeconds:F1} s, progress drawn at {shown.Count} counts, peak resident {r.PeakResidentBytes >> 20} MiB.");
        // One file at a time: the list of paths is all that grows with the folder.
        // script(1) itself needs a few MiB; a .NET process far more: this is localqa's own peak.
        Assert.True(r.PeakResidentBytes > 32L << 20, $"peak {r.PeakResidentBytes >> 10} KiB: only the terminal wrapper's memory was read");
        Assert.True(r.PeakResidentBytes < BoundedResourceTests.StreamingBoundBytes, $"peak resident memory {r.PeakResidentBytes >> 20} MiB for {files} files; bound {BoundedResourceTests.StreamingBoundBytes >> 20} MiB");
        using var idx = LocalQaIndex.Open(index);
        var stats = idx.Stats();
        Assert.Equal(files, stats.Documents);
        Assert.Equal(1, stats.DuplicateGroups); // the notes are one text with other numbers: one group
    }
}
