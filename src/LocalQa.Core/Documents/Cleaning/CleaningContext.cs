using LocalQa.Core.Text;

namespace LocalQa.Core.Documents.Cleaning;

/// <summary>The blocks of one document while the cleaning rules run, and what they removed so far.</summary>
public sealed class CleaningContext
{
    private readonly string?[] _removedBy;
    private HashSet<string>? _bodyVocabulary;

    internal CleaningContext(IReadOnlyList<TextBlock> blocks)
    {
        Blocks = blocks;
        _removedBy = new string?[blocks.Count];
    }

    /// <summary>
    /// A title that a rule found in what it removed (the last step of a breadcrumb trail names the
    /// page); the loader uses it when the document does not open with a heading.
    /// </summary>
    public string? TitleHint { get; set; }

    /// <summary>All blocks of the document, removed or not, in order.</summary>
    public IReadOnlyList<TextBlock> Blocks { get; }

    /// <summary>True when a rule has removed block <paramref name="index"/>.</summary>
    public bool IsRemoved(int index) => _removedBy[index] is not null;

    /// <summary>The name of the rule that removed block <paramref name="index"/>, or null.</summary>
    public string? RemovedBy(int index) => _removedBy[index];

    /// <summary>Removes block <paramref name="index"/>; the first rule to remove a block is the one reported.</summary>
    public void Remove(int index, string rule)
    {
        ArgumentException.ThrowIfNullOrEmpty(rule);
        _removedBy[index] ??= rule;
    }

    /// <summary>The index of the next block after <paramref name="index"/> that is not removed, or -1.</summary>
    public int NextKept(int index)
    {
        for (var i = index + 1; i < Blocks.Count; i++)
        {
            if (!IsRemoved(i))
            {
                return i;
            }
        }

        return -1;
    }

    /// <summary>
    /// The share of <paramref name="line"/>'s content words (four letters or more, not stop words)
    /// that also occur in the document's body paragraphs: near 1 for a heading of this article,
    /// low for the title of an unrelated story. 1 when the line has no content words.
    /// </summary>
    public double RelatednessToBody(string line)
    {
        _bodyVocabulary ??= BuildBodyVocabulary();
        var (total, found) = ContentWords.CountIn(line, _bodyVocabulary);
        return total == 0 ? 1.0 : (double)found / total;
    }

    /// <summary>True for a block of content: a table row, code, or running text that is not a heading and not shaped like a title.</summary>
    public bool IsBody(int index)
    {
        var block = Blocks[index];
        return block.Kind is BlockKind.TableRow or BlockKind.Code
            || (!block.IsHeading && !TextShape.LooksLikeHeading(StripListMarker(block.Text), maxWords: 20, maxLength: 160));
    }

    internal static string StripListMarker(string text)
    {
        if (!TextShape.StartsWithListMarker(text))
        {
            return text;
        }

        var space = text.IndexOf(' ', StringComparison.Ordinal);
        return space < 0 ? text : text[(space + 1)..].TrimStart();
    }

    private HashSet<string> BuildBodyVocabulary()
    {
        var vocabulary = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < Blocks.Count; i++)
        {
            if (!IsRemoved(i) && IsBody(i) && Words.Count(Blocks[i].Text) >= 12)
            {
                ContentWords.AddTo(Blocks[i].Text, vocabulary);
            }
        }

        return vocabulary;
    }
}
