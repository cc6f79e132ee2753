using System.Diagnostics;
using System.Globalization;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using LocalQa.Core.Documents;
using LocalQa.Core.Extractive;
using LocalQa.Core.Summarizing;

namespace LocalQa.Core.Tests.Summarizing;

public sealed class ExtractiveSummarizerTests
{
    // Page furniture that the loader removes and that a summary must never bring back.
    private static readonly string[] Boilerplate =
    [
        "NIKKEI", "HANG SENG", "UK markets closed", "Skip to content", "Leave a Reply", "required fields are marked",
        "will not be published", "Advertisement", "originally featured on", "Released under CC-BY-SA", "Call for contributions",
        "What are your thoughts on this?", "mins read", "Getty Images",
    ];

    public static TheoryData<string, string> SeedSubjects => new()
    {
        { "000_b43b1536f21f9801.txt", "LeCun" },
        { "001_652201106ac4656c.txt", "LeCun" },
        { "002_eef2950eca6efa2a.txt", "LLaMA" },
        { "003_1858c857c14478af.txt", "Pesenti" },
        { "004_e18ac48bfc6d7d52.txt", "Meijer" },
    };

    [Fact]
    public void Cells_of_a_table_flattened_into_text_are_not_summary_sentences_but_a_one_off_label_is_prose()
    {
        // Two columns of "Label: value" cells, as a scraped comparison table reads once flattened.
        var text = string.Join("\n\n",
            "The harbour council compared two plans for the old quay before the spring vote.",
            "In short: the council prefers the plan that keeps the quay open to fishing boats all year.",
            "Goal: Deeper berths for the largest trawlers in the fleet. Goal: A quay kept exactly as it was built.",
            "Cost: Four million euros over three years of works. Cost: Two million euros for repairs alone.",
            "Risk: The old stone walls may not bear the new cranes. Risk: The fishing fleet may move to another port.",
            "The fishermen say the harbour will empty within a decade without deeper berths for their boats.",
            "The museum argues that the quay is the last of its kind on the coast and draws visitors every summer.",
            "The council will publish both plans in full before the vote so that every resident can read them.");

        var summary = ExtractiveSummarizer.Summarize(text, maxWords: 80, keyPoints: 3);

        Assert.DoesNotContain("Goal:", summary.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Cost:", summary.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Risk:", summary.Text, StringComparison.Ordinal);
        Assert.All(summary.KeyPoints, p => Assert.DoesNotMatch("^(Goal|Cost|Risk):", p));
        Assert.Contains("In short:", summary.Text + string.Join(" ", summary.KeyPoints), StringComparison.Ordinal);
    }

    // An article body for the back-matter tests: what follows it must not make the summary.
    private static readonly string[] QuayArticle =
    [
        "The harbour council compared two plans for the old quay before the spring vote.",
        "The fishermen say the harbour will empty within a decade without deeper berths for their boats.",
        "The museum argues that the quay is the last of its kind on the coast and draws visitors every summer.",
        "The council will publish both plans in full before the vote so that every resident can read them.",
    ];

    [Fact]
    public void A_sentence_the_author_marks_as_the_gist_makes_the_summary_even_late_in_the_text()
    {
        var text = string.Join("\n",
            "Morning light falls on the water while the gulls circle above the fishing boats.",
            "The smell of salt and diesel hangs over the stalls where the catch is sold each day.",
            "Children run along the sea wall and the cafés open their shutters one by one.",
            "Visitors come every summer to photograph the harbour and its painted houses.",
            "In short, the council has voted to close the old quay to fishing boats from next spring.",
            "The harbour master will publish the new mooring rules in the coming weeks.");

        var summary = ExtractiveSummarizer.Summarize(text, maxWords: 40, keyPoints: 0);

        Assert.Contains("In short, the council has voted to close the old quay", summary.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_closing_reference_list_is_not_summarized()
    {
        var text = string.Join("\n", [.. QuayArticle,
            "References",
            "The council minutes of 2024 describe the plans of the harbour council for the old quay.",
            "The annual report of the museum of the coast describes the old quay and its fishing boats."]);

        var summary = ExtractiveSummarizer.Summarize(text, maxWords: 200, keyPoints: 5);

        // Sentences in form, and on the subject: only their place says they are sources.
        Assert.DoesNotContain("council minutes", summary.Text + string.Join(" ", summary.KeyPoints), StringComparison.Ordinal);
        Assert.DoesNotContain("annual report", summary.Text + string.Join(" ", summary.KeyPoints), StringComparison.Ordinal);
        Assert.Contains("fishermen", summary.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void A_glossary_at_the_end_of_an_article_is_not_summarized()
    {
        var text = string.Join("\n", [.. QuayArticle,
            "Glossary",
            "- Quay: A stone platform along the water where boats are loaded and unloaded by the harbour crews.",
            "- Berth: A place in the harbour where one boat is moored for loading, repairs or the winter months.",
            "- Trawler (fishing): A fishing boat that drags a large net behind it along the bottom of the sea."]);

        var summary = ExtractiveSummarizer.Summarize(text, maxWords: 80, keyPoints: 3);

        foreach (var term in new[] { "Quay:", "Berth:", "Trawler (fishing):" })
        {
            Assert.DoesNotContain(term, summary.Text, StringComparison.Ordinal);
            Assert.All(summary.KeyPoints, p => Assert.DoesNotContain(term, p, StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(SeedSubjects))]
    public void Summary_of_a_seed_fits_the_budget_names_its_subject_and_carries_no_boilerplate(string seed, string subject)
    {
        var document = LoadSeed(seed);

        var summary = ExtractiveSummarizer.Summarize(document.Text);

        TestContext.Current.TestOutputHelper?.WriteLine(summary.Text);
        foreach (var point in summary.KeyPoints)
        {
            TestContext.Current.TestOutputHelper?.WriteLine("- " + point);
        }

        Assert.InRange(Words(summary.Text), 40, SummarizeOptions.DefaultMaxWords);
        Assert.Equal(Words(summary.Text), summary.WordCount);
        Assert.Contains(subject, summary.Text, StringComparison.Ordinal);
        foreach (var junk in Boilerplate)
        {
            Assert.DoesNotContain(junk, summary.Text, StringComparison.OrdinalIgnoreCase);
            Assert.All(summary.KeyPoints, p => Assert.DoesNotContain(junk, p, StringComparison.OrdinalIgnoreCase));
        }

        var collapsed = Collapse(document.Text);
        Assert.All(summary.Spans, span => Assert.Contains(Collapse(span.In(document.Text).ToString()), summary.Text, StringComparison.Ordinal));
        Assert.Equal(summary.Spans.OrderBy(s => s.Start), summary.Spans);
        Assert.Equal(summary.Text, string.Join(' ', summary.Spans.Select(s => Collapse(s.In(document.Text).ToString()))));

        Assert.Equal(5, summary.KeyPoints.Count);
        Assert.Equal(summary.KeyPoints.Count, summary.KeyPoints.Distinct().Count());
        foreach (var point in summary.KeyPoints)
        {
            Assert.InRange(Words(point), 4, ExtractiveSummarizer.KeyPointWords);
            // A key point is a whole sentence of the article, led by its section's heading when it opens the section.
            Assert.True(SentenceReader.EndsLikeSentence(point), point);
            var headed = document.Headings.Select(h => string.Concat(document.Text.AsSpan(h.Start, h.Length), ": ")).FirstOrDefault(h => point.StartsWith(h, StringComparison.Ordinal));
            var quoted = headed is null ? point : point[headed.Length..];
            Assert.Contains(quoted, collapsed, StringComparison.Ordinal);
            Assert.DoesNotContain(quoted, summary.Text, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("003_1858c857c14478af.txt")]
    [InlineData("004_e18ac48bfc6d7d52.txt")]
    public void Summary_of_an_uncleaned_page_still_skips_tickers_and_comment_forms(string seed)
    {
        var raw = File.ReadAllText(TestPaths.Seed(seed));

        var summary = ExtractiveSummarizer.Summarize(raw, 120, 6);

        foreach (var junk in new[] { "NIKKEI", "Leave a Reply", "Required fields", "Advertisement", "38,405.66" })
        {
            Assert.DoesNotContain(junk, summary.Text, StringComparison.OrdinalIgnoreCase);
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("   \n\n\t  ")]
    public void A_text_without_words_gives_the_empty_summary(string text)
    {
        var summary = ExtractiveSummarizer.Summarize(text);

        Assert.Same(ExtractiveSummary.Empty, summary);
        Assert.Equal("", summary.Text);
        Assert.Empty(summary.KeyPoints);
        Assert.Equal(0, summary.WordCount);
    }

    [Theory]
    [InlineData("Meta said on Tuesday that its chief AI scientist will leave at the end of the year.")]
    [InlineData("Short one.")]
    [InlineData("A heading without a full stop")]
    public void A_one_sentence_text_is_its_own_summary(string text)
    {
        var summary = ExtractiveSummarizer.Summarize("\n  " + text + "  \n");

        Assert.Equal(text, summary.Text);
        Assert.Empty(summary.KeyPoints);
    }

    [Fact]
    public void A_sentence_longer_than_the_budget_is_passed_over_for_a_shorter_whole_one_never_cut()
    {
        var words = Enumerable.Range(1, 80).Select(i => "word" + i.ToString(CultureInfo.InvariantCulture));
        var text = string.Join(' ', words) + ". The short sentence fits the budget well.";

        var summary = ExtractiveSummarizer.Summarize(text, maxWords: 25);
        var alone = ExtractiveSummarizer.Summarize(string.Join(' ', words) + ".", maxWords: 25);

        Assert.Equal("The short sentence fits the budget well.", summary.Text);
        Assert.Equal("", alone.Text);
        Assert.DoesNotContain(summary.KeyPoints.Append(summary.Text), p => p.Contains('\u2026', StringComparison.Ordinal));
    }

    [Fact]
    public void A_sentence_repeated_in_the_article_is_quoted_once()
    {
        const string repeated = "The council approved the new tram line to the airport on Monday evening.";
        var text = string.Join("\n\n",
            repeated,
            "Construction of the eleven kilometre line starts next spring and should take three years.",
            "The council approved the new tram line to the airport on Monday evening.",
            "Opponents argued that buses would serve the airport at a fraction of the cost.",
            "The tram line will have nine stops, including the central station and the university.",
            repeated);

        var summary = ExtractiveSummarizer.Summarize(text, maxWords: 60, keyPoints: 3);

        Assert.Equal(summary.Text.IndexOf(repeated, StringComparison.Ordinal), summary.Text.LastIndexOf(repeated, StringComparison.Ordinal));
        Assert.DoesNotContain(repeated, summary.KeyPoints);
    }

    [Fact]
    public void Key_points_ask_for_ten_at_most_and_a_positive_budget()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => ExtractiveSummarizer.Summarize("Some text here.", keyPoints: SummarizeOptions.MaxKeyPoints + 1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExtractiveSummarizer.Summarize("Some text here.", keyPoints: -1));
        Assert.Throws<ArgumentOutOfRangeException>(() => ExtractiveSummarizer.Summarize("Some text here.", maxWords: 0));
        Assert.Throws<ArgumentNullException>(() => ExtractiveSummarizer.Summarize((string)null!));
        var document = LoadSeed("002_eef2950eca6efa2a.txt");
        Assert.Equal(6, ExtractiveSummarizer.Summarize(document.Text, keyPoints: 6).KeyPoints.Count);
        Assert.Empty(ExtractiveSummarizer.Summarize(document.Text, keyPoints: 0).KeyPoints);
    }

    /// <summary>
    /// Summarize accepts 0 to 10 key points with a model; without one, 7 to 10 threw
    /// ArgumentOutOfRangeException (the extractive summarizer kept at most 6), an internal error.
    /// </summary>
    [Theory]
    [InlineData(7)]
    [InlineData(10)]
    public async Task Every_key_point_count_the_options_accept_works_without_a_model(int keyPoints)
    {
        var summarizer = new Summarizer(IndexTestData.Prompts(), null, null, new SummarizeOptions { KeyPoints = keyPoints, Related = 0 });

        var result = (await summarizer.SummarizeAsync([LoadSeed("002_eef2950eca6efa2a.txt")])).Single();

        Assert.InRange(result.KeyPoints.Count, 1, keyPoints);
        Assert.InRange(result.Words, 1, SummarizeOptions.DefaultMaxWords);
    }

    /// <summary>The extractive summarizer's defaults were 120 words while the options (and the CLI) said 150.</summary>
    [Fact]
    public void The_extractive_defaults_are_the_options_defaults()
    {
        var text = LoadSeed("002_eef2950eca6efa2a.txt").Text;
        var defaults = new SummarizeOptions();

        var byDefault = ExtractiveSummarizer.Summarize(text);
        var asOptions = ExtractiveSummarizer.Summarize(text, defaults.MaxWords, defaults.KeyPoints);

        Assert.Equal(asOptions.Text, byDefault.Text);
        Assert.Equal(asOptions.KeyPoints, byDefault.KeyPoints);
        Assert.True(byDefault.WordCount > 120, $"{byDefault.WordCount} words: the old 120-word default still applies");
    }

    [Fact]
    public void A_200k_word_article_is_summarized_in_time_linear_in_its_length()
    {
        // The seeds' sentences, each made unique, until the text holds 200,000 words: far past the
        // graph limit, so the centroid path runs.
        var sentences = IndexTestData.SeedFiles()
            .SelectMany(f => DocumentLoader.Load(f).Document!.Text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            .ToList();
        var text = new StringBuilder();
        var words = 0;
        var sixteenth = 0;
        for (var i = 0; words < 200_000; i++)
        {
            var line = sentences[i % sentences.Count] + " Item " + i.ToString(CultureInfo.InvariantCulture) + ".";
            text.Append(line).Append(i % 5 == 4 ? "\n\n" : "\n");
            words += Words(line);
            if (sixteenth == 0 && words >= 200_000 / 16) sixteenth = text.Length;
        }

        var input = text.ToString();
        ExtractiveSummary? summary = null;
        var piece = input[..sixteenth];
        var (ratio, pieces, whole) = Growth.TimeRatio(() => ExtractiveSummarizer.Summarize(piece), 16, () => summary = ExtractiveSummarizer.Summarize(input));

        TestContext.Current.TestOutputHelper?.WriteLine($"{words:N0} words summarized in {whole.TotalMilliseconds:F0} ms, a sixteenth of them sixteen times in {pieces.TotalMilliseconds:F0} ms");
        Assert.InRange(summary!.WordCount, 1, SummarizeOptions.DefaultMaxWords);
        Assert.Equal(5, summary.KeyPoints.Count);
        // A sixteenth (over 600 sentences) is past the graph limit too. The linear centroid path takes
        // as long for the whole as for its sixteenths one after another; comparing every sentence
        // with every other, sixteen times as long.
        Assert.True(ratio < 4, $"a sixteenth of the text 16 times: {pieces.TotalMilliseconds:F0} ms, all of it: {whole.TotalMilliseconds:F0} ms ({ratio:F1}x)");
    }

    [Property(Arbitrary = new[] { typeof(SummaryInputs) }, MaxTest = 300)]
    public void Any_text_gives_a_summary_within_budget(SummaryInput input)
    {
        var summary = ExtractiveSummarizer.Summarize(input.Text, input.MaxWords, input.KeyPoints);

        Assert.InRange(summary.WordCount, 0, input.MaxWords);
        // Whole sentences only: the summary is empty only when no sentence it may quote fits the budget.
        if (summary.Text.Length == 0)
        {
            var sentences = SentenceReader.Read(input.Text);
            var quotable = sentences.Where(s => s.IsCandidate && !s.Labelled).ToList();
            if (quotable.Count == 0)
            {
                quotable = sentences.Where(s => s.Counts.Count > 0 && s.Kind is not (BlockKind.Code or BlockKind.TableRow)).ToList();
            }

            Assert.DoesNotContain(quotable, s => s.Words <= input.MaxWords);
        }

        Assert.InRange(summary.KeyPoints.Count, 0, input.KeyPoints);
        Assert.All(summary.KeyPoints, p => Assert.InRange(Words(p), 1, ExtractiveSummarizer.KeyPointWords));
    }

    private static Document LoadSeed(string seed)
    {
        var load = DocumentLoader.Load(TestPaths.Seed(seed));
        Assert.True(load.IsLoaded, load.SkipReason);
        return load.Document!;
    }

    private static int Words(string text) => text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Length;

    private static string Collapse(string text) => string.Join(' ', text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries));
}

public sealed record SummaryInput(string Text, int MaxWords, int KeyPoints)
{
    public override string ToString() => $"maxWords={MaxWords}, keyPoints={KeyPoints}, text={Text}";
}

/// <summary>Texts of words, sentence punctuation, quotes, line breaks and odd characters, with budgets from 1 to 150 words.</summary>
public static class SummaryInputs
{
    private static readonly string[] Fragments =
    [
        "the", "council", "tram", "airport", "Meta", "LeCun", "2024", "3.5", "e.g.", "Dr.", "U.S.", "it", "was", "new",
        ".", ". ", "? ", "! ", "\u2026 ", "\"", "\u201C", "\u201D", "(", ")", ":", ";", ",", "-", "\u2014", "\n", "\n\n", " ",
        "  ", "\t", "\u00A0", "😀", "東京。", "é", "\uD800", "\u200B", "*", "#",
    ];

    public static Arbitrary<SummaryInput> Inputs()
    {
        var piece = Gen.Frequency((6, Gen.Elements(Fragments).Select(f => f + " ")), (1, Gen.Elements(Fragments)));
        var text = Gen.ListOf(piece).Select(pieces => string.Concat(pieces));
        return (from t in text
                from maxWords in Gen.Choose(1, 150)
                from keyPoints in Gen.Choose(0, ExtractiveSummarizer.MaxKeyPoints)
                select new SummaryInput(t, maxWords, keyPoints)).ToArbitrary();
    }
}
