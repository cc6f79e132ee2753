using System.Text.Json;

namespace LocalQa.Cli.Tests;

/// <summary>
/// The keys of ask, summarize and ingest --json, in order and nested as scripts read them. The
/// commands serialize the result records themselves, so renaming or adding a property there changes
/// what users' scripts see: this test makes that a decision, not an accident.
/// </summary>
public sealed class JsonShapeTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private static readonly string[] Factor = ["factor", "value", "reason"];

    [Fact]
    public void Ask_json_keeps_its_keys()
    {
        var ask = Json(_cli.Run("ask", "Which company did Meta acquire about 49% of?", "--json"));
        Assert.Equal(["answer", "mode", "abstained", "sources", "cited", "invalid_citations", "note", "why", "timings"], Keys(ask));
        Assert.Equal(["rank", "document", "title", "chunk", "score", "text", "page"], Keys(ask.GetProperty("sources")[0]));
        var why = ask.GetProperty("why")[0];
        Assert.Equal(["sentence", "passage", "score", "factors"], Keys(why));
        Assert.Equal(Factor, Keys(why.GetProperty("factors")[0]));
        Assert.Equal(["retrieval_ms", "prompt_tokens", "reused_tokens", "prompt_ms", "ttft_ms", "generated_tokens", "decode_ms", "total_ms"], Keys(ask.GetProperty("timings")));
        Assert.Equal("extractive", ask.GetProperty("mode").GetString());
    }

    [Fact]
    public void Summarize_json_keeps_its_keys()
    {
        var article = Directory.GetFiles(Path.Combine(CliRunner.RepoRoot, "seeds")).Order(StringComparer.Ordinal).First();
        var summary = Json(_cli.Run("summarize", article, "--json"));
        Assert.Equal(["source", "title", "summary", "key_points", "mode", "related", "words", "note", "why", "timings"], Keys(summary));
        Assert.Equal(["document", "title", "score", "passage", "near_copy", "page"], Keys(summary.GetProperty("related")[0]));
        var why = summary.GetProperty("why")[0];
        Assert.Equal(["sentence", "score", "factors"], Keys(why));
        Assert.Equal(Factor, Keys(why.GetProperty("factors")[0]));
        Assert.Equal(["map_ms", "reduce_ms", "related_ms", "total_ms", "generated_tokens", "tokens_per_second", "map_sequences", "reduce_steps"], Keys(summary.GetProperty("timings")));
    }

    [Fact]
    public void Ingest_json_keeps_its_keys()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_cli.Home, "notes")).FullName;
        var seeds = Directory.GetFiles(Path.Combine(CliRunner.RepoRoot, "seeds")).Order(StringComparer.Ordinal).ToArray();
        File.Copy(seeds[0], Path.Combine(folder, "original.txt"));
        File.Copy(seeds[0], Path.Combine(folder, "saved-copy.txt"));
        File.WriteAllBytes(Path.Combine(folder, "binary.txt"), [0, 1, 2, 0, 0, 0, 3, 4]);
        var report = Json(_cli.Run("ingest", folder, "--json"));
        Assert.Equal(["added", "updated", "unchanged", "removed", "skipped", "documents", "chunks", "seconds", "embedded", "lexical_only", "index", "warnings", "near_duplicates"], Keys(report));
        Assert.Equal(["path", "message"], Keys(report.GetProperty("warnings")[0]));
        Assert.Equal(["path", "copy_of"], Keys(report.GetProperty("near_duplicates")[0]));
    }

    private static string[] Keys(JsonElement e) => e.EnumerateObject().Select(p => p.Name).ToArray();

    private static JsonElement Json(CliRunner.Result r)
    {
        Assert.True(r.ExitCode == 0, r.Err);
        return JsonDocument.Parse(r.Out).RootElement.Clone();
    }
}
