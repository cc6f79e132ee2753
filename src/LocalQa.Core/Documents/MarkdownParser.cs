using System.Text;
using Markdig;
using Markdig.Extensions.Footnotes;
using Markdig.Extensions.Tables;
using Markdig.Extensions.Yaml;
using Markdig.Syntax;
using Markdig.Syntax.Inlines;

namespace LocalQa.Core.Documents;

/// <summary>
/// Turns Markdown into blocks: headings stay as heading lines, markup goes, link text stays (not the
/// URL), code stays as text, images and HTML tags go, tables become one line per row.
/// </summary>
internal static class MarkdownParser
{
    private static readonly MarkdownPipeline Pipeline = new MarkdownPipelineBuilder()
        .UsePipeTables()
        .UseYamlFrontMatter()
        .UseEmphasisExtras()
        .UseFootnotes()
        .UseDefinitionLists() // a term and its definition as two blocks, so the term can be the subject of its definition
        .Build();

    /// <summary>
    /// The deepest nesting, in Markdig's blocks, that is parsed as Markdown. Markdig refuses more than
    /// 128 (a list level is two blocks, a quote one) only after building the blocks, at a cost of
    /// lines × depth: a 3,000-level list took 40 s to be refused. Real documents nest a handful.
    /// </summary>
    internal const int MaxNesting = 64;

    /// <summary>
    /// An upper bound on how deeply <paramref name="markdown"/>'s blocks nest, in one linear pass: the
    /// most container markup opening one line. A nested block needs its containers restated on its
    /// line (a quote's '>', a list item's indent of at least two columns), so counting a '>' or a
    /// column as one block and a list marker as two never undercounts.
    /// </summary>
    internal static int NestingEstimate(string markdown)
    {
        var deepest = 0;
        var i = 0;
        while (i < markdown.Length)
        {
            var counted = 0;
            var afterLastMarker = 0;
            while (i < markdown.Length)
            {
                var c = markdown[i];
                if (c is ' ')
                {
                    counted++;
                    i++;
                }
                else if (c is '\t')
                {
                    counted += 4;
                    i++;
                }
                else if (c is '>')
                {
                    afterLastMarker = ++counted;
                    i++;
                }
                else if (c is '-' or '*' or '+' && IsMarkerEnd(markdown, i + 1))
                {
                    afterLastMarker = counted += 2;
                    i++;
                }
                else if (char.IsAsciiDigit(c) && OrderedMarkerEnd(markdown, i) is var end and > 0)
                {
                    afterLastMarker = counted += 2;
                    i = end;
                }
                else
                {
                    break;
                }
            }

            // Indentation after the last marker is a paragraph's or code's, not a container's.
            deepest = Math.Max(deepest, afterLastMarker);
            var newline = markdown.IndexOf('\n', i);
            if (newline < 0)
            {
                break;
            }

            i = newline + 1;
        }

        return deepest;
    }

    /// <summary>The blocks of <paramref name="markdown"/>, or null with Markdig's reason when it refuses the document.</summary>
    internal static List<TextBlock>? TryParse(string markdown, out string? refusal)
    {
        MarkdownDocument document;
        try
        {
            document = Markdown.Parse(markdown, Pipeline);
        }
        catch (ArgumentException e)
        {
            // Markdig's only documented refusal of an input (its depth limits, inline ones included);
            // caught around this one call, so a bug of ours still surfaces as one.
            refusal = e.Message;
            return null;
        }

        refusal = null;
        var builder = new BlockBuilder();
        Walk(document, builder, BlockKind.Paragraph);
        return builder.Blocks;
    }

    private static bool IsMarkerEnd(string text, int at) => at >= text.Length || text[at] is ' ' or '\t' or '\n' or '\r';

    // Past "12." or "3)" when a list marker starts at <paramref name="at"/>, else 0.
    private static int OrderedMarkerEnd(string text, int at)
    {
        var j = at;
        while (j < text.Length && j - at < 9 && char.IsAsciiDigit(text[j]))
        {
            j++;
        }

        return j < text.Length && text[j] is '.' or ')' && IsMarkerEnd(text, j + 1) ? j + 1 : 0;
    }

    private static void Walk(ContainerBlock container, BlockBuilder builder, BlockKind paragraphKind)
    {
        foreach (var block in container)
        {
            switch (block)
            {
                case YamlFrontMatterBlock or ThematicBreakBlock or LinkReferenceDefinitionGroup or LinkReferenceDefinition:
                    break;
                case HeadingBlock heading:
                    AddInline(builder, heading.Inline, BlockKind.Heading, heading.Level);
                    break;
                case ParagraphBlock paragraph:
                    AddInline(builder, paragraph.Inline, paragraphKind, 0);
                    break;
                case CodeBlock code:
                    builder.Add(new TextBlock(CodeText(code), BlockKind.Code));
                    break;
                case HtmlBlock html:
                    foreach (var htmlBlock in HtmlPageParser.ParseFragment(html.Lines.ToString()))
                    {
                        builder.Add(htmlBlock);
                    }

                    break;
                case Table table:
                    AddTable(builder, table);
                    break;
                case ListBlock list:
                    var firstItem = true;
                    foreach (var item in list)
                    {
                        builder.NextStartsParagraph = firstItem;
                        firstItem = false;
                        if (item is ContainerBlock itemContainer)
                        {
                            Walk(itemContainer, builder, BlockKind.ListItem);
                        }
                    }

                    break;
                case ContainerBlock nested:
                    Walk(nested, builder, paragraphKind);
                    break;
                case LeafBlock leaf when leaf.Inline is not null:
                    AddInline(builder, leaf.Inline, paragraphKind, 0);
                    break;
                default:
                    break;
            }
        }
    }

    private static void AddInline(BlockBuilder builder, ContainerInline? inline, BlockKind kind, int level)
    {
        if (inline is null)
        {
            return;
        }

        var text = new StringBuilder();
        AppendInline(inline, text);
        var first = true;
        foreach (var line in text.ToString().Split('\n'))
        {
            if (!first)
            {
                builder.NextStartsParagraph = false;
            }

            builder.AppendInline(line);
            builder.Flush(kind, level);
            first = false;
        }
    }

    private static void AppendInline(ContainerInline container, StringBuilder text)
    {
        foreach (var inline in container)
        {
            switch (inline)
            {
                case LiteralInline literal:
                    text.Append(literal.Content.Text, literal.Content.Start, literal.Content.Length);
                    break;
                case CodeInline code:
                    text.Append(code.Content);
                    break;
                case LinkInline { IsImage: true }:
                    break;
                case AutolinkInline autolink:
                    text.Append(autolink.Url);
                    break;
                case LineBreakInline lineBreak:
                    text.Append(lineBreak.IsHard ? '\n' : ' ');
                    break;
                case HtmlEntityInline entity:
                    text.Append(entity.Transcoded.Text, entity.Transcoded.Start, entity.Transcoded.Length);
                    break;
                case HtmlInline:
                    break;
                case FootnoteLink:
                    break;
                case ContainerInline nested:
                    AppendInline(nested, text);
                    break;
                default:
                    break;
            }
        }
    }

    private static string CodeText(CodeBlock code)
    {
        var lines = new List<string>();
        var group = code.Lines;
        for (var i = 0; i < group.Count; i++)
        {
            lines.Add(group.Lines[i].Slice.ToString().TrimEnd().Replace('\t', ' '));
        }

        while (lines.Count > 0 && lines[^1].Length == 0)
        {
            lines.RemoveAt(lines.Count - 1);
        }

        // Blank lines inside code would read as paragraph breaks: keep the code one block.
        return string.Join('\n', lines.Where(l => l.Length > 0));
    }

    private static void AddTable(BlockBuilder builder, Table table)
    {
        var first = true;
        foreach (var row in table.OfType<TableRow>())
        {
            var cells = new List<string>();
            foreach (var cell in row.OfType<TableCell>())
            {
                var cellText = new StringBuilder();
                foreach (var paragraph in cell.OfType<ParagraphBlock>())
                {
                    if (paragraph.Inline is not null)
                    {
                        AppendInline(paragraph.Inline, cellText);
                    }
                }

                cells.Add(string.Join(' ', cellText.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)));
            }

            builder.Add(new TextBlock(string.Join(" | ", cells), BlockKind.TableRow, 0, first));
            first = false;
        }
    }
}
