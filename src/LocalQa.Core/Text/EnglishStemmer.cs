namespace LocalQa.Core.Text;

/// <summary>
/// The one English stemmer of LocalQa: plural -s/-es/-ies, -ing, -ed and a final -e come off, so that
/// "release", "released" and "releases" meet.
/// </summary>
/// <remarks>
/// Deliberately light: aggressive stemmers conflate words a reader keeps apart ("university" and
/// "universe" under Porter). Both sides of every comparison go through this one function, so its only
/// job is to be consistent. Numbers, words of three letters or fewer, and words that do not end in an
/// ASCII letter are left unchanged.
/// </remarks>
internal static class EnglishStemmer
{
    /// <summary>The stem of a lower-case word.</summary>
    public static string Stem(string word)
    {
        ArgumentNullException.ThrowIfNull(word);
        Span<char> buffer = word.Length <= 64 ? stackalloc char[word.Length] : new char[word.Length];
        word.CopyTo(buffer);
        var length = Stem(buffer);
        return length == word.Length && buffer[..length].SequenceEqual(word) ? word : buffer[..length].ToString();
    }

    /// <summary>Stems a lower-case word in place; returns the stem's length (never longer than the word).</summary>
    public static int Stem(Span<char> w)
    {
        if (w.Length <= 3 || !char.IsAsciiLetter(w[^1]))
        {
            return w.Length;
        }

        var n = w.Length;
        if (EndsWith(w, n, "ies") && n > 4)
        {
            // "studies" → "study": the only suffix that is replaced rather than removed.
            w[n - 3] = 'y';
            return n - 2;
        }

        if (EndsWith(w, n, "sses"))
        {
            n -= 2;
        }
        else if (w[n - 1] == 's' && !EndsWith(w, n, "ss") && !EndsWith(w, n, "us") && !EndsWith(w, n, "is"))
        {
            n--;
        }

        if (EndsWith(w, n, "ing") && n > 5)
        {
            n = Undouble(w, n - 3);
        }
        else if (EndsWith(w, n, "ed") && n > 4)
        {
            n = Undouble(w, n - 2);
        }

        return n > 3 && w[n - 1] == 'e' ? n - 1 : n;
    }

    private static bool EndsWith(Span<char> w, int length, string suffix) => w[..length].EndsWith(suffix);

    // "planned" → "plan", "running" → "run"; but "fall", "miss", "buzz" and vowel pairs keep both letters.
    private static int Undouble(Span<char> w, int n) =>
        n > 2 && w[n - 1] == w[n - 2] && char.IsAsciiLetterLower(w[n - 1]) && w[n - 1] is not ('l' or 's' or 'z' or 'a' or 'e' or 'i' or 'o' or 'u') ? n - 1 : n;
}
