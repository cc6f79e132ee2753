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
        .Build();

    internal static List<TextBlock> Parse(string markdown)
    {
        var document = Markdown.Parse(markdown, Pipeline);
        var builder = new BlockBuilder();
        Walk(document, builder, BlockKind.Paragraph);
        return builder.Blocks;
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
