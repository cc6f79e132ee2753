using System.Text;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;
using LocalQa.Core.Documents;
using Xunit;

namespace LocalQa.Core.Tests.Documents;

/// <summary>Issue 24, case 1 and 2: nesting that a parser cannot or should not follow all the way down.</summary>
public sealed class DeepNestingTests
{
    private static string Quotes(int depth) => new string('>', depth) + " The quoted text is here.\n";

    private static string NestedList(int depth)
    {
        var text = new StringBuilder();
        for (var i = 0; i < depth; i++)
        {
            text.Append(' ', 2 * i).Append("- item ").Append(i).Append('\n');
        }

        return text.ToString();
    }

    private static string NestedDivs(int depth) =>
        new StringBuilder().Insert(0, "<div>", depth).Append("The innermost text.").Insert(0, "<html><body>").Append(new StringBuilder().Insert(0, "</div>", depth)).ToString();

    [Theory]
    [InlineData(200)]
    [InlineData(129)]
    public void A_deeply_nested_quote_is_read_as_plain_text_with_a_warning(int depth)
    {
        var result = DocumentLoader.LoadText(Quotes(depth), "deep.md");

        Assert.True(result.IsLoaded, result.SkipReason);
        Assert.Contains("The quoted text is here.", result.Document!.Text, StringComparison.Ordinal);
        Assert.Contains(result.Warnings, w => w.StartsWith("deep.md: ", StringComparison.Ordinal) && w.Contains("read as plain text", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(150)]
    [InlineData(3000)]
    public void A_deeply_nested_list_is_read_as_plain_text_with_a_warning(int depth)
    {
        var result = DocumentLoader.LoadText(NestedList(depth), "deep.md");

        Assert.True(result.IsLoaded, result.SkipReason);
        Assert.Contains($"item {depth - 1}", result.Document!.Text, StringComparison.Ordinal);
        Assert.Contains(result.Warnings, w => w.Contains("read as plain text", StringComparison.Ordinal));
    }

    [Fact]
    public void Ordinary_nesting_is_still_parsed_as_Markdown()
    {
        var result = DocumentLoader.LoadText("# Title\n\n" + NestedList(8) + "\n> > > quoted\n", "ok.md");

        Assert.True(result.IsLoaded, result.SkipReason);
        Assert.Empty(result.Warnings);
        Assert.DoesNotContain("- item", result.Document!.Text, StringComparison.Ordinal);
        Assert.DoesNotContain(">", result.Document.Text, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(200, 0, 0)]
    [InlineData(0, 70, 0)]
    [InlineData(0, 0, 70)]
    public void The_nesting_estimate_never_undercounts_what_Markdig_refuses(int quotes, int bullets, int ordered)
    {
        // Markdig refuses more than 128 blocks; each input here is past that, so the estimate must
        // exceed MaxNesting for the parser never to see it.
        var text = new StringBuilder();
        text.Append(new string('>', quotes)).Append(" q\n");
        for (var i = 0; i < bullets; i++)
        {
            text.Append(' ', 2 * i).Append("- b\n");
        }

        for (var i = 0; i < ordered; i++)
        {
            text.Append(' ', 3 * i).Append("1. o\n");
        }

        Assert.True(MarkdownParser.NestingEstimate(text.ToString()) > MarkdownParser.MaxNesting);
    }

    [Fact]
    public void A_folder_with_a_deeply_nested_Markdown_file_loads_all_its_files()
    {
        using var folder = new TempFolder();
        folder.Write("a.md", "# First\n\nThe first article.\n");
        folder.Write("b.md", Quotes(200));
        folder.Write("c.md", NestedList(150));
        folder.Write("d.md", "# Last\n\nThe last article.\n");

        var results = DocumentLoader.LoadMany([folder.Path], cancellationToken: TestContext.Current.CancellationToken).ToList();

        Assert.Equal(4, results.Count);
        Assert.All(results, r => Assert.True(r.IsLoaded, r.SkipReason));
    }

    [Fact]
    public void Deeply_nested_HTML_keeps_its_text_and_warns()
    {
        var result = DocumentLoader.LoadText(NestedDivs(20_000), "deep.html");

        Assert.True(result.IsLoaded, result.SkipReason);
        Assert.Contains("The innermost text.", result.Document!.Text, StringComparison.Ordinal);
        Assert.Contains(result.Warnings, w => w.StartsWith("deep.html: ", StringComparison.Ordinal) && w.Contains("nested deeper than", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("div")]
    [InlineData("span")]
    [InlineData("blockquote")]
    public void The_tree_AngleSharp_builds_is_bounded_in_depth(string tag)
    {
        // AngleSharp's work per start tag grows with the depth of the open elements, so bounding the
        // depth of the tree it builds is what keeps the parse linear; counted here, not timed.
        const int Depth = 20_000;
        var html = new StringBuilder().Insert(0, $"<{tag} class=\"a>b\">", Depth).Append("deep text").Append(new StringBuilder().Insert(0, $"</{tag}>", Depth)).ToString();

        var bounded = HtmlNesting.Bound(html, out var dropped);
        using var document = new HtmlParser().ParseDocument(bounded);

        Assert.Equal(Depth - HtmlNesting.MaxDepth, dropped);
        Assert.InRange(TreeDepth(document), HtmlNesting.MaxDepth, HtmlNesting.MaxDepth + 4);
        Assert.Contains("deep text", document.Body!.TextContent, StringComparison.Ordinal);
    }

    [Fact]
    public void A_page_within_the_bound_is_not_rewritten()
    {
        var html = "<html><head><title>T</title><script>if (a < b) { x = '<div>'; }</script></head><body>"
                   + new StringBuilder().Insert(0, "<div><p>para<li>item<br><img src=x>", 100) + "</body></html>";

        Assert.Same(html, HtmlNesting.Bound(html, out var dropped));
        Assert.Equal(0, dropped);
    }

    private static int TreeDepth(IDocument document)
    {
        var deepest = 0;
        var pending = new Stack<(INode Node, int Depth)>();
        pending.Push((document, 0));
        while (pending.Count > 0)
        {
            var (node, depth) = pending.Pop();
            deepest = Math.Max(deepest, depth);
            foreach (var child in node.ChildNodes)
            {
                pending.Push((child, depth + 1));
            }
        }

        return deepest;
    }
}
