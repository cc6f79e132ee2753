using System.Text;
using LocalQa.Core.Documents;
using LocalQa.Core.Tests.Golden;
using Xunit;

namespace LocalQa.Core.Tests.Documents;

public sealed class HtmlAndMarkdownTests
{
    private static string Page(string name) => Path.Combine(TestPaths.TestProjectFolder, "Documents", "TestPages", name);

    private static string Report(LoadResult result)
    {
        var document = result.Document!;
        var report = new StringBuilder();
        report.Append("title: ").AppendLine(document.Title);
        foreach (var heading in document.Headings)
        {
            report.Append("heading h").Append(heading.Level).Append(": ").AppendLine(document.Text.Substring(heading.Start, heading.Length));
        }

        foreach (var removed in result.Removed)
        {
            report.Append("removed [").Append(removed.Rule).Append("]: ").AppendLine(removed.Text);
        }

        report.AppendLine("----- text -----").AppendLine(document.Text);
        return report.ToString();
    }

    [Fact]
    public void Html_page_matches_its_golden_file()
    {
        var result = DocumentLoader.Load(Page("news-article.html"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(DocumentFormat.Html, result.Format);
        GoldenFile.AssertMatches("news-article.html.txt", Report(result));
    }

    [Fact]
    public void Html_keeps_the_article_and_drops_scripts_navigation_ads_and_forms()
    {
        var document = DocumentLoader.Load(Page("news-article.html"), cancellationToken: TestContext.Current.CancellationToken).Document!;

        Assert.Equal("Open Models Reach the Laptop | The Daily Byte", document.Title);
        Assert.StartsWith("Open Models Reach the Laptop\n\nBy Ada Example", document.Text, StringComparison.Ordinal);
        Assert.Contains("Small language models now run on ordinary laptops.", document.Text, StringComparison.Ordinal);
        Assert.Contains("Researchers at the lab, led by Dr. Grace Hopper, measured 40 tokens per second on a two-core machine. \u201CThat is fast enough for reading,\u201D she said.", document.Text, StringComparison.Ordinal);
        Assert.Contains("Quantization stores each weight in fewer bits.\nThe loss in quality is small for most tasks.", document.Text, StringComparison.Ordinal);
        Assert.Contains("Q4_K_M keeps most of the quality.\nQ8_0 is nearly lossless.", document.Text, StringComparison.Ordinal);
        Assert.Contains("Format | Size\nF16 | 3.1 GB", document.Text, StringComparison.Ordinal);
        Assert.Contains("publish its benchmarks in an open paper next month.", document.Text, StringComparison.Ordinal);
        foreach (var junk in new[] { "dataLayer", "font-family", "trackScroll", "Home", "Subscribe", "cookies", "Accept all", "Advertisement", "SuperPhone", "Share on", "Getty", "Related articles", "kitchen", "Leave a Reply", "Post Comment", "All rights reserved", "Privacy Policy", "icon", "Tags:", "newsletter" })
        {
            Assert.DoesNotContain(junk, document.Text, StringComparison.Ordinal);
        }

        var headings = document.Headings.Select(h => (document.Text.Substring(h.Start, h.Length), h.Level)).ToArray();
        Assert.Equal([("Open Models Reach the Laptop", 1), ("How quantization works", 2), ("What comes next", 2)], headings);
    }

    [Fact]
    public void Html_without_article_or_main_keeps_the_body_and_the_title()
    {
        var html = "<html><head><title>Plain Page</title></head><body><nav>Menu stuff</nav><div><p>First paragraph of the page.</p><p>Second one.</p></div><footer>Footer text</footer></body></html>";

        var document = DocumentLoader.LoadText(html, "plain.html").Document!;

        Assert.Equal("Plain Page", document.Title);
        Assert.Equal("Plain Page\n\nFirst paragraph of the page.\n\nSecond one.", document.Text);
        Assert.Equal([new HeadingSpan(0, 10, 1)], document.Headings);
    }

    [Fact]
    public void Markdown_file_matches_its_golden_file()
    {
        var result = DocumentLoader.Load(Page("guide.md"), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal(DocumentFormat.Markdown, result.Format);
        GoldenFile.AssertMatches("guide.md.txt", Report(result));
    }

    [Fact]
    public void Markdown_drops_markup_but_keeps_heading_lines_link_text_and_code()
    {
        var document = DocumentLoader.Load(Page("guide.md"), cancellationToken: TestContext.Current.CancellationToken).Document!;

        Assert.Equal("Running Models Locally", document.Title);
        Assert.Contains("Local models keep your data on your own machine. See the llama.cpp project for the engine, or read the short guide below.", document.Text, StringComparison.Ordinal);
        Assert.Contains("Run localqa ask \"What is FAIR?\".", document.Text, StringComparison.Ordinal);
        Assert.Contains("localqa ingest ./articles\nlocalqa ask \"Who leads FAIR?\"", document.Text, StringComparison.Ordinal);
        Assert.Contains("Q4_K_M | 4 | good", document.Text, StringComparison.Ordinal);
        Assert.Contains("Quantization is a trade-off between size and quality. Most users never notice the difference.", document.Text, StringComparison.Ordinal);
        foreach (var junk in new[] { "**", "](", "![", "```", "author:", "editor note", "Share this", "CC-BY-SA", "Skip to content", "pipeline.png", "|---" })
        {
            Assert.DoesNotContain(junk, document.Text, StringComparison.Ordinal);
        }

        var headings = document.Headings.Select(h => document.Text.Substring(h.Start, h.Length)).ToArray();
        Assert.Equal(["Running Models Locally", "Install", "Formats"], headings);
    }
}
