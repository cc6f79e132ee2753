using System.Collections.Frozen;

namespace LocalQa.Core.Documents.Cleaning;

/// <summary>Lower-cased, crudely stemmed content words of a line, for overlap tests.</summary>
internal static class ContentWords
{
    private static readonly FrozenSet<string> StopWords = FrozenSet.Create(
        StringComparer.Ordinal,
        "about", "above", "after", "again", "against", "also", "among", "been", "before", "being", "below",
        "between", "both", "could", "does", "doing", "down", "during", "each", "even", "every", "from",
        "further", "have", "having", "here", "into", "just", "like", "more", "most", "much", "must", "only",
        "other", "over", "same", "should", "some", "such", "than", "that", "their", "them", "then", "there",
        "these", "they", "this", "those", "through", "under", "until", "very", "was", "were", "what", "when",
        "where", "which", "while", "whom", "will", "with", "within", "without", "would", "your", "yours",
        "how", "why", "who", "new", "now", "way", "today");

    internal static IEnumerable<string> Of(string line)
    {
        var start = -1;
        for (var i = 0; i <= line.Length; i++)
        {
            var isLetter = i < line.Length && char.IsLetter(line[i]);
            if (isLetter && start < 0)
            {
                start = i;
            }
            else if (!isLetter && start >= 0)
            {
                var word = Normalize(line.AsSpan(start, i - start));
                start = -1;
                if (word is not null)
                {
                    yield return word;
                }
            }
        }
    }

    private static string? Normalize(ReadOnlySpan<char> word)
    {
        if (word.Length < 4)
        {
            return null;
        }

        Span<char> lower = word.Length <= 64 ? stackalloc char[word.Length] : new char[word.Length];
        word.ToLowerInvariant(lower);
        var stemmed = lower.Length > 4 && lower[^1] == 's' && lower[^2] != 's' ? lower[..^1] : lower;
        var text = stemmed.ToString();
        return StopWords.Contains(text) ? null : text;
    }
}
