using LocalQa.Core.Text;

namespace LocalQa.Core.Documents.Cleaning;

/// <summary>A paragraph that <see cref="CorpusCleaner"/> found repeated across documents.</summary>
/// <param name="Text">The paragraph as it first appeared.</param>
/// <param name="DocumentCount">In how many documents it appeared.</param>
internal sealed record RepeatedParagraph(string Text, int DocumentCount);

/// <summary>Documents with repeated paragraphs removed, and what was removed.</summary>
/// <param name="Documents">The documents, in the order given; unchanged ones are the same instances.</param>
/// <param name="Removed">The repeated paragraphs, most widespread first.</param>
internal sealed record CorpusCleaningResult(IReadOnlyList<Document> Documents, IReadOnlyList<RepeatedParagraph> Removed);

/// <summary>
/// Removes site furniture that only shows as repetition: a footer, disclaimer or "about us" paragraph
/// that appears verbatim (ignoring case and spacing) in several documents of a corpus. Headings and
/// table rows are never removed this way (sections called "Conclusion" are not boilerplate), nor is
/// a paragraph whose removal would leave a document empty.
/// </summary>
internal static class CorpusCleaner
{
    /// <param name="documents">The corpus, for example every document of one folder ingest.</param>
    /// <param name="minDocuments">A paragraph must appear in at least this many documents (at least 2).</param>
    /// <param name="minWords">Shorter paragraphs are left to the per-document rules.</param>
    public static CorpusCleaningResult RemoveRepeatedParagraphs(IReadOnlyList<Document> documents, int minDocuments = 3, int minWords = 3)
    {
        ArgumentNullException.ThrowIfNull(documents);
        ArgumentOutOfRangeException.ThrowIfLessThan(minDocuments, 2);
        ArgumentOutOfRangeException.ThrowIfNegative(minWords);

        var decomposed = documents.Select(DocumentText.Decompose).ToList();
        var counts = new Dictionary<string, (string First, int Documents)>(StringComparer.Ordinal);
        foreach (var blocks in decomposed)
        {
            var seenHere = new HashSet<string>(StringComparer.Ordinal);
            foreach (var block in blocks)
            {
                if (IsCandidate(block, minWords) && seenHere.Add(Key(block.Text)))
                {
                    var key = Key(block.Text);
                    counts[key] = counts.TryGetValue(key, out var seen) ? (seen.First, seen.Documents + 1) : (block.Text, 1);
                }
            }
        }

        var repeated = counts.Where(c => c.Value.Documents >= minDocuments).ToDictionary(c => c.Key, c => c.Value, StringComparer.Ordinal);
        if (repeated.Count == 0)
        {
            return new CorpusCleaningResult(documents, []);
        }

        var cleaner = new BoilerplateCleaner([new RepeatedParagraphRule(repeated.Keys.ToHashSet(StringComparer.Ordinal), minWords), new OrphanedHeadingRule()]);
        var result = new List<Document>(documents.Count);
        for (var i = 0; i < documents.Count; i++)
        {
            var cleaned = cleaner.Clean(decomposed[i]);
            if (cleaned.Removed.Count == 0 || cleaned.Blocks.Count == 0)
            {
                result.Add(documents[i]);
                continue;
            }

            var (text, headings, spans, pages) = DocumentText.Compose(cleaned.Blocks);
            result.Add(documents[i] with { Text = text, Headings = headings, Blocks = spans, Pages = pages });
        }

        var removed = repeated.Values
            .OrderByDescending(v => v.Documents)
            .ThenBy(v => v.First, StringComparer.Ordinal)
            .Select(v => new RepeatedParagraph(v.First, v.Documents))
            .ToList();
        return new CorpusCleaningResult(result, removed);
    }

    private static bool IsCandidate(TextBlock block, int minWords) =>
        !block.IsHeading && block.Kind != BlockKind.TableRow && Words.Count(block.Text, minWords) >= minWords;

    private static string Key(string text) => PhraseRule.NormalizeLine(text);

    private sealed class RepeatedParagraphRule(HashSet<string> repeated, int minWords) : ICleaningRule
    {
        public string Name => "repeated-across-documents";

        public void Apply(CleaningContext context)
        {
            for (var i = 0; i < context.Blocks.Count; i++)
            {
                if (IsCandidate(context.Blocks[i], minWords) && repeated.Contains(Key(context.Blocks[i].Text)))
                {
                    context.Remove(i, Name);
                }
            }
        }
    }
}
