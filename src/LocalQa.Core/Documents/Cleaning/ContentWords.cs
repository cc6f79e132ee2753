using LocalQa.Core.Text;

namespace LocalQa.Core.Documents.Cleaning;

/// <summary>
/// Content words of a line (four letters or more, not <see cref="Lexicon.FunctionWords"/>, stemmed by
/// <see cref="EnglishStemmer"/>), for overlap tests. Works on spans so that a large document's vocabulary costs one string per distinct word.
/// </summary>
internal static class ContentWords
{
    private const int MaxWordLength = 48;

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
            if (!Words.IsStopWord(buffer[..length]))
            {
                length = EnglishStemmer.Stem(buffer[..length]);
                return true;
            }
        }

        length = 0;
        return false;
    }
}
