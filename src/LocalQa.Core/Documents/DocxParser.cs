using System.Globalization;
using DocumentFormat.OpenXml;
using DocumentFormat.OpenXml.Packaging;
using DocumentFormat.OpenXml.Wordprocessing;
using WordText = DocumentFormat.OpenXml.Wordprocessing.Text;

namespace LocalQa.Core.Documents;

/// <summary>
/// Reads a Word document with the Open XML SDK: paragraphs in order, heading styles (Title,
/// Heading 1–6, or an outline level) as headings, list paragraphs as list items, each table row as
/// a table row, and footnotes after the body. Comments and tracked deletions are not the document's
/// text and are left out; tracked insertions are kept.
/// </summary>
internal static class DocxParser
{
    internal static PackagedText Parse(byte[] bytes, CancellationToken cancellationToken)
    {
        using var stream = new MemoryStream(bytes, writable: false);
        using var document = WordprocessingDocument.Open(stream, false);
        var main = document.MainDocumentPart ?? throw new InvalidDataException("the package has no main document part");
        var body = main.Document?.Body ?? throw new InvalidDataException("the main document has no body");
        var styles = HeadingStyles(main);
        var footnoteNumbers = new Dictionary<long, int>();
        var blocks = new List<TextBlock>();
        Walk(body, blocks, styles, footnoteNumbers, cancellationToken);

        if (footnoteNumbers.Count > 0 && main.FootnotesPart?.Footnotes is { } footnotes)
        {
            var first = true;
            foreach (var footnote in footnotes.Elements<Footnote>())
            {
                if (footnote.Id?.Value is not { } id || !footnoteNumbers.TryGetValue(id, out var number))
                {
                    continue;
                }

                var text = string.Join(' ', footnote.Elements<Paragraph>().Select(p => InlineText(p, null)).Where(t => t.Length > 0));
                if (text.Length > 0)
                {
                    // Footnotes follow the body like a reference list: their marker ties them to the text.
                    blocks.Add(new TextBlock($"[{number}] {text}", BlockKind.ListItem, StartsParagraph: first));
                    first = false;
                }
            }
        }

        var title = document.PackageProperties.Title;
        return new PackagedText(blocks, string.IsNullOrWhiteSpace(title) ? null : title.Trim());
    }

    private static void Walk(OpenXmlElement container, List<TextBlock> blocks, Dictionary<string, int> styles, Dictionary<long, int> footnotes, CancellationToken cancellationToken)
    {
        foreach (var element in container.ChildElements)
        {
            cancellationToken.ThrowIfCancellationRequested();
            switch (element)
            {
                case Paragraph paragraph:
                    AddParagraph(paragraph, blocks, styles, footnotes);
                    break;
                case Table table:
                    AddTable(table, blocks, footnotes);
                    break;
                case SdtBlock or CustomXmlBlock or SdtContentBlock:
                    // Content controls and custom XML wrap ordinary paragraphs.
                    Walk(element, blocks, styles, footnotes, cancellationToken);
                    break;
                default:
                    break;
            }
        }
    }

    private static void AddParagraph(Paragraph paragraph, List<TextBlock> blocks, Dictionary<string, int> styles, Dictionary<long, int> footnotes)
    {
        var text = InlineText(paragraph, footnotes);
        if (text.Length == 0)
        {
            return;
        }

        var properties = paragraph.ParagraphProperties;
        var level = properties?.OutlineLevel?.Val?.Value is { } outline && outline < 9 ? outline + 1 : 0;
        if (level == 0 && properties?.ParagraphStyleId?.Val?.Value is { } styleId)
        {
            level = styles.GetValueOrDefault(styleId);
        }

        if (level > 0)
        {
            blocks.Add(new TextBlock(text, BlockKind.Heading, Math.Min(level, 6)));
        }
        else if (properties?.NumberingProperties is not null)
        {
            var continues = blocks.Count > 0 && blocks[^1].Kind == BlockKind.ListItem;
            blocks.Add(new TextBlock(text, BlockKind.ListItem, StartsParagraph: !continues));
        }
        else
        {
            blocks.Add(new TextBlock(text));
        }
    }

    private static void AddTable(Table table, List<TextBlock> blocks, Dictionary<long, int> footnotes)
    {
        var first = true;
        foreach (var row in table.Elements<TableRow>())
        {
            var cells = row.Elements<TableCell>()
                .Select(cell => string.Join(' ', cell.Descendants<Paragraph>().Select(p => InlineText(p, footnotes)).Where(t => t.Length > 0)))
                .ToList();
            if (cells.Exists(c => c.Length > 0))
            {
                blocks.Add(new TextBlock(string.Join(" | ", cells), BlockKind.TableRow, StartsParagraph: first));
                first = false;
            }
        }
    }

    /// <summary>
    /// The paragraph's visible text. Only <c>w:t</c> is text: deleted text (<c>w:delText</c>), field
    /// codes and comment references are other elements, and text moved away or in a fallback copy
    /// of a drawing is skipped so it is not read twice.
    /// </summary>
    private static string InlineText(Paragraph paragraph, Dictionary<long, int>? footnotes)
    {
        var builder = new BlockBuilder();
        foreach (var element in paragraph.Descendants())
        {
            switch (element)
            {
                case WordText text when !Excluded(text):
                    builder.AppendInline(text.Text);
                    break;
                case TabChar or Break or CarriageReturn when !Excluded(element):
                    builder.AppendSpace();
                    break;
                case FootnoteReference reference when footnotes is not null && reference.Id?.Value is { } id && !Excluded(element):
                    if (!footnotes.TryGetValue(id, out var number))
                    {
                        number = footnotes.Count + 1;
                        footnotes[id] = number;
                    }

                    builder.AppendInline($"[{number}]");
                    break;
                default:
                    break;
            }
        }

        builder.Flush(BlockKind.Paragraph);
        return builder.Blocks.Count == 0 ? "" : builder.Blocks[0].Text;
    }

    private static bool Excluded(OpenXmlElement element)
    {
        for (var parent = element.Parent; parent is not null and not Paragraph; parent = parent.Parent)
        {
            if (parent is DeletedRun or MoveFromRun or AlternateContentFallback)
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>Heading level by style id: "Title" and "heading N" by name, or an outline level, through based-on styles.</summary>
    private static Dictionary<string, int> HeadingStyles(MainDocumentPart main)
    {
        var styles = main.StyleDefinitionsPart?.Styles?.Elements<Style>()
            .Where(s => s.StyleId?.Value is not null)
            .GroupBy(s => s.StyleId!.Value!, StringComparer.Ordinal)
            .ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal) ?? [];
        var levels = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var id in styles.Keys)
        {
            var style = styles[id];
            for (var depth = 0; style is not null && depth < 10; depth++)
            {
                var level = LevelOf(style);
                if (level > 0)
                {
                    levels[id] = level;
                    break;
                }

                style = style.BasedOn?.Val?.Value is { } basedOn ? styles.GetValueOrDefault(basedOn) : null;
            }
        }

        // Documents without a styles part still name headings by the built-in ids.
        foreach (var (id, level) in new[] { ("Title", 1), ("Heading1", 1), ("Heading2", 2), ("Heading3", 3), ("Heading4", 4), ("Heading5", 5), ("Heading6", 6) })
        {
            levels.TryAdd(id, level);
        }

        return levels;
    }

    private static int LevelOf(Style style)
    {
        var name = (style.StyleName?.Val?.Value ?? "").Trim();
        if (name.Equals("Title", StringComparison.OrdinalIgnoreCase))
        {
            return 1;
        }

        if (name.StartsWith("heading ", StringComparison.OrdinalIgnoreCase)
            && int.TryParse(name.AsSpan(8), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 9)
        {
            return n;
        }

        return style.StyleParagraphProperties?.OutlineLevel?.Val?.Value is { } outline && outline < 9 ? outline + 1 : 0;
    }
}
