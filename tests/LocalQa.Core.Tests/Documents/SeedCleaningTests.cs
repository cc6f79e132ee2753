using System.Text;
using Xunit;
using LocalQa.Core.Documents;
using LocalQa.Core.Tests.Golden;

namespace LocalQa.Core.Tests.Documents;

/// <summary>The five seed articles, cleaned, against golden files; plus the junk and the sentences that matter.</summary>
public sealed class SeedCleaningTests
{
    public static TheoryData<string> Seeds =>
    [
        "000_b43b1536f21f9801.txt",
        "001_652201106ac4656c.txt",
        "002_eef2950eca6efa2a.txt",
        "003_1858c857c14478af.txt",
        "004_e18ac48bfc6d7d52.txt",
    ];

    private static LoadResult Load(string seed) =>
        DocumentLoader.Load(TestPaths.Seed(seed), cancellationToken: TestContext.Current.CancellationToken);

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Cleaned_seed_matches_its_golden_file(string seed)
    {
        var result = Load(seed);

        Assert.True(result.IsLoaded, result.SkipReason);
        GoldenFile.AssertMatches(Path.GetFileNameWithoutExtension(seed) + ".clean.txt", result.Document!.Text);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Removed_blocks_of_seed_match_their_golden_file(string seed)
    {
        var result = Load(seed);

        var report = new StringBuilder();
        report.Append("title: ").AppendLine(result.Document!.Title);
        foreach (var heading in result.Document.Headings)
        {
            report.Append("heading: ").AppendLine(result.Document.Text.Substring(heading.Start, heading.Length));
        }

        foreach (var removed in result.Removed)
        {
            report.Append("removed [").Append(removed.Rule).Append("]: ").AppendLine(removed.Text);
        }

        GoldenFile.AssertMatches(Path.GetFileNameWithoutExtension(seed) + ".removed.txt", report.ToString());
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void No_junk_survives_in_any_seed(string seed)
    {
        var text = Load(seed).Document!.Text;

        Assert.DoesNotContain("Skip to content", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Leave a Reply", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("required fields are marked", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("will not be published", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("What are your thoughts on this?", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Released under CC-BY-SA", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Call for contributions", text, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("please contribute on GitHub", text, StringComparison.Ordinal);
        foreach (var line in text.Split('\n'))
        {
            Assert.False(string.Equals(line.Trim(), "Advertisement", StringComparison.OrdinalIgnoreCase), $"An 'Advertisement' line survived in {seed}.");
            Assert.DoesNotMatch(@"^[+\-−]?[\d,]+\.\d+( \([+\-−][\d.]+%\))?$", line);
        }
    }

    [Fact]
    public void Market_ticker_of_004_is_gone_and_its_article_starts_with_the_headline()
    {
        var document = Load("004_e18ac48bfc6d7d52.txt").Document!;

        foreach (var ticker in new[] { "NIKKEI 225", "HANG SENG", "CRUDE OIL", "GOLD FUTURES", "Bitcoin GBP", "NASDAQ Composite", "UK markets closed", "38,405.66", "+470.90", "(-3.79%)" })
        {
            Assert.DoesNotContain(ticker, document.Text, StringComparison.Ordinal);
        }

        Assert.Equal("The \u2018Meta AI mafia\u2019 brain drain continues with at least 3 more high-level departures", document.Title);
        Assert.StartsWith(document.Title, document.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Getty Images", document.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("originally featured on Fortune.com", document.Text, StringComparison.Ordinal);
        Assert.Contains("Devi Parikh, Meta\u2019s senior director of generative AI, also left last week", document.Text, StringComparison.Ordinal);
        Assert.Contains("So I only look back with fond memories and a sense of pride for what my people accomplished.", document.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Seed_000_keeps_the_whole_article_and_drops_the_comment_prompt()
    {
        var document = Load("000_b43b1536f21f9801.txt").Document!;

        Assert.Contains("LeCun\u2019s tenure at Meta, formerly known as Facebook, began in December 2013 when he joined as the founding director of the New York-based AI research lab, FAIR (Facebook AI Research).", document.Text, StringComparison.Ordinal);
        Assert.Contains("The AI community watches closely, eager to see how his latest pursuit will redefine the boundaries of machine intelligence.", document.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("in the comments below", document.Text, StringComparison.Ordinal);
        Assert.Equal("Yann LeCun leaves Meta to launch new AI startup", document.Title);
    }

    [Fact]
    public void Seed_002_drops_navigation_breadcrumb_and_licence_but_keeps_sections_and_references()
    {
        var document = Load("002_eef2950eca6efa2a.txt").Document!;

        Assert.DoesNotContain("House \u00B7 Meta AI (FAIR)", document.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Eyewitness Accounts", document.Text, StringComparison.Ordinal);
        Assert.Contains("Subsequently, LLaMA 3 (April 2024, 8B/70B)", document.Text, StringComparison.Ordinal);
        Assert.Contains("\"The LLM is an off-ramp on the road to AGI, not the highway.\"", document.Text, StringComparison.Ordinal);
        Assert.Contains("Meta then invested over 14 billion dollars to acquire about 49% of Scale AI", document.Text, StringComparison.Ordinal);
        Assert.Contains("Zuckerberg, M. (2024). \"Open Source AI Is the Path Forward.\" Meta blog.", document.Text, StringComparison.Ordinal);
        Assert.EndsWith("\"Inside Meta's $14 Billion Scale AI Acquisition.\"", document.Text, StringComparison.Ordinal);
        Assert.StartsWith("The most committed open-source advocate", document.Text, StringComparison.Ordinal);
        Assert.Equal("Meta AI (FAIR)", document.Title);
    }

    [Fact]
    public void Seed_003_drops_reading_time_cross_links_and_comment_form()
    {
        var document = Load("003_1858c857c14478af.txt").Document!;

        Assert.DoesNotContain("10 mins read", document.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Valve's Console Dream", document.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Silicon Desert vs. Dragon's Memory", document.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("The Ghost in the Machine", document.Text, StringComparison.Ordinal);
        Assert.Equal("The Civil War Inside Meta: Why a Top AI Chief\u2019s Exit Signals a New Era for Artificial Intelligence", document.Title);
        Assert.Contains("The Great Divide: Research Purity vs. Product Pragmatism", document.Text, StringComparison.Ordinal);
        Assert.Contains("For Entrepreneurs and Startups", document.Text, StringComparison.Ordinal);
        Assert.Contains("Pesenti was tasked with bridging the gap between the company\u2019s two major AI powerhouses.", document.Text, StringComparison.Ordinal);
        Assert.Contains("On the other side, you had AML (Applied Machine Learning)", document.Text, StringComparison.Ordinal);
        Assert.EndsWith("the answer will shape the landscape for years to come.", document.Text, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void Every_substantial_line_of_a_seed_is_either_kept_verbatim_or_reported_removed(string seed)
    {
        var path = TestPaths.Seed(seed);
        var result = Load(seed);
        var kept = result.Document!.Text;
        var removed = result.Removed.Select(r => r.Text).ToHashSet(StringComparer.Ordinal);

        foreach (var raw in File.ReadAllLines(path))
        {
            var line = raw.Trim();
            if (line.Length > 0)
            {
                Assert.True(kept.Contains(line, StringComparison.Ordinal) || removed.Contains(line), $"Line lost without a report in {seed}: {line}");
            }
        }
    }
}
