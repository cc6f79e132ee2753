using System.Text.Json;

namespace LocalQa.Cli.Tests;

public sealed class AskCliTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void First_ask_on_a_fresh_home_ingests_the_seeds_and_answers_extractively_with_citations()
    {
        var r = _cli.Run("ask", "Which company did Meta acquire about 49% of?");
        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("ingested", r.Err, StringComparison.Ordinal);
        Assert.Contains("Scale AI", r.Out, StringComparison.Ordinal);
        Assert.Matches(@"\[\d\]", r.Out);
        Assert.Contains("extractive", r.Out, StringComparison.Ordinal);
        Assert.Contains("models download", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Json_output_has_the_documented_shape()
    {
        var r = _cli.Run("ask", "Which company did Meta acquire about 49% of?", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var root = doc.RootElement;
        Assert.Equal("extractive", root.GetProperty("mode").GetString());
        Assert.False(root.GetProperty("abstained").GetBoolean());
        Assert.Contains("Scale AI", root.GetProperty("answer").GetString(), StringComparison.Ordinal);
        var first = root.GetProperty("sources")[0];
        foreach (var key in new[] { "rank", "document", "title", "chunk", "score", "text" }) Assert.True(first.TryGetProperty(key, out _), key);
        Assert.EndsWith(".txt", first.GetProperty("document").GetString(), StringComparison.Ordinal);
        var t = root.GetProperty("timings");
        foreach (var key in new[] { "retrieval_ms", "prompt_tokens", "reused_tokens", "prompt_ms", "ttft_ms", "generated_tokens", "decode_ms", "total_ms" })
            Assert.True(t.TryGetProperty(key, out _), key);
    }

    [Fact]
    public void An_unanswerable_question_abstains()
    {
        var r = _cli.Run("ask", "What is the stock price of Meta today?", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.True(doc.RootElement.GetProperty("abstained").GetBoolean());
        Assert.Equal("The articles don't say.", doc.RootElement.GetProperty("answer").GetString());
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void An_empty_question_is_bad_input(string question)
    {
        var r = _cli.Run("ask", question);
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("question is empty", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_100_kB_question_is_refused_clearly()
    {
        var r = _cli.Run("ask", new string('x', 100_000));
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("100000 characters", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_missing_model_is_bad_input_naming_the_file()
    {
        var r = _cli.Run("ask", "Who is LeCun?", "--model", "/nonexistent/model.gguf");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("/nonexistent/model.gguf", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Unknown_options_are_usage_errors()
    {
        var r = _cli.Run("ask", "x", "--no-such-flag");
        Assert.Equal(2, r.ExitCode);
    }
}
