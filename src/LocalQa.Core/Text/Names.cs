namespace LocalQa.Core.Text;

/// <summary>A run of words a text writes as one name ("Erik Meijer", "Meta Superintelligence Labs", "LLaMA 3").</summary>
/// <param name="Start">Offset of the name's first character.</param>
/// <param name="End">Offset just past its last character.</param>
/// <param name="Words">Its words as written, particles included, a possessive "'s" and an initial's period left out.</param>
internal sealed record NameRun(int Start, int End, IReadOnlyList<string> Words)
{
    /// <summary>The words joined by spaces.</summary>
    public string Text => string.Join(" ", Words);
}

/// <summary>
/// The one answer LocalQa gives to "is this a name?", for questions, follow-ups and the sentences
/// that answer them. A name is a run of capitalized words, joined by spaces, a hyphen, an initial ("J. Smith") or a particle ("Ursula von der Leyen"); a
/// number may continue one ("LLaMA 3"). English capitalizes more than names, so a capitalized word
/// is no name word when it belongs to a closed class of the <see cref="Lexicon"/> (function words,
/// question wording, months and weekdays), or when it stands alone at the start of the text, where
/// every word is capitalized. Whether a name is a person's is told by its words' shape and by
/// <see cref="IsCommon"/>: a word the text also writes in lower case ("Research" and "research") is
/// no part of a person's name, which is how "Meta Superintelligence Labs" or "Chief Officer" are
/// told from "Alexandr Wang" with no list of organisation or title words.
/// </summary>
internal static class Names
{
    /// <summary>
    /// True when <paramref name="word"/>, as written, can be part of a name: capitalized, and not a
    /// word of the lexicon's closed classes (function words, question wording, months and weekdays).
    /// </summary>
    public static bool IsNameWord(ReadOnlySpan<char> word)
    {
        if (word.IsEmpty || !char.IsUpper(word[0]))
        {
            return false;
        }

        Span<char> buffer = stackalloc char[Math.Min(word.Length, 64)];
        var lower = word.Length <= buffer.Length ? buffer[..word.Length] : new char[word.Length];
        Words.Fold(word, lower);
        return !(Lexicon.FunctionWords.Contains(lower) || Lexicon.QuestionWords.Contains(lower) || Lexicon.QuestionPhrasing.Contains(lower)
            || Lexicon.Fillers.Contains(lower) || Lexicon.Calendar.Contains(lower));
    }

    /// <summary>
    /// True when a capitalized <paramref name="word"/> is a common word all the same: the text around
    /// it writes it in lower case somewhere, in any inflection (<see cref="LowerCaseWords"/>): "Labs"
    /// beside "lab", "Research" beside "researchers".
    /// </summary>
    /// <param name="word">The word as written.</param>
    /// <param name="lowerCase">Stems of the words the surrounding text writes in lower case.</param>
    public static bool IsCommon(string word, IReadOnlySet<string> lowerCase)
    {
        var lower = Words.All(word) is [var only] ? only.Lower : word.ToLowerInvariant();
        return lowerCase.Contains(EnglishStemmer.Stem(lower));
    }

    /// <summary>
    /// The parts of <paramref name="name"/> shaped like a person's name: its longest runs of words
    /// shaped like one (<see cref="IsPersonShaped"/>) and the particles between them; "Scale AI CEO
    /// Alexandr Wang" holds "Scale" and "Alexandr Wang".
    /// </summary>
    public static IEnumerable<List<string>> PersonParts(NameRun name)
    {
        var part = new List<string>();
        foreach (var word in name.Words)
        {
            if (IsPersonShaped(word) || (part.Count > 0 && Lexicon.NameParticles.Contains(word)))
            {
                part.Add(word);
            }
            else if (part.Count > 0)
            {
                yield return part;
                part = [];
            }
        }

        if (part.Count > 0)
        {
            yield return part;
        }
    }

    /// <summary>
    /// True when <paramref name="word"/> is shaped like a word of a person's name: a capital, then a
    /// small letter ("Yann", "LeCun", "McDonald"), or an initial; not an acronym ("AI", "FAIR", "LLaMA").
    /// </summary>
    public static bool IsPersonShaped(string word) => char.IsUpper(word[0]) && (word.Length == 1 || char.IsLower(word[1]));

    /// <summary>
    /// The stems of the words <paramref name="text"/> writes in lower case somewhere. A capitalized
    /// word the same text also writes in lower case, in any inflection ("Research" and "researchers",
    /// "Labs" and "lab"), is a common word in a title or at a sentence's start, not part of a name: the
    /// text's own usage tells them apart, with no list of words to keep up.
    /// </summary>
    public static HashSet<string> LowerCaseWords(string text)
    {
        var stems = new HashSet<string>(StringComparer.Ordinal);
        foreach (var word in Words.All(text))
        {
            if (char.IsLower(text[word.Start]))
            {
                stems.Add(EnglishStemmer.Stem(word.Lower));
            }
        }

        return stems;
    }

    /// <summary>The names of <paramref name="text"/> in order.</summary>
    /// <param name="text">A question, a sentence or a passage.</param>
    public static List<NameRun> Find(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var names = new List<NameRun>();
        var run = new List<string>();
        var particles = new List<string>();
        int runStart = 0, runEnd = 0, joinFrom = 0;

        void Flush()
        {
            // A first word is capitalized whatever it is: alone at the text's start it is a name only by its
            // shape ("GenAI", "FAIR"), not by its capital.
            if (run.Count > 0 && (runStart > 0 || run.Count > 1 || run[0].Skip(1).Any(char.IsUpper)))
            {
                names.Add(new NameRun(runStart, runEnd, [.. run]));
            }

            run.Clear();
            particles.Clear();
        }

        var i = 0;
        while (i < text.Length)
        {
            if (!char.IsLetterOrDigit(text[i]))
            {
                i++;
                continue;
            }

            var start = i;
            while (i < text.Length && (char.IsLetterOrDigit(text[i]) || (text[i] is '-' && i + 1 < text.Length && char.IsLetterOrDigit(text[i + 1]))))
            {
                i++;
            }

            var word = text[start..i];

            // A possessive ends a name ("Meta's Chief AI Officer" is two); an initial's period does not ("J. Smith").
            var possessive = i + 1 < text.Length && text[i] is '\'' or '\u2019' && text[i + 1] is 's' && (i + 2 == text.Length || !char.IsLetterOrDigit(text[i + 2]));
            if (possessive)
            {
                i += 2;
            }

            var initial = word.Length == 1 && char.IsUpper(word[0]) && i < text.Length && text[i] == '.';
            if (initial)
            {
                i++;
            }

            if (run.Count > 0 && !IsSpace(text.AsSpan(joinFrom, start - joinFrom)))
            {
                Flush();
            }

            if (initial || IsNameWord(word) || (run.Count > 0 && char.IsDigit(word[0])))
            {
                if (run.Count == 0)
                {
                    runStart = start;
                }

                run.AddRange(particles);
                particles.Clear();
                run.Add(word);
                runEnd = joinFrom = i;
                if (possessive)
                {
                    Flush();
                }
            }
            else if (run.Count > 0 && Lexicon.NameParticles.Contains(word))
            {
                // "von der Leyen": particles join a name only when a name word follows them.
                particles.Add(word);
                joinFrom = i;
            }
            else
            {
                Flush();
            }
        }

        Flush();
        return names;
    }

    private static bool IsSpace(ReadOnlySpan<char> gap) => !gap.IsEmpty && gap.IsWhiteSpace();
}
