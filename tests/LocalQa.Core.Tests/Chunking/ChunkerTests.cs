using System.Diagnostics;
using System.Text;
using LocalQa.Core.Chunking;
using LocalQa.Core.Documents;
using LocalQa.Core.Tests.Golden;
using LocalQa.Core.Text;
using Xunit;

namespace LocalQa.Core.Tests.Chunking;

public sealed class ChunkerTests
{
    private static Document Doc(string text, params HeadingSpan[] headings) =>
        new("test.txt", "Test", text, "", text.Length, DateTimeOffset.UnixEpoch) { Headings = headings };

    /// <summary>A counter where every whitespace-separated word is one token, to make budgets easy to reason about.</summary>
    private sealed class WordCounter : ITokenCounter
    {
        public int CountTokens(ReadOnlySpan<char> text) => Words.Count(text);
    }

    [Fact]
    public void Seed_001_chunks_match_the_golden_file()
    {
        var document = DocumentLoader.Load(TestPaths.Seed("001_652201106ac4656c.txt"), cancellationToken: TestContext.Current.CancellationToken).Document!;
        var chunks = new Chunker().Split(document);

        var report = new StringBuilder();
        foreach (var chunk in chunks)
        {
            var words = chunk.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            report.Append('#').Append(chunk.Ordinal)
                .Append(" [").Append(chunk.Start).Append("..").Append(chunk.Start + chunk.Length).Append(") ")
                .Append(chunk.TokenCount).Append(" tokens | heading: ").Append(chunk.Heading ?? "(none)").AppendLine()
                .Append("   ").Append(string.Join(' ', words.Take(8))).Append(" ... ").AppendLine(string.Join(' ', words.TakeLast(6)));
        }

        GoldenFile.AssertMatches("001_652201106ac4656c.chunks.txt", report.ToString());
        Assert.All(chunks, c => Assert.InRange(c.TokenCount, 1, 256));
        Assert.Contains(chunks, c => c.Heading == "FAQ" && c.Text.StartsWith("FAQ\nQ: Who is Yann LeCun?", StringComparison.Ordinal));
    }

    [Fact]
    public void Packs_whole_sentences_up_to_the_budget_and_overlaps_by_whole_sentences()
    {
        // Five sentences of four words each, budget 10 words, overlap 4 words.
        var text = "One two three four. Five six seven eight. Nine ten eleven twelve. Thirteen fourteen fifteen sixteen. Seventeen eighteen nineteen twenty.";
        var chunks = new Chunker(new WordCounter(), new ChunkingOptions { MaxTokens = 16, OverlapTokens = 4 }).Split(Doc(text));

        Assert.Equal(
            ["One two three four. Five six seven eight. Nine ten eleven twelve. Thirteen fourteen fifteen sixteen.",
             "Thirteen fourteen fifteen sixteen. Seventeen eighteen nineteen twenty."],
            chunks.Select(c => c.Text));
        Assert.Equal([16, 8], chunks.Select(c => c.TokenCount));
    }

    [Fact]
    public void Without_overlap_chunks_do_not_share_text()
    {
        var text = string.Join(' ', Enumerable.Range(0, 40).Select(i => $"Sentence number {i} is here."));
        var chunks = new Chunker(new WordCounter(), new ChunkingOptions { MaxTokens = 20, OverlapTokens = 0 }).Split(Doc(text));

        for (var i = 1; i < chunks.Count; i++)
        {
            Assert.True(chunks[i].Start >= chunks[i - 1].Start + chunks[i - 1].Length);
        }

        Assert.Equal(10, chunks.Count);
    }

    [Fact]
    public void A_heading_starts_a_new_chunk_and_names_it()
    {
        var intro = string.Join(' ', Enumerable.Repeat("Intro text goes on here.", 20));
        var body = string.Join(' ', Enumerable.Repeat("Body text goes on here.", 5));
        var text = $"Title\n\n{intro}\n\nSecond Section\n\n{body}";
        var document = Doc(text, new HeadingSpan(0, 5, 1), new HeadingSpan(text.IndexOf("Second Section", StringComparison.Ordinal), 14, 2));

        var chunks = new Chunker(TokenEstimator.Default, new ChunkingOptions { MaxTokens = 256, OverlapTokens = 38, MinTokensBeforeHeadingBreak = 32 }).Split(document);

        Assert.Equal(2, chunks.Count);
        Assert.StartsWith("Title\n\nIntro", chunks[0].Text, StringComparison.Ordinal);
        Assert.Equal("Title", chunks[0].Heading);
        Assert.StartsWith("Second Section\n\nBody", chunks[1].Text, StringComparison.Ordinal);
        Assert.Equal("Second Section", chunks[1].Heading);
    }

    [Fact]
    public void No_chunk_ends_with_a_heading_and_overlap_does_not_cross_one()
    {
        var sentence = "Alpha beta gamma delta epsilon.";
        var first = string.Join(' ', Enumerable.Repeat(sentence, 3));
        var text = $"{first}\nHeading Here\n{first}";
        var heading = new HeadingSpan(text.IndexOf("Heading Here", StringComparison.Ordinal), 12, 0);

        // Budget 17 words: the first three sentences (15) plus the heading (2) would fit, but the heading goes with its text.
        var chunks = new Chunker(new WordCounter(), new ChunkingOptions { MaxTokens = 17, OverlapTokens = 5, MinTokensBeforeHeadingBreak = 100 }).Split(Doc(text, heading));

        Assert.Equal(first, chunks[0].Text);
        Assert.StartsWith("Heading Here", chunks[1].Text, StringComparison.Ordinal);
        Assert.Equal("Heading Here", chunks[1].Heading);
        Assert.Null(chunks[0].Heading);
    }

    [Fact]
    public void An_over_budget_sentence_is_cut_at_word_boundaries()
    {
        var words = Enumerable.Range(0, 100).Select(i => $"w{i}").ToArray();
        var text = "Short one. " + string.Join(' ', words) + ". Short two.";
        var chunks = new Chunker(new WordCounter(), new ChunkingOptions { MaxTokens = 30, OverlapTokens = 0 }).Split(Doc(text));

        Assert.All(chunks, c => Assert.InRange(c.TokenCount, 1, 30));
        foreach (var chunk in chunks)
        {
            // Cut between words: no chunk starts or ends inside a word.
            Assert.True(chunk.Start == 0 || char.IsWhiteSpace(text[chunk.Start - 1]));
            var end = chunk.Start + chunk.Length;
            Assert.True(end == text.Length || char.IsWhiteSpace(text[end]));
        }

        Assert.StartsWith("Short one. w0 w1", chunks[0].Text, StringComparison.Ordinal);
        Assert.EndsWith("w99. Short two.", chunks[^1].Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_megabyte_line_without_spaces_is_cut_at_characters_in_linear_time()
    {
        var text = new string('z', 1 << 20);
        var chunker = new Chunker();
        IReadOnlyList<Chunk> chunks = [];
        var piece = Doc(text[..(text.Length / 16)]);
        var (ratio, pieces, whole) = Growth.TimeRatio(() => chunker.Split(piece), 16, () => chunks = chunker.Split(Doc(text)));

        // The same time as its sixteenth sixteen times when each cut is found once; sixteen times that when every cut rescans.
        Assert.True(ratio < 4, $"16 x 64 KiB: {pieces}, 1 MiB: {whole} ({ratio:F1}x).");
        Assert.All(chunks, c => Assert.InRange(c.TokenCount, 1, 256));
        Assert.Equal(text.Length, chunks.Sum(c => c.Length));
        Assert.InRange(chunks.Count, 1000, 1200);
    }

    [Fact]
    public void A_megabyte_line_of_words_without_punctuation_is_cut_at_words_in_linear_time()
    {
        var builder = new StringBuilder();
        var i = 0;
        while (builder.Length < (1 << 20))
        {
            builder.Append("word").Append(i++ % 97).Append(' ');
        }

        var text = builder.ToString().TrimEnd();
        var piece = Doc(text[..text.LastIndexOf(' ', text.Length / 16)]);
        var chunker = new Chunker();
        IReadOnlyList<Chunk> chunks = [];
        var (ratio, pieces, whole) = Growth.TimeRatio(() => chunker.Split(piece), 16, () => chunks = chunker.Split(Doc(text)));

        Assert.True(ratio < 4, $"16 sixteenths: {pieces}, all: {whole} ({ratio:F1}x).");
        Assert.All(chunks, c => Assert.InRange(c.TokenCount, 1, 256));
        Assert.All(chunks, c => Assert.False(c.Text.StartsWith("ord", StringComparison.Ordinal), "A word was cut."));
    }

    [Fact]
    public void Surrogate_pairs_are_never_split()
    {
        var text = string.Concat(Enumerable.Repeat("\uD83D\uDE00", 5000));
        var chunks = new Chunker(TokenEstimator.Default, new ChunkingOptions { MaxTokens = 16, OverlapTokens = 0 }).Split(Doc(text));

        Assert.All(chunks, c =>
        {
            Assert.False(char.IsLowSurrogate(c.Text[0]));
            Assert.False(char.IsHighSurrogate(c.Text[^1]));
        });
    }

    [Fact]
    public void Chunking_time_grows_linearly_with_the_text()
    {
        var paragraph = File.ReadAllText(TestPaths.Seed("000_b43b1536f21f9801.txt"));
        var small = Doc(string.Join("\n\n", Enumerable.Repeat(paragraph, 25)));
        var large = Doc(string.Join("\n\n", Enumerable.Repeat(paragraph, 400)));
        var chunker = new Chunker();
        IReadOnlyList<Chunk> chunks = [];

        var (ratio, smallTime, largeTime) = Growth.TimeRatio(() => chunker.Split(small), 16, () => chunks = chunker.Split(large));

        // Sixteen times the text: as long as the small one sixteen times over for a linear chunker,
        // sixteen times longer still for a quadratic one.
        Assert.True(ratio < 4, $"25 copies 16 times: {smallTime}, 400 copies: {largeTime} ({ratio:F1}x).");
        Assert.True(chunks.Count > 400);
    }

    [Fact]
    public void Empty_or_blank_text_gives_no_chunks()
    {
        Assert.Empty(new Chunker().Split(Doc("")));
        Assert.Empty(new Chunker().Split(Doc(" \n\n \t")));
    }

    [Theory]
    [InlineData(8, 0)]
    [InlineData(256, 128)]
    [InlineData(256, -1)]
    public void Invalid_options_are_rejected(int maxTokens, int overlap)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new Chunker(options: new ChunkingOptions { MaxTokens = maxTokens, OverlapTokens = overlap }));
    }
}
