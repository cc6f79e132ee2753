using System.Collections.Frozen;

namespace LocalQa.Core.Documents.Cleaning;

/// <summary>
/// Lower-cased, crudely stemmed content words of a line (four letters or more, not stop words), for
/// overlap tests. Works on spans so that a large document's vocabulary costs one string per distinct word.
/// </summary>
internal static class ContentWords
{
    private const int MaxWordLength = 48;

    private static readonly FrozenSet<string> StopWords = FrozenSet.Create(
        StringComparer.Ordinal,
        "about", "above", "after", "again", "against", "also", "among", "been", "before", "being", "below",
        "between", "both", "could", "does", "doing", "down", "during", "each", "even", "every", "from",
        "further", "have", "having", "here", "into", "just", "like", "more", "most", "much", "must", "only",
        "other", "over", "same", "should", "some", "such", "than", "that", "their", "them", "then", "there",
        "these", "they", "this", "those", "through", "under", "until", "very", "was", "were", "what", "when",
        "where", "which", "while", "whom", "will", "with", "within", "without", "would", "your", "yours",
        "how", "why", "who", "new", "now", "way", "today");

    private static readonly FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> StopWordLookup =
        StopWords.GetAlternateLookup<ReadOnlySpan<char>>();

    /// <summary>Adds the content words of <paramref name="line"/> to <paramref name="vocabulary"/>.</summary>
    internal static void AddTo(string line, HashSet<string> vocabulary)
    {
        var lookup = vocabulary.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<char> buffer = stackalloc char[MaxWordLength];
        var position = 0;
        while (Next(line, ref position, buffer, out var length))
        {
            lookup.Add(buffer[..length]);
        }
    }

    /// <summary>How many content words <paramref name="line"/> has, and how many of them are in <paramref name="vocabulary"/>.</summary>
    internal static (int Total, int Found) CountIn(string line, HashSet<string> vocabulary)
    {
        var lookup = vocabulary.GetAlternateLookup<ReadOnlySpan<char>>();
        Span<char> buffer = stackalloc char[MaxWordLength];
        int total = 0, found = 0;
        var position = 0;
        while (Next(line, ref position, buffer, out var length))
        {
            total++;
            if (lookup.Contains(buffer[..length]))
            {
                found++;
            }
        }

        return (total, found);
    }

    private static bool Next(string line, ref int position, Span<char> buffer, out int length)
    {
        while (position < line.Length)
        {
            while (position < line.Length && !char.IsLetter(line[position]))
            {
                position++;
            }

            var start = position;
            while (position < line.Length && char.IsLetter(line[position]))
            {
                position++;
            }

            var word = line.AsSpan(start, position - start);
            if (word.Length < 4 || word.Length > MaxWordLength)
            {
                continue;
            }

            length = word.ToLowerInvariant(buffer);
            if (length > 4 && buffer[length - 1] == 's' && buffer[length - 2] != 's')
            {
                length--;
            }

            if (!StopWordLookup.Contains(buffer[..length]))
            {
                return true;
            }
        }

        length = 0;
        return false;
    }
}
