using System.Collections.Frozen;

namespace LocalQa.Core.Text;

/// <summary>
/// How a sentence hangs on its neighbours: quoted alone, "He left in 2022." names nobody and
/// "On the other side, …" answers half a question. English marks both with a closed set of words.
/// </summary>
internal static class Discourse
{
    // Personal and demonstrative pronouns: a sentence that opens with one names whom or what it is
    // about in the sentence before. A closed class of English, not a list of topics.
    private static readonly FrozenSet<string> Pronouns = FrozenSet.Create(StringComparer.Ordinal,
    [
        "he", "she", "they", "it", "his", "her", "their", "its", "him", "them", "this", "that", "these", "those", "such",
    ]);

    // Connectives of contrast, addition, consequence and enumeration: the sentence continues a thought
    // begun before it ("But …", "On the other side, …", "Second, …"). Also a closed class.
    private static readonly FrozenSet<string> Connectives = FrozenSet.Create(StringComparer.Ordinal,
    [
        "but", "and", "or", "yet", "still", "however", "meanwhile", "instead", "also", "moreover", "furthermore", "besides",
        "likewise", "similarly", "thus", "therefore", "hence", "consequently", "nevertheless", "nonetheless", "otherwise",
        "conversely", "then", "next", "finally", "lastly", "first", "firstly", "second", "secondly", "third", "thirdly",
        "on the other", "on one side", "on one hand", "on the one hand", "on the one side", "in addition", "in contrast",
        "by contrast", "as a result", "for example", "for instance",
    ]);

    private static readonly int LongestOpener = Connectives.Max(o => o.Count(c => c == ' ') + 1);

    /// <summary>True when <paramref name="sentence"/> opens with a pronoun that points at the sentence before ("He …", "These include …").</summary>
    public static bool RefersBack(string sentence) => Opener(sentence, Pronouns);

    /// <summary>True when <paramref name="sentence"/> opens with a connective: it continues a thought begun before it ("Second, …", "On the other hand, …").</summary>
    public static bool Continues(string sentence) => Opener(sentence, Connectives);

    /// <summary>True when <paramref name="sentence"/> opens with a pronoun or a connective: quoted alone it is missing what came before.</summary>
    public static bool LeansOnPrevious(string sentence) => Opener(sentence, Pronouns) || Opener(sentence, Connectives);

    private static bool Opener(string sentence, FrozenSet<string> openers)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        var words = Words.All(sentence.AsSpan(0, Math.Min(sentence.Length, 60)));
        var opener = "";
        for (var k = 0; k < Math.Min(words.Count, LongestOpener); k++)
        {
            opener = k == 0 ? words[0].Lower : opener + " " + words[k].Lower;
            if (openers.Contains(opener))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// True when <paramref name="sentence"/> announces what the next sentences spell out: it ends
    /// with a colon, or counts things it does not name ("the company's two major AI labs.").
    /// </summary>
    public static bool AnnouncesFollowing(string sentence)
    {
        ArgumentNullException.ThrowIfNull(sentence);
        return sentence.TrimEnd().EndsWith(':') || Words.All(sentence).Exists(w => StopWords.Counts.Contains(w.Lower));
    }
}
