using System.Text.Json;

namespace LocalQa.Cli.Tests;

public sealed class SummarizeCliTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void The_context_flag_sizes_the_summarizing_context()
    {
        var model = Path.Combine(_cli.Home, "summarize-tiny.gguf");
        LocalQa.Testing.SyntheticModel.WriteTiny(model);
        var article = Directory.GetFiles(Path.Combine(CliRunner.RepoRoot, "seeds")).Order(StringComparer.Ordinal).First();

        var fits = _cli.Run("summarize", article, "--model", model, "--max-words", "20", "--json");
        Assert.True(fits.ExitCode == 0, fits.Err);

        // The same run with the map sequences cut to 64 tokens (llama.cpp rounds a context up to 256) cannot hold
        // a 20-word summary: the flag reached the summarizer, which builds its own multi-sequence context.
        var small = _cli.Run("summarize", article, "--model", model, "--max-words", "20", "--context", "64", "--json");
        Assert.Equal(ExitCodes.BadInput, small.ExitCode);
        Assert.True(small.Err.Contains("The summarizing context (", StringComparison.Ordinal) && small.Err.Contains("is too small", StringComparison.Ordinal), small.Err);
    }

    [Fact]
    public void An_article_already_in_the_library_is_named_as_a_near_copy_before_merely_related_ones()
    {
        var seeds = Path.Combine(CliRunner.RepoRoot, "seeds");
        var ingest = _cli.Run("ingest", seeds);
        Assert.True(ingest.ExitCode == 0, ingest.Err);
        var original = Directory.GetFiles(seeds).Order(StringComparer.Ordinal).ElementAt(3);
        // The same article saved again elsewhere, with a line of the saving site's own on top.
        var resaved = Path.Combine(_cli.Home, "resaved.txt");
        File.WriteAllText(resaved, "Saved from a newsletter\n\n" + File.ReadAllText(original));

        var r = _cli.Run("summarize", resaved, "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var related = doc.RootElement.GetProperty("related");
        // Other seeds (all on Meta's AI people) are listed after it, each at or above the relatedness bar (0.2).
        Assert.True(related.GetArrayLength() >= 2, r.Out);
        Assert.Equal(original, related[0].GetProperty("document").GetString());
        Assert.True(related[0].GetProperty("near_copy").GetBoolean());
        Assert.InRange(related[0].GetProperty("score").GetDouble(), 0.5, 1.0);
        for (var i = 1; i < related.GetArrayLength(); i++)
        {
            Assert.False(related[i].GetProperty("near_copy").GetBoolean());
            Assert.InRange(related[i].GetProperty("score").GetDouble(), 0.2, 1.0);
            Assert.NotEqual(original, related[i].GetProperty("document").GetString());
        }

        var text = _cli.Run("summarize", resaved);
        Assert.Contains($"{original} (a near-copy of this article", text.Out, StringComparison.Ordinal);

        // An article on the same subject in other words is related, not a copy.
        var other = _cli.Run("summarize", Directory.GetFiles(seeds).Order(StringComparer.Ordinal).First(), "--json");
        Assert.True(other.ExitCode == 0, other.Err);
        using var otherDoc = JsonDocument.Parse(other.Out);
        // Seed 000 ends with its publisher's "about us" paragraph: indexed, but not part of a summary.
        Assert.DoesNotContain("Gnoppix", otherDoc.RootElement.GetProperty("summary").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain("Gnoppix", otherDoc.RootElement.GetProperty("key_points").ToString(), StringComparison.Ordinal);
        foreach (var rel in otherDoc.RootElement.GetProperty("related").EnumerateArray())
        {
            Assert.False(rel.GetProperty("near_copy").GetBoolean(), rel.GetProperty("document").GetString());
        }
    }

    [Fact]
    public void A_page_on_another_subject_has_nothing_related_in_a_library_of_the_seeds()
    {
        const string page = "/usr/share/doc/python3.11/html/library/functools.html";
        if (!File.Exists(page)) Assert.Skip($"Python's documentation is not installed ({page} is absent; Debian package python3.11-doc).");
        var ingest = _cli.Run("ingest", Path.Combine(CliRunner.RepoRoot, "seeds"));
        Assert.True(ingest.ExitCode == 0, ingest.Err);

        var r = _cli.Run("summarize", page);

        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("Related in your library: nothing related in your library.", r.Out, StringComparison.Ordinal);
    }
}
