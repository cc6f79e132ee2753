using LocalQa.Core.Documents;
using LocalQa.Core.Documents.Cleaning;
using LocalQa.Core.Tests.Golden;
using Xunit;

namespace LocalQa.Core.Tests.Documents;

/// <summary>The cleaning rules on pages other than the seeds: the rules must generalize, and keep prose.</summary>
public sealed class BoilerplateCleanerTests
{
    private const string Body1 = "The committee met on Tuesday to discuss the new budget for the city's public libraries and parks.";
    private const string Body2 = "Officials said the plan would add three branches and extend opening hours across the northern districts.";
    private const string Body3 = "Critics argued that the money should instead go to road repairs, which have been delayed for years.";

    private static string Clean(string text) => DocumentLoader.LoadText(text, "page.txt").Document?.Text ?? "";

    private static string Article(params string[] junk) =>
        string.Join("\n\n", new[] { "City Expands Library Network", Body1 }.Concat(junk).Concat([Body2, Body3]));

    private static void AssertBodyKept(string cleaned)
    {
        Assert.StartsWith("City Expands Library Network", cleaned, StringComparison.Ordinal);
        Assert.Contains(Body1, cleaned, StringComparison.Ordinal);
        Assert.Contains(Body2, cleaned, StringComparison.Ordinal);
        Assert.Contains(Body3, cleaned, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Skip to main content")]
    [InlineData("Share this story")]
    [InlineData("» Share on Facebook")]
    [InlineData("Subscribe now")]
    [InlineData("ADVERTISEMENT")]
    [InlineData("Sponsored content")]
    [InlineData("Continue reading")]
    [InlineData("5 min read")]
    [InlineData("Back to top")]
    [InlineData("Accept all cookies")]
    [InlineData("We use cookies to give you the best experience. By continuing to browse you agree to our use of cookies.")]
    [InlineData("Sign up for our newsletter to get the latest stories in your inbox.")]
    [InlineData("Let us know what you think in the comments below!")]
    [InlineData("© 2024 Example Media Group. All rights reserved.")]
    [InlineData("Copyright 2023 The Gazette")]
    [InlineData("This article is licensed under a Creative Commons Attribution 4.0 licence.")]
    [InlineData("This article originally appeared on Example News.")]
    [InlineData("Photo: John Smith / Reuters")]
    [InlineData("Image credit: Getty Images")]
    [InlineData("Home › News › Local")]
    [InlineData("News | Politics | City Hall")]
    public void Removes_a_boilerplate_line_and_keeps_the_article(string junk)
    {
        var cleaned = Clean(Article(junk));

        Assert.DoesNotContain(junk, cleaned, StringComparison.Ordinal);
        AssertBodyKept(cleaned);
    }

    [Fact]
    public void Removes_a_comment_form_with_its_fields()
    {
        var cleaned = Clean(Article() + "\n\nLeave a Comment\n\nComment *\nName *\nEmail *\nWebsite\n\nSave my name, email, and website in this browser for the next time I comment.\n\nPost Comment\n\nThis site uses Akismet to reduce spam. Learn how your comment data is processed.");

        Assert.EndsWith(Body3, cleaned, StringComparison.Ordinal);
        AssertBodyKept(cleaned);
    }

    [Fact]
    public void Removes_a_labelled_list_of_related_stories()
    {
        var cleaned = Clean(Article() + "\n\nRelated Posts\n\nTen Things To Do In Paris This Summer\nWhy Your Cat Ignores You When You Call\nThe Best Budget Laptops Of The Year");

        Assert.EndsWith(Body3, cleaned, StringComparison.Ordinal);
        AssertBodyKept(cleaned);
    }

    [Fact]
    public void Removes_unlabelled_cross_links_between_sections_but_keeps_section_headings()
    {
        var text = string.Join("\n\n",
            "City Expands Library Network", Body1,
            "Celebrity Chef Opens Floating Restaurant On The Thames",
            "Budget Details For The New Libraries", Body2,
            "Opening Hours In The Northern Districts", Body3);

        var cleaned = Clean(text);

        Assert.DoesNotContain("Celebrity Chef", cleaned, StringComparison.Ordinal);
        Assert.Contains("Budget Details For The New Libraries\n\n" + Body2, cleaned, StringComparison.Ordinal);
        Assert.Contains("Opening Hours In The Northern Districts\n\n" + Body3, cleaned, StringComparison.Ordinal);
    }

    [Fact]
    public void Removes_a_ticker_widget_of_names_prices_and_changes()
    {
        var ticker = "Markets open\nS&P 500\n5,123.41\n+12.30 (+0.24%)\nFTSE 100\n7,930.96\n-8.10 (-0.10%)\nEUR/USD\n1.0842\n+0.0012 (+0.11%)";

        var cleaned = Clean(ticker + "\n\n" + Article());

        Assert.DoesNotContain("5,123.41", cleaned, StringComparison.Ordinal);
        Assert.DoesNotContain("FTSE", cleaned, StringComparison.Ordinal);
        Assert.DoesNotContain("Markets open", cleaned, StringComparison.Ordinal);
        AssertBodyKept(cleaned);
    }

    [Fact]
    public void Keeps_a_short_list_of_figures_that_is_not_a_ticker()
    {
        var text = Article() + "\n\nKey figures\n\nBranches: 3\nBudget: $4.2 million\nHours per week: 60";

        var cleaned = Clean(text);

        Assert.Contains("Branches: 3\nBudget: $4.2 million\nHours per week: 60", cleaned, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Readers who subscribe to the print edition will receive the report free of charge, the publisher said in a statement on Monday.")]
    [InlineData("The company said all rights reserved by the original authors would be respected when the archive is digitised next year.")]
    [InlineData("Skip to content was the first item in the old menu, according to the accessibility audit commissioned by the council.")]
    [InlineData("The paper, originally published in Nature, showed that the effect disappears at low temperatures.")]
    [InlineData("Related research on reading habits found that children who visit libraries weekly read twice as many books.")]
    [InlineData("Share prices rose 3% after the announcement, closing at 41.20 dollars.")]
    [InlineData("What do you think about this? asked the mayor, turning to the audience of librarians and parents who had gathered in the hall.")]
    public void Keeps_prose_that_merely_mentions_a_boilerplate_phrase(string sentence)
    {
        var cleaned = Clean(Article(sentence));

        Assert.Contains(sentence, cleaned, StringComparison.Ordinal);
        AssertBodyKept(cleaned);
    }

    [Fact]
    public void A_rule_can_be_added_without_editing_the_pipeline()
    {
        var rule = new PhraseRule("weather-widget", new System.Text.RegularExpressions.Regex("^\\d+°[CF]"), maxWords: 4, wholeLine: false);
        var cleaner = BoilerplateCleaner.Default.With(rule);

        var result = DocumentLoader.LoadText(Article("21°C Sunny"), "page.txt", new LoadOptions { Cleaner = cleaner });

        Assert.DoesNotContain("Sunny", result.Document!.Text, StringComparison.Ordinal);
        Assert.Contains(result.Removed, r => r.Rule == "weather-widget");
        Assert.IsType<OrphanedHeadingRule>(cleaner.Rules[^1]);
        Assert.Contains("Sunny", DocumentLoader.LoadText(Article("21°C Sunny"), "page.txt").Document!.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Rules_can_be_removed_and_cleaning_can_be_turned_off()
    {
        var text = Article("Advertisement");

        Assert.Contains("Advertisement", DocumentLoader.LoadText(text, "a.txt", new LoadOptions { Cleaner = BoilerplateCleaner.None }).Document!.Text, StringComparison.Ordinal);
        Assert.Contains("Advertisement", DocumentLoader.LoadText(text, "a.txt", new LoadOptions { Cleaner = BoilerplateCleaner.Default.Without("navigation") }).Document!.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void The_publisher_blurb_rule_is_opt_in()
    {
        var seed = File.ReadAllText(TestPaths.Seed("000_b43b1536f21f9801.txt"));
        const string blurb = "Gnoppix is the leading open-source AI Linux distribution";

        Assert.Contains(blurb, DocumentLoader.LoadText(seed, "000.txt").Document!.Text, StringComparison.Ordinal);
        var withRule = DocumentLoader.LoadText(seed, "000.txt", new LoadOptions { Cleaner = BoilerplateCleaner.Default.With(new PublisherBlurbRule()) });
        Assert.DoesNotContain(blurb, withRule.Document!.Text, StringComparison.Ordinal);
        Assert.Contains("The AI community watches closely", withRule.Document.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Repeated_footers_across_a_corpus_are_removed_but_shared_headings_stay()
    {
        const string footer = "The Gazette is an independent newspaper serving the northern districts since 1901.";
        var documents = Enumerable.Range(1, 4)
            .Select(i => DocumentLoader.LoadText($"Story {i} Headline\n\nUnique body sentence number {i} about the city council.\n\nConclusion\n\nA closing thought number {i}.\n\n{footer}", $"story{i}.txt").Document!)
            .ToList();

        var result = CorpusCleaner.RemoveRepeatedParagraphs(documents);

        var removed = Assert.Single(result.Removed);
        Assert.Equal(footer, removed.Text);
        Assert.Equal(4, removed.DocumentCount);
        for (var i = 0; i < documents.Count; i++)
        {
            var document = result.Documents[i];
            Assert.DoesNotContain(footer, document.Text, StringComparison.Ordinal);
            Assert.Contains($"Unique body sentence number {i + 1}", document.Text, StringComparison.Ordinal);
            Assert.Contains("Conclusion", document.Text, StringComparison.Ordinal);
            Assert.Equal(documents[i].ContentHash, document.ContentHash);
            Assert.Equal(["Story " + (i + 1) + " Headline", "Conclusion"], document.Headings.Select(h => document.Text.Substring(h.Start, h.Length)));
        }
    }

    [Fact]
    public void A_paragraph_in_fewer_documents_than_the_threshold_stays()
    {
        var documents = new[]
        {
            DocumentLoader.LoadText("One\n\nShared paragraph with several words in it.\n\nOnly here.", "a.txt").Document!,
            DocumentLoader.LoadText("Two\n\nShared paragraph with several words in it.\n\nOnly there.", "b.txt").Document!,
            DocumentLoader.LoadText("Three\n\nSomething else entirely, nothing shared.", "c.txt").Document!,
        };

        var result = CorpusCleaner.RemoveRepeatedParagraphs(documents);

        Assert.Empty(result.Removed);
        Assert.Same(documents[0], result.Documents[0]);
        Assert.Single(CorpusCleaner.RemoveRepeatedParagraphs(documents, minDocuments: 2).Removed);
    }
}
