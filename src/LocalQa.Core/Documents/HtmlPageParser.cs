using System.Text;
using System.Text.RegularExpressions;
using AngleSharp.Dom;
using AngleSharp.Html.Parser;

namespace LocalQa.Core.Documents;

/// <summary>
/// Turns an HTML page into blocks: drops scripts, styles, navigation, headers, footers, asides,
/// forms and embedded media, keeps the <c>&lt;title&gt;</c> and the main text (the
/// <c>&lt;article&gt;</c> or <c>&lt;main&gt;</c> when the page has one), one block per paragraph,
/// heading, list item or table row.
/// </summary>
internal static partial class HtmlPageParser
{
    private const string DroppedElements =
        "script, style, nav, header, footer, aside, form, noscript, iframe, svg, template, button, select, textarea, " +
        "object, embed, canvas, video, audio, map, dialog, " +
        "[hidden], [aria-hidden=true], [role=navigation], [role=banner], [role=contentinfo], [role=complementary], [role=search]";

    private static readonly HashSet<string> BlockElements = new(StringComparer.OrdinalIgnoreCase)
    {
        "p", "div", "section", "article", "main", "blockquote", "ul", "ol", "dl", "dt", "dd", "table", "thead", "tbody",
        "tfoot", "caption", "figure", "figcaption", "address", "details", "summary", "fieldset", "legend", "hr",
        "center", "body", "html", "hgroup",
    };

    /// <param name="Title">The page's &lt;title&gt;, or null when it has none.</param>
    /// <param name="Blocks">The main content's text blocks in reading order, opened by the title when <c>insertTitle</c> added it.</param>
    /// <param name="DroppedTags">Start tags nested too deeply to keep (see <see cref="HtmlNesting"/>); their text is in the blocks.</param>
    internal sealed record Page(string? Title, List<TextBlock> Blocks, int DroppedTags = 0);

    /// <param name="html">The page.</param>
    /// <param name="insertTitle">
    /// Whether a &lt;title&gt; the content does not open with becomes its first heading; an EPUB
    /// chapter names itself in the book's table of contents instead.
    /// </param>
    internal static Page Parse(string html, bool insertTitle = true)
    {
        var parser = new HtmlParser();
        using var document = parser.ParseDocument(HtmlNesting.Bound(html, out var dropped));
        var title = Collapse(document.Title);
        var root = ChooseRoot(document);
        RemoveBoilerplateElements(document, root);

        var builder = new BlockBuilder();
        Walk(root, builder, BlockKind.Paragraph);
        builder.Flush(BlockKind.Paragraph);
        var blocks = builder.Blocks;

        // Keep the page title in the text when the main content does not already open with it.
        var firstHeading = blocks.FirstOrDefault(b => b.IsHeading);
        if (insertTitle
            && !string.IsNullOrEmpty(title)
            && (firstHeading is null
                || !(title.Contains(firstHeading.Text, StringComparison.OrdinalIgnoreCase)
                     || firstHeading.Text.Contains(title, StringComparison.OrdinalIgnoreCase))))
        {
            blocks.Insert(0, new TextBlock(title, BlockKind.Heading, 1));
        }

        return new Page(string.IsNullOrEmpty(title) ? null : title, blocks, dropped);
    }

    /// <summary>Blocks of an HTML fragment, such as raw HTML inside Markdown.</summary>
    internal static List<TextBlock> ParseFragment(string html)
    {
        var parser = new HtmlParser();
        using var document = parser.ParseDocument("<!DOCTYPE html><html><body>" + HtmlNesting.Bound(html, out _) + "</body></html>");
        var body = document.Body!;
        RemoveBoilerplateElements(document, body);
        var builder = new BlockBuilder();
        Walk(body, builder, BlockKind.Paragraph);
        builder.Flush(BlockKind.Paragraph);
        return builder.Blocks;
    }

    private static IElement ChooseRoot(IDocument document)
    {
        var body = document.Body ?? document.DocumentElement;
        var articles = body.QuerySelectorAll("article");
        if (articles.Length == 1)
        {
            return articles[0];
        }

        var main = body.QuerySelector("main, [role=main]");
        if (main is not null)
        {
            return main;
        }

        // Several articles without a <main> is a listing page: keep them all.
        return body;
    }

    private static void RemoveBoilerplateElements(IDocument document, IElement root)
    {
        foreach (var element in document.QuerySelectorAll(DroppedElements).ToList())
        {
            if (element == root || element.Contains(root))
            {
                continue;
            }

            // An article's own header carries its headline: keep it.
            if (element.LocalName == "header" && root.Contains(element) && element.QuerySelector("h1, h2, h3, h4, h5, h6") is not null)
            {
                continue;
            }

            element.Remove();
        }

        // A permalink ("¶", "#", "§" linking to its own heading) is a control, not text: it would glue
        // a pilcrow to every heading.
        foreach (var anchor in document.QuerySelectorAll("a[href^='#']").ToList())
        {
            if (anchor.TextContent.Trim() is "¶" or "#" or "§" or "🔗")
            {
                anchor.Remove();
            }
        }

        foreach (var element in document.QuerySelectorAll("[class], [id]").ToList())
        {
            if (element != root && !element.Contains(root) && element.Parent is not null && IsBoilerplateByName(element))
            {
                element.Remove();
            }
        }
    }

    private static bool IsBoilerplateByName(IElement element)
    {
        if (element.LocalName is "html" or "body" or "main" or "article")
        {
            return false;
        }

        foreach (var token in element.ClassList)
        {
            if (BoilerplateName().IsMatch(token))
            {
                return true;
            }
        }

        return element.Id is { Length: > 0 } id && BoilerplateName().IsMatch(id);
    }

    private static void Walk(INode node, BlockBuilder builder, BlockKind paragraphKind)
    {
        foreach (var child in node.ChildNodes)
        {
            switch (child)
            {
                case IText text:
                    builder.AppendInline(text.Data);
                    break;
                case IElement element:
                    WalkElement(element, builder, paragraphKind);
                    break;
                default:
                    break;
            }
        }
    }

    private static void WalkElement(IElement element, BlockBuilder builder, BlockKind paragraphKind)
    {
        var name = element.LocalName;
        switch (name)
        {
            case "h1" or "h2" or "h3" or "h4" or "h5" or "h6":
                builder.Flush(paragraphKind);
                Walk(element, builder, BlockKind.Heading);
                builder.Flush(BlockKind.Heading, name[1] - '0');
                return;
            case "br":
                builder.Flush(paragraphKind);
                builder.NextStartsParagraph = false;
                return;
            case "img" or "picture" or "source" or "track" or "wbr" or "input" or "link" or "meta":
                return;
            case "pre":
                builder.Flush(paragraphKind);
                builder.Add(new TextBlock(PreText(element), BlockKind.Code));
                return;
            case "figcaption" or "caption":
                builder.Flush(paragraphKind);
                Walk(element, builder, BlockKind.Caption);
                builder.Flush(BlockKind.Caption);
                builder.NextStartsParagraph = true;
                return;
            case "li":
                builder.Flush(paragraphKind);
                Walk(element, builder, BlockKind.ListItem);
                builder.Flush(BlockKind.ListItem);
                builder.NextStartsParagraph = false;
                return;
            case "ul" or "ol":
                builder.Flush(paragraphKind);
                builder.NextStartsParagraph = true;
                Walk(element, builder, paragraphKind);
                builder.Flush(paragraphKind);
                builder.NextStartsParagraph = true;
                return;
            case "tr":
                builder.Flush(paragraphKind);
                var cells = element.Children.Where(c => c.LocalName is "td" or "th")
                    .Select(c => Collapse(c.TextContent))
                    .ToList();
                if (cells.Exists(c => c.Length > 0))
                {
                    var startsTable = element.PreviousElementSibling is null && element.ParentElement?.PreviousElementSibling is null;
                    builder.Add(new TextBlock(string.Join(" | ", cells), BlockKind.TableRow, 0, startsTable));
                    builder.NextStartsParagraph = false;
                }

                return;
            default:
                break;
        }

        if (BlockElements.Contains(name))
        {
            builder.Flush(paragraphKind);
            Walk(element, builder, paragraphKind);
            builder.Flush(paragraphKind);
            if (name is not ("dt" or "dd"))
            {
                builder.NextStartsParagraph = true;
            }

            return;
        }

        Walk(element, builder, paragraphKind);
        if (name is "td" or "th")
        {
            builder.AppendSpace();
        }
    }

    private static string PreText(IElement element)
    {
        var lines = element.TextContent.Replace("\r\n", "\n", StringComparison.Ordinal).Replace('\r', '\n').Split('\n');
        var kept = new List<string>();
        foreach (var line in lines)
        {
            var trimmed = line.TrimEnd().Replace('\t', ' ');
            if (trimmed.Length > 0)
            {
                kept.Add(trimmed);
            }
        }

        return string.Join('\n', kept);
    }

    private static string Collapse(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
        {
            return string.Empty;
        }

        var builder = new StringBuilder(text.Length);
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (space)
            {
                builder.Append(' ');
                space = false;
            }

            builder.Append(c);
        }

        return builder.ToString();
    }

    // Class and id tokens that name page furniture, not content.
    [GeneratedRegex(
        @"^(?:ads?|advert[\w-]*|ad[-_][\w-]+|[\w-]+[-_]ads?|cookie[\w-]*|[\w-]+[-_]cookies?|share[\w-]*|[\w-]+[-_]share|social[\w-]*|related[\w-]*|newsletter[\w-]*|subscribe[\w-]*|subscription[\w-]*|comments?|comment[-_][\w-]+|sidebar[\w-]*|breadcrumbs?|promo[\w-]*|popup[\w-]*|modal[\w-]*|paywall[\w-]*|sponsor[\w-]*|skip[-_]link)$",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex BoilerplateName();
}
