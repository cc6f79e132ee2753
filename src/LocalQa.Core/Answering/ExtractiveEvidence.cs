using System.Text.RegularExpressions;
using LocalQa.Core.Text;

namespace LocalQa.Core.Answering;

/// <summary>
/// Whether a sentence holds the kind of answer a question asks for (a name, a date, a number, a
/// place, an acronym's long form, a coined term) that the question does not already state.
/// </summary>
/// <remarks>Surface patterns only: they nudge the ranking of sentences that already match the question, never decide alone.</remarks>
internal static partial class ExtractiveEvidence
{
    /// <summary>True when <paramref name="sentence"/> holds an answer of <paramref name="question"/>'s kind that the question lacks.</summary>
    /// <param name="sentence">The sentence.</param>
    /// <param name="question">The question.</param>
    /// <param name="lowerCase">Words the text read writes in lower case somewhere (see <see cref="Names.LowerCaseWords"/>).</param>
    public static bool Holds(string sentence, ExtractiveQuestion question, IReadOnlySet<string> lowerCase) => question.Kind switch
    {
        AnswerKind.Person => HasNewName(sentence, question, lowerCase),
        AnswerKind.Date => HasNewDate(sentence, question),
        AnswerKind.Number => HasNewNumber(sentence, question),
        AnswerKind.Place => HasNewPlace(sentence, question, lowerCase),
        AnswerKind.Expansion => question.Acronym is not null && HasExpansion(sentence, question.Acronym),
        AnswerKind.Term => HasNewTerm(sentence, question),
        _ => false,
    };

    /// <summary>True when the text mentions a date: a month name, a year, a numeric date or a weekday.</summary>
    public static bool HasDate(string text) => DatePattern().IsMatch(text);

    /// <summary>
    /// True when the sentence names someone the question does not: a name (<see cref="Names"/>) with a
    /// part of at least two words shaped like a person's ("Alexandr Wang", "John F. Kennedy"; an initial
    /// does not count, so "written in C. New …" is no name), none of them a common word
    /// (<see cref="Names.IsCommon"/>).
    /// </summary>
    internal static bool HasNewName(string sentence, ExtractiveQuestion question, IReadOnlySet<string> lowerCase) =>
        Names.Find(sentence).Exists(n => Names.PersonParts(n).Any(part =>
            part.Count(w => w.Length > 1) >= 2 && !part.Exists(w => Names.IsCommon(w, lowerCase)) && !IsKnown(string.Join(" ", part), question)));

    internal static bool HasNewDate(string sentence, ExtractiveQuestion question) =>
        DatePattern().Matches(sentence).Any(m => !Mentions(question, m.Value));

    internal static bool HasNewNumber(string sentence, ExtractiveQuestion question)
    {
        foreach (Match m in NumberPattern().Matches(sentence))
        {
            // A bare year answers "when", not "how many".
            if (YearOnly().IsMatch(m.Value))
            {
                continue;
            }

            if (!Mentions(question, m.Value.TrimEnd('%')))
            {
                return true;
            }
        }

        return false;
    }

    internal static bool HasNewPlace(string sentence, ExtractiveQuestion question, IReadOnlySet<string> lowerCase)
    {
        foreach (Match m in PlacePattern().Matches(sentence))
        {
            var place = m.Groups["place"].Value;
            var first = place.Split(' ')[0];
            if (!Names.IsNameWord(first) || Names.IsCommon(first, lowerCase) || IsKnown(place, question))
            {
                continue;
            }

            return true;
        }

        return false;
    }

    /// <summary>
    /// True when the sentence spells out <paramref name="acronym"/>: "FAIR (Facebook AI Research)" or
    /// "Facebook AI Research (FAIR)", the letters of the acronym found in order in the long form, the first
    /// at the start of a word.
    /// </summary>
    internal static bool HasExpansion(string sentence, string acronym)
    {
        var escaped = Regex.Escape(acronym);
        var after = Regex.Match(sentence, @"(?<![\p{L}\p{N}])" + escaped + @"\s*\((?<long>[^()]{3,120})\)", RegexOptions.None, TimeSpan.FromSeconds(1));
        if (after.Success && LongFormMatches(acronym, after.Groups["long"].Value))
        {
            return true;
        }

        var before = Regex.Match(sentence, @"(?<long>[^()]{3,160})\(\s*" + escaped + @"\s*\)", RegexOptions.None, TimeSpan.FromSeconds(1));
        if (before.Success)
        {
            // The long form is at most min(|A| + 5, 2|A|) words (Schwartz and Hearst's window), the last ones before the parenthesis.
            var text = before.Groups["long"].Value;
            var words = Words.All(text);
            var take = Math.Min(words.Count, Math.Min(acronym.Length + 5, acronym.Length * 2));
            for (var count = 2; count <= take; count++)
            {
                if (LongFormMatches(acronym, text[words[^count].Start..]))
                {
                    return true;
                }
            }
        }

        return false;
    }

    /// <summary>Schwartz–Hearst matching: every letter of the short form, right to left, found in order in the long form.</summary>
    internal static bool LongFormMatches(string shortForm, string longForm)
    {
        // Particles ("of", "and", "de") need no letter of their own: lower-case words of up to three letters.
        // The other words are one per letter of the short form, give or take two ("Facebook AI Research").
        var contentWords = Words.All(longForm).Count(w => w.Length > 3 || char.IsUpper(longForm[w.Start]));
        if (contentWords < 2 || contentWords > shortForm.Length + 2)
        {
            return false;
        }

        var s = shortForm.Length - 1;
        var l = longForm.Length - 1;
        while (s >= 0)
        {
            var c = char.ToLowerInvariant(shortForm[s]);
            if (!char.IsLetterOrDigit(c))
            {
                s--;
                continue;
            }

            while (l >= 0 && (char.ToLowerInvariant(longForm[l]) != c || (s == 0 && l > 0 && char.IsLetterOrDigit(longForm[l - 1]))))
            {
                l--;
            }

            if (l < 0)
            {
                return false;
            }

            l--;
            s--;
        }

        // The long form must start where its first letter matched, not carry unrelated words before it.
        var firstWord = longForm.TrimStart();
        return firstWord.Length > 0 && char.ToLowerInvariant(firstWord[0]) == char.ToLowerInvariant(shortForm[0]);
    }

    internal static bool HasNewTerm(string sentence, ExtractiveQuestion question)
    {
        foreach (Match m in QuotedPattern().Matches(sentence))
        {
            if (!IsKnown(m.Groups["inner"].Value, question))
            {
                return true;
            }
        }

        foreach (Match m in HyphenatedPattern().Matches(sentence))
        {
            if (!IsKnown(m.Value, question))
            {
                return true;
            }
        }

        return false;
    }

    // Every content word of the candidate already appears in the question.
    private static bool IsKnown(string candidate, ExtractiveQuestion question)
    {
        var terms = Words.Terms(candidate);
        return terms.Count == 0 || terms.All(t => question.AllStems.Contains(t.Stem));
    }

    private static bool Mentions(ExtractiveQuestion question, string value) =>
        question.Text.Contains(value.Trim(), StringComparison.OrdinalIgnoreCase);

    // Surface forms of English dates, amounts, places after a
    // preposition of place, quoted terms and hyphenated coinages: general patterns, not a list of any article's names.
    [GeneratedRegex(@"\b(?:(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?|January|February|March|April|May|June|July|August|September|October|November|December)(?:\s+\d{1,2}(?:st|nd|rd|th)?)?(?:,?\s+\d{4})?\b|\b(?:1[5-9]\d\d|20\d\d)s?\b|\b\d{1,2}/\d{1,2}/\d{2,4}\b|\b\d{4}-\d{2}-\d{2}\b|\b(?:yesterday|last\s+(?:week|month|year)|(?:Mon|Tues|Wednes|Thurs|Fri|Satur|Sun)day)\b")]
    private static partial Regex DatePattern();

    [GeneratedRegex(@"[$€£¥]?\b\d+(?:[.,]\d+)*\b%?|\b(?:two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|fifteen|twenty|thirty|forty|fifty|hundred|thousand|million|billion|trillion|dozen)s?\b", RegexOptions.IgnoreCase)]
    private static partial Regex NumberPattern();

    [GeneratedRegex(@"^(?:1[5-9]\d\d|20\d\d)$")]
    private static partial Regex YearOnly();


    [GeneratedRegex(@"\b(?:in|at|from|near|outside|across|based\s+in|headquartered\s+in)\s+(?:the\s+)?(?<place>\p{Lu}\p{Ll}+(?:\s\p{Lu}\p{Ll}+){0,2})")]
    private static partial Regex PlacePattern();

    [GeneratedRegex("[\u201C\"\u2018](?<inner>[^\u201C\u201D\"\u2018\u2019]{2,80})[\u201D\"\u2019]")]
    private static partial Regex QuotedPattern();

    [GeneratedRegex(@"\b\p{L}+(?:-\p{L}+)+\b")]
    private static partial Regex HyphenatedPattern();
}
