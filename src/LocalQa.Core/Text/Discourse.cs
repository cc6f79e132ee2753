namespace LocalQa.Core.Text;

/// <summary>What a sentence opens with, as far as its neighbours are concerned.</summary>
internal enum Opening
{
    /// <summary>Nothing that leans on the sentence before.</summary>
    None,

    /// <summary>A pronoun that points at the sentence before ("He …", "These include …").</summary>
    Pronoun,

    /// <summary>A connective: the sentence continues a thought begun before it ("Second, …", "On the other hand, …").</summary>
    Connective,
}

/// <summary>
/// How a sentence hangs on its neighbours: quoted alone, "He left in 2022." names nobody and
/// "On the other side, …" answers half a question. English marks both with closed classes of words
/// (<see cref="Lexicon.Pronouns"/>, <see cref="Lexicon.Connectives"/>).
/// </summary>
internal static class Discourse
{
    private static readonly int LongestConnective = Lexicon.LongestPhrase(Lexicon.Connectives);

    /// <summary>What <paramref name="sentence"/> opens with: read once per sentence (<see cref="Extractive.Sentence.Opening"/> keeps it).</summary>
    public static Opening OpeningOf(string sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        var words = Words.All(sentence.AsSpan(0, Math.Min(sentence.Length, 60)));
        if (words.Count == 0)
        {
            return Opening.None;
        }

        // "There are …" and "Former …" open sentences without pointing anywhere; in a question they do point.
        if (Lexicon.Pronouns.TryGetValue(words[0].Lower, out var pointing) && pointing != Pointing.Reference)
        {
            return Opening.Pronoun;
        }

        var phrase = "";
        for (var k = 0; k < Math.Min(words.Count, LongestConnective); k++)
        {
            phrase = k == 0 ? words[0].Lower : phrase + " " + words[k].Lower;
            if (Lexicon.Connectives.Contains(phrase))
            {
                return Opening.Connective;
            }
        }

        return Opening.None;
    }

    /// <summary>True when <paramref name="sentence"/> opens with a pronoun that points at the sentence before ("He …", "These include …").</summary>
    public static bool RefersBack(string sentence) => OpeningOf(sentence) == Opening.Pronoun;

    /// <summary>True when <paramref name="sentence"/> opens with a connective: it continues a thought begun before it ("Second, …", "On the other hand, …").</summary>
    public static bool Continues(string sentence) => OpeningOf(sentence) == Opening.Connective;

    /// <summary>True when <paramref name="sentence"/> opens with a pronoun or a connective: quoted alone it is missing what came before.</summary>
    public static bool LeansOnPrevious(string sentence) => OpeningOf(sentence) != Opening.None;

    /// <summary>
    /// True when <paramref name="sentence"/> announces what the next sentences spell out: it ends
    /// with a colon, or counts things it does not name ("the company's two major AI labs.").
    /// </summary>
    public static bool AnnouncesFollowing(string sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        return sentence.TrimEnd().EndsWith(':') || Words.All(sentence).Exists(w => Lexicon.Counts.Contains(w.Lower));
    }
}
