using LocalQa.Core.Documents;
using LocalQa.Core.Extractive;

namespace LocalQa.Core.Answering;

/// <summary>
/// A table row as evidence for an extractive answer ("deque | list-like container with fast appends
/// and pops on either end"): read as one whole line of the passage, cells joined by <c>" | "</c> as
/// the loaders write them, and quoted as a row, with its table's column header where the table has one.
/// </summary>
internal sealed class ExtractiveRow
{
    private const string CellSeparator = " | ";

    // A header cell is a label: a few words, no sentence in it.
    private const int MaxHeaderCellWords = 3;

    private ExtractiveRow(Sentence sentence, string cells, string? header)
    {
        Sentence = sentence;
        Cells = cells;
        Header = header;
    }

    /// <summary>The row as a candidate: its words, position and section.</summary>
    public Sentence Sentence { get; }

    /// <summary>The row's cells, joined by <c>" | "</c>.</summary>
    public string Cells { get; }

    /// <summary>The table's column header row, or null when the table has none the passage shows.</summary>
    public string? Header { get; }

    /// <summary>The row as a user sees it: marked as a table row, under its column header when there is one.</summary>
    public string Quote() => Header is null ? $"(table row) {Cells}" : $"(table row; columns: {Header}) {Cells}";

    /// <summary>
    /// The row that <paramref name="sentence"/> opens in <paramref name="text"/>, or null when the
    /// sentence is not the start of a table row of at least two non-empty cells.
    /// </summary>
    public static ExtractiveRow? Read(string text, Sentence sentence)
    {
        if (sentence.Kind != BlockKind.TableRow || !sentence.OpensParagraph)
        {
            return null;
        }

        var (start, end) = Line(text, sentence.Span.Start);
        var line = text[start..end].Trim();
        var cells = Split(line);
        if (cells.Count(c => c.Length > 0) < 2)
        {
            return null;
        }

        var header = HeaderOf(text, start, cells.Length);
        if (header == line)
        {
            return null;
        }

        var row = new Sentence(new LocalQa.Core.Text.TextSpan(start, end - start), line, BlockKind.TableRow, sentence.Index, sentence.Section, sentence.Heading)
        {
            OpensParagraph = true,
        };
        return row.Counts.Count == 0 ? null : new ExtractiveRow(row, line, header);
    }

    /// <summary>
    /// The first row of the table the line at <paramref name="lineStart"/> belongs to, when it reads as a
    /// header: as many cells, each a short label with no sentence in it.
    /// </summary>
    private static string? HeaderOf(string text, int lineStart, int cellCount)
    {
        var first = lineStart;
        while (first > 0)
        {
            // Rows are blocks: separated by one or more newlines.
            var previousEnd = first;
            while (previousEnd > 0 && text[previousEnd - 1] == '\n')
            {
                previousEnd--;
            }

            if (previousEnd == 0)
            {
                break;
            }

            var (ps, pe) = Line(text, previousEnd - 1);
            if (!text.AsSpan(ps, pe - ps).Contains(CellSeparator, StringComparison.Ordinal))
            {
                break;
            }

            first = ps;
        }

        var (s, e) = Line(text, first);
        var candidate = text[s..e].Trim();
        var cells = Split(candidate);
        return cells.Length == cellCount
            && cells.All(c => c.Length > 0 && LocalQa.Core.Text.Words.Count(c) <= MaxHeaderCellWords && !SentenceReader.EndsLikeSentence(c) && char.IsUpper(c[0]))
            ? candidate : null;
    }

    private static string[] Split(string line) => line.Split(CellSeparator).Select(c => c.Trim()).ToArray();

    private static (int Start, int End) Line(string text, int at)
    {
        var start = at == 0 ? 0 : text.LastIndexOf('\n', at - 1) + 1;
        var end = text.IndexOf('\n', at);
        return (start, end < 0 ? text.Length : end);
    }
}
