using System.Text;

namespace LocalQa.Core.Documents;

/// <summary>
/// Turns the lines of a plain-text file into blocks: one block per line, hard-wrapped paragraphs
/// joined back into one line, and headings guessed conservatively.
/// </summary>
internal static class PlainTextParser
{
    // A wrapped paragraph's lines run long and mostly stop mid-sentence.
    private const int WrappedLineMinLength = 40;
    private const int WrappedLineMaxLength = 200;
    private const double WrappedShare = 0.6;

    internal static List<TextBlock> Parse(IReadOnlyList<string> rawLines)
    {
        var blocks = new List<TextBlock>();
        var group = new List<string>();
        foreach (var raw in rawLines)
        {
            var line = NormalizeLine(raw);
            if (line.Length == 0)
            {
                if (group.Count > 0)
                {
                    AddGroup(blocks, group);
                    group.Clear();
                }

                continue;
            }

            group.Add(line);
        }

        if (group.Count > 0)
        {
            AddGroup(blocks, group);
        }

        return blocks;
    }

    /// <summary>Trims, drops control and zero-width characters, and turns tabs into spaces.</summary>
    internal static string NormalizeLine(string raw)
    {
        var span = raw.AsSpan().Trim();
        if (span.IsEmpty)
        {
            return string.Empty;
        }

        var clean = true;
        foreach (var c in span)
        {
            if (NeedsCleaning(c))
            {
                clean = false;
                break;
            }
        }

        if (clean)
        {
            return span.Length == raw.Length ? raw : span.ToString();
        }

        var builder = new StringBuilder(span.Length);
        foreach (var c in span)
        {
            if (c == '\t')
            {
                builder.Append(' ');
            }
            else if (!NeedsCleaning(c))
            {
                builder.Append(c);
            }
        }

        return builder.ToString().Trim();
    }

    private static bool NeedsCleaning(char c) =>
        c < ' ' || c == '\u007F' || c is '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF' or '\u00AD';

    private static void AddGroup(List<TextBlock> blocks, List<string> group)
    {
        if (group.Count > 1 && LooksHardWrapped(group))
        {
            AddWrapped(blocks, group);
            return;
        }

        for (var i = 0; i < group.Count; i++)
        {
            var line = group[i];
            var kind = IsHeading(group, i) ? BlockKind.Heading
                : TextShape.StartsWithListMarker(line) ? BlockKind.ListItem
                : BlockKind.Paragraph;
            blocks.Add(new TextBlock(line, kind, 0, i == 0));
        }
    }

    private static bool LooksHardWrapped(List<string> group)
    {
        var wrapped = 0;
        for (var i = 0; i < group.Count - 1; i++)
        {
            if (group[i].Length is >= WrappedLineMinLength and <= WrappedLineMaxLength && !TextShape.EndsWithPunctuation(group[i]))
            {
                wrapped++;
            }
        }

        return wrapped >= WrappedShare * (group.Count - 1);
    }

    private static void AddWrapped(List<TextBlock> blocks, List<string> group)
    {
        var builder = new StringBuilder();
        var first = true;
        foreach (var line in group)
        {
            // A bullet inside a wrapped group starts a new item.
            if (builder.Length > 0 && TextShape.StartsWithListMarker(line))
            {
                blocks.Add(new TextBlock(builder.ToString(), BlockKind.Paragraph, 0, first));
                first = false;
                builder.Clear();
            }

            if (builder.Length > 0)
            {
                builder.Append(' ');
            }

            builder.Append(line);
        }

        var text = builder.ToString();
        blocks.Add(new TextBlock(text, TextShape.StartsWithListMarker(text) ? BlockKind.ListItem : BlockKind.Paragraph, 0, first));
    }

    /// <summary>
    /// A line on its own between blank lines is a heading when it is shaped like one. Inside a run of
    /// lines (files with one sentence per line) it must also be in title case and followed by a
    /// sentence, so that short unpunctuated lines of running text stay text.
    /// </summary>
    private static bool IsHeading(List<string> group, int index)
    {
        var line = group[index];
        if (!TextShape.LooksLikeHeading(line))
        {
            return false;
        }

        if (group.Count == 1)
        {
            return true;
        }

        return index < group.Count - 1
            && !TextShape.EndsWithPunctuation(line)
            && TextShape.CapitalizedShare(line) >= 0.6
            && TextShape.EndsWithPunctuation(group[index + 1]);
    }
}
