namespace LocalQa.Core.Documents;

/// <summary>Turns blocks into <see cref="Document.Text"/> plus heading spans, and back.</summary>
internal static class DocumentText
{
    internal static (string Text, List<HeadingSpan> Headings, List<BlockSpan> Blocks, List<PageSpan> Pages) Compose(IReadOnlyList<TextBlock> blocks)
    {
        var headings = new List<HeadingSpan>();
        var spans = new List<BlockSpan>();
        // A page starts wherever a block's page differs from the last one seen (PDF; none for the rest).
        var pages = new List<PageSpan>();
        var lastPage = 0;
        long total = 0;
        var first = true;
        foreach (var block in blocks)
        {
            if (block.Text.Length == 0)
            {
                continue;
            }

            total += (first ? 0 : block.StartsParagraph ? 2 : 1) + block.Text.Length;
            first = false;
        }

        if (total > int.MaxValue)
        {
            throw new InvalidOperationException($"A document of {total} characters is too large for one string.");
        }

        var offset = 0;
        first = true;
        foreach (var block in blocks)
        {
            if (block.Text.Length == 0)
            {
                continue;
            }

            offset += first ? 0 : block.StartsParagraph ? 2 : 1;
            first = false;
            if (block.IsHeading)
            {
                headings.Add(new HeadingSpan(offset, block.Text.Length, block.HeadingLevel));
            }

            if (block.Kind != BlockKind.Paragraph)
            {
                spans.Add(new BlockSpan(offset, block.Text.Length, block.Kind));
            }

            if (block.Page > 0 && block.Page != lastPage)
            {
                pages.Add(new PageSpan(offset, block.Page));
                lastPage = block.Page;
            }

            offset += block.Text.Length;
        }

        // string.Create writes the blocks straight into the result: a 50 MB file is not copied twice.
        var text = string.Create((int)total, blocks, static (span, blocks) =>
        {
            var position = 0;
            var first = true;
            foreach (var block in blocks)
            {
                if (block.Text.Length == 0)
                {
                    continue;
                }

                if (!first)
                {
                    span[position++] = '\n';
                    if (block.StartsParagraph)
                    {
                        span[position++] = '\n';
                    }
                }

                first = false;
                block.Text.AsSpan().CopyTo(span[position..]);
                position += block.Text.Length;
            }
        });
        return (text, headings, spans, pages);
    }

    /// <summary>Rebuilds one block per line from a composed document, headings and pages included.</summary>
    internal static List<TextBlock> Decompose(Document document)
    {
        var blocks = new List<TextBlock>();
        var text = document.Text;
        var headings = document.Headings;
        var headingIndex = 0;
        var kinds = document.Blocks;
        var kindIndex = 0;
        var position = 0;
        var blankBefore = true;
        while (position <= text.Length)
        {
            var newline = text.IndexOf('\n', position);
            var end = newline < 0 ? text.Length : newline;
            if (end == position)
            {
                blankBefore = true;
            }
            else
            {
                while (headingIndex < headings.Count && headings[headingIndex].Start < position)
                {
                    headingIndex++;
                }

                var isHeading = headingIndex < headings.Count && headings[headingIndex].Start == position;
                var level = isHeading ? headings[headingIndex].Level : 0;
                while (kindIndex < kinds.Count && kinds[kindIndex].End <= position)
                {
                    kindIndex++;
                }

                // A code block spans several lines; each of its lines keeps its kind.
                var kind = isHeading ? BlockKind.Heading
                    : kindIndex < kinds.Count && kinds[kindIndex].Start <= position ? kinds[kindIndex].Kind
                    : BlockKind.Paragraph;
                blocks.Add(new TextBlock(text[position..end], kind, level, blankBefore || blocks.Count == 0) { Page = document.PageAt(position) ?? 0 });
                blankBefore = false;
            }

            if (newline < 0)
            {
                break;
            }

            position = newline + 1;
        }

        return blocks;
    }
}
