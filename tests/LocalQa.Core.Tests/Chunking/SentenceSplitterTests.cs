using LocalQa.Core.Text;
using Xunit;

namespace LocalQa.Core.Tests.Chunking;

public sealed class SentenceSplitterTests
{
    private static string[] Sentences(string text) =>
        [.. SentenceSplitter.Split(text).Select(s => text.Substring(s.Start, s.Length))];

    [Fact]
    public void Splits_plain_sentences_and_trims_them()
    {
        Assert.Equal(["One sentence.", "Another one!", "A third?"], Sentences("  One sentence. Another one!  A third?  "));
    }

    [Theory]
    [InlineData("Dr. Smith met Mr. Jones at 5 p.m. on Friday.")]
    [InlineData("The U.S. economy grew 3.5 percent in 2023.")]
    [InlineData("Some models, e.g. LLaMA, are open; others, i.e. GPT-4, are not.")]
    [InlineData("Paszke, A. et al. (2019) wrote it.")]
    [InlineData("It was written by J. R. R. Tolkien in Oxford.")]
    [InlineData("See Fig. 3 and No. 7 in Vol. 2 of the report.")]
    [InlineData("The deal closed on Dec. 9 after months of talks.")]
    [InlineData("He paused... and then went on.")]
    [InlineData("“Who will not do it?” he asked the room.")]
    [InlineData("Version 3.10.2 is faster than 3.9 by 1.5x.")]
    public void Does_not_split_at_abbreviations_decimals_initials_or_before_lower_case(string sentence)
    {
        Assert.Equal([sentence], Sentences(sentence));
    }

    [Fact]
    public void Keeps_closing_quotes_and_brackets_with_the_sentence()
    {
        Assert.Equal(
            ["He said “it works.”", "Then he left.", "(This was in 2013.)", "Next!"],
            Sentences("He said “it works.” Then he left. (This was in 2013.) Next!"));
    }

    [Fact]
    public void An_ellipsis_before_a_capital_ends_a_sentence()
    {
        Assert.Equal(["Wait…", "What happened?"], Sentences("Wait… What happened?"));
    }

    [Fact]
    public void Line_breaks_are_boundaries_even_without_punctuation()
    {
        Assert.Equal(["Heading", "First line", "Second paragraph."], Sentences("Heading\nFirst line\r\n\r\nSecond paragraph."));
    }

    [Fact]
    public void List_markers_do_not_end_sentences()
    {
        Assert.Equal(["1. Meta (2013).", "\"Facebook AI Research Launch.\"", "Press release."], Sentences("1. Meta (2013). \"Facebook AI Research Launch.\" Press release."));
    }

    [Fact]
    public void Splits_after_an_abbreviation_that_is_not_a_title_when_a_capital_follows()
    {
        Assert.Equal(["They sold books, maps, etc.", "Then they closed."], Sentences("They sold books, maps, etc. Then they closed."));
    }

    [Fact]
    public void Enumerating_does_not_allocate()
    {
        var text = string.Concat(Enumerable.Repeat("Dr. Smith saw 3.5 cats. They ran away! Why? 1. U.S. The end. ", 200));
        var count = 0;
        foreach (var unused in SentenceSplitter.Enumerate(text))
        {
            count++;
        }

        var before = GC.GetAllocatedBytesForCurrentThread();
        count = 0;
        foreach (var unused in SentenceSplitter.Enumerate(text))
        {
            count++;
        }

        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.Equal(800, count);
    }

    [Fact]
    public void A_megabyte_without_punctuation_is_one_sentence_found_in_linear_time()
    {
        var text = new string('a', 1 << 20);
        List<TextSpan> spans = [];
        var (ratio, pieces, whole) = Growth.TimeRatio(() => SentenceSplitter.Split(text.AsSpan(0, text.Length / 16)), 16, () => spans = SentenceSplitter.Split(text));
        Assert.Equal([new TextSpan(0, text.Length)], spans);
        // One pass takes as long as sixteen over its sixteenths; a rescan per character sixteen times that.
        Assert.True(ratio < 4, $"16 x 64 KiB: {pieces}, 1 MiB: {whole} ({ratio:F1}x).");
    }
}
