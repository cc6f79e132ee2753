using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LocalQa.Core.Index;
using LocalQa.Core.Retrieval;
using Xunit;

namespace LocalQa.Core.Tests.Retrieval;

public sealed class FtsQueryBuilderTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly LocalQaIndex _index;

    public FtsQueryBuilderTests()
    {
        _index = LocalQaIndex.Open(_folder.IndexPath);

        // Words that are FTS5 operators in upper case, so that quoting mistakes would change results.
        const string text = "Near the river, and not far from the bridge, an otter or two hunt at night.\n\nThe AND gate and the NOT gate: logic NEAR(1) 5*3 = 15. Café Zürich naïve 東京.";
        _index.UpsertDocument(IndexTestData.MakeDocument("/fts.txt", text), IndexTestData.ParagraphChunks(text, 5));
    }

    public void Dispose()
    {
        _index.Dispose();
        _folder.Dispose();
    }

    [Theory]
    [InlineData("Who is Meta's Chief AI Scientist?", "\"meta\" OR \"chief\" OR \"ai\" OR \"scientist\"")]
    [InlineData("When was LLaMA 3 released?", "\"llama\" OR \"3\" OR \"released\"")]
    [InlineData("NEAR(otter river) AND NOT bridge*", "\"near\" OR \"otter\" OR \"river\" OR \"bridge\"")]
    [InlineData("title:\"xy\" OR -yz +zz ^ww", "\"title\" OR \"xy\" OR \"yz\" OR \"zz\" OR \"ww\"")]
    [InlineData("Jérôme   Pesenti — Jérôme", "\"jérôme\" OR \"pesenti\"")]
    public void Questions_become_quoted_terms_joined_by_OR(string question, string expected)
    {
        Assert.Equal(expected, FtsQueryBuilder.Build(question));
    }

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    [InlineData("What is it?")]
    [InlineData("\"*:()^-+\"")]
    [InlineData("😀 🎉 👍🏽")]
    [InlineData("a b c")]
    public void Questions_without_searchable_terms_give_null(string question)
    {
        Assert.Null(FtsQueryBuilder.Build(question));
    }

    [Fact]
    public void Operator_words_are_searched_for_as_words()
    {
        var query = FtsQueryBuilder.Build("NEAR AND gate")!;
        var hits = _index.SearchFullText(query, 10);

        Assert.Equal("\"near\" OR \"gate\"", query);
        Assert.Equal(2, hits.Count);
        Assert.Contains("gate", hits[0].Chunk.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Accents_in_the_question_do_not_matter()
    {
        Assert.Single(_index.SearchFullText(FtsQueryBuilder.Build("cafe zurich")!, 10));
        Assert.Single(_index.SearchFullText(FtsQueryBuilder.Build("NAÏVE")!, 10));
    }

    [Fact]
    public void Embedded_quotes_are_doubled()
    {
        var builder = new System.Text.StringBuilder();
        FtsQueryBuilder.AppendQuoted(builder, "say \"hi\"");

        Assert.Equal("\"say \"\"hi\"\"\"", builder.ToString());
    }

    [Fact]
    public void A_10_kB_text_makes_a_bounded_query_that_runs()
    {
        var random = new Random(3);
        var text = string.Concat(Enumerable.Range(0, 2000).Select(i => i % 3 == 0
            ? "word" + random.Next(100_000).ToString(System.Globalization.CultureInfo.InvariantCulture) + " "
            : QueryTexts.Fragments[random.Next(QueryTexts.Fragments.Length)] + " "));
        Assert.True(text.Length >= 10_000);

        var query = FtsQueryBuilder.Build(text);

        Assert.NotNull(query);
        Assert.Equal(FtsQueryBuilder.MaxTerms, FtsQueryBuilder.Terms(text).Count);
        _ = _index.SearchFullText(query, 10);
    }

    [Property(Arbitrary = new[] { typeof(QueryTexts) }, MaxTest = 400)]
    public void Any_text_gives_a_query_that_fts5_runs_or_null(QueryText input)
    {
        var query = FtsQueryBuilder.Build(input.Text);
        if (query is null)
        {
            Assert.Empty(FtsQueryBuilder.Terms(input.Text));
            return;
        }

        _ = _index.SearchFullText(query, 5);
    }
}

public sealed record QueryText(string Text)
{
    public override string ToString() => Text;
}

/// <summary>Strings made of FTS5 syntax, operator words, emoji, odd Unicode and random UTF-16 (lone surrogates included).</summary>
public static class QueryTexts
{
    internal static readonly string[] Fragments =
    [
        "\"", "\"\"", "'", "*", "NEAR", "NEAR(", "NEAR/3", "near", "AND", "OR", "NOT", "and", "or", "not", "(", ")", ":",
        "^", "-", "+", "{", "}", "[", "]", ",", ".", "\\", "title:", "body:", "heading:", "chunks_fts", "rank", "*:",
        "😀", "👍🏽", "🇨🇭", "é", "e\u0301", "\u0301", "ß", "İ", "𝔘𝔫𝔦", "東京", "مرحبا", "\0", "\t", "\n", " ", "  ",
        "\uD800", "\uDC00", "\uFFFD", "\u200B", "otter", "river", "LeCun", "Meta's", "3", "2024", "x", "café",
    ];

    public static Arbitrary<QueryText> Texts()
    {
        var fragment = Gen.Elements(Fragments);
        var anyChar = Gen.Choose(0, 0xFFFF).Select(c => ((char)c).ToString());
        var piece = Gen.Frequency((3, fragment), (1, anyChar));
        return Gen.ListOf(piece).Select(pieces => new QueryText(string.Concat(pieces))).ToArbitrary();
    }
}
