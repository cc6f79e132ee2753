using Xunit;

namespace LocalQa.Core.Tests.Golden;

public sealed class GoldenFileTests
{
    [Fact]
    public void A_mismatch_names_the_file_and_shows_the_differing_line_with_context()
    {
        var message = GoldenFile.Compare("seed.clean.txt", "line one\nline two\nline three\nline four", "line one\nline two\nline 3\nline four");

        Assert.NotNull(message);
        Assert.Contains("seed.clean.txt", message, StringComparison.Ordinal);
        Assert.Contains("@@ line 3 @@", message, StringComparison.Ordinal);
        Assert.Contains("  line two", message, StringComparison.Ordinal);
        Assert.Contains("- line three", message, StringComparison.Ordinal);
        Assert.Contains("+ line 3", message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_inserted_line_is_reported_once_not_as_every_line_after_it()
    {
        var expected = string.Join('\n', Enumerable.Range(0, 50).Select(i => $"line {i}"));
        var actual = expected.Replace("line 10\n", "line 10\nSkip to content\n", StringComparison.Ordinal);

        var message = GoldenFile.Compare("x.txt", expected, actual)!;

        Assert.Contains("+ Skip to content", message, StringComparison.Ordinal);
        Assert.Contains("inserted", message, StringComparison.Ordinal);
        Assert.Single(message.Split('\n'), l => l.StartsWith("@@", StringComparison.Ordinal));
    }

    [Fact]
    public void Equal_texts_give_no_message()
    {
        Assert.Null(GoldenFile.Compare("x.txt", "same\ntext", "same\ntext"));
    }

    [Fact]
    public void A_failing_golden_assertion_throws_with_the_diff_and_writes_the_received_file()
    {
        if (Environment.GetEnvironmentVariable("LOCALQA_UPDATE_GOLDEN") == "1")
        {
            Assert.Skip("Golden files are being rewritten.");
        }

        var error = Assert.ThrowsAny<Exception>(() => GoldenFile.AssertMatches("000_b43b1536f21f9801.clean.txt", "A different text\n"));

        Assert.Contains("@@ line 1 @@", error.Message, StringComparison.Ordinal);
        Assert.Contains("+ A different text", error.Message, StringComparison.Ordinal);
        var received = error.Message[(error.Message.LastIndexOf("Full output: ", StringComparison.Ordinal) + "Full output: ".Length)..].Trim();
        Assert.Equal("A different text\n", File.ReadAllText(received));
    }
}
