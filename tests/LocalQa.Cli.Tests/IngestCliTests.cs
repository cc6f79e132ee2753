using System.Text.Json;

namespace LocalQa.Cli.Tests;

public sealed class IngestCliTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void A_re_saved_copy_of_an_article_is_reported_as_a_near_copy_and_both_are_kept()
    {
        var library = Directory.CreateDirectory(Path.Combine(_cli.Home, "library")).FullName;
        var seeds = Directory.GetFiles(Path.Combine(CliRunner.RepoRoot, "seeds")).Order(StringComparer.Ordinal).ToArray();
        foreach (var f in seeds) File.Copy(f, Path.Combine(library, Path.GetFileName(f)));
        var original = Path.Combine(library, Path.GetFileName(seeds[3]));
        // The same article saved again from another page: a different first line, the body unchanged.
        var copy = Path.Combine(library, "saved-again.txt");
        File.WriteAllText(copy, "Saved from a newsletter\n\n" + File.ReadAllText(original));

        var r = _cli.Run("ingest", library, "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        foreach (var key in new[] { "added", "updated", "unchanged", "removed", "skipped", "documents", "chunks", "seconds" })
            Assert.True(root.TryGetProperty(key, out _), key);
        Assert.Equal(6, root.GetProperty("added").GetInt32());
        Assert.Equal(6, root.GetProperty("documents").GetInt32());
        var near = root.GetProperty("near_duplicates");
        Assert.Equal(1, near.GetArrayLength());
        Assert.Equal(copy, near[0].GetProperty("path").GetString());
        Assert.Equal(original, near[0].GetProperty("copy_of").GetString());

        File.AppendAllText(copy, "\nA reader's note added at the end.\n");
        var again = _cli.Run("ingest", library);
        Assert.True(again.ExitCode == 0, again.Err);
        Assert.Contains($"near-copy: {copy} repeats {original}", again.Out, StringComparison.Ordinal);
        Assert.Contains("1 updated, 5 unchanged", again.Out, StringComparison.Ordinal);
    }
}
