using System.Collections.Frozen;
using System.Text.RegularExpressions;
using LocalQa.Core.Text;

namespace LocalQa.Core.Answering;

/// <summary>The kind of answer a question asks for, read from its wording.</summary>
internal enum AnswerKind
{
    /// <summary>No particular kind: any sentence that covers the question will do.</summary>
    Any,

    /// <summary>"Who …": a person's name.</summary>
    Person,

    /// <summary>"When …", "In what year …": a date, a month or a year.</summary>
    Date,

    /// <summary>"How many …", "How much …", "What percentage …", a price: a number.</summary>
    Number,

    /// <summary>"Where …", "Which city …": a place.</summary>
    Place,

    /// <summary>"What is X short for", "What does X stand for": the long form of an acronym.</summary>
    Expansion,

    /// <summary>"What does X call Y", "What is Y called": a quoted or hyphenated term.</summary>
    Term,
}

/// <summary>A content word of a question.</summary>
/// <param name="Stem">The word's stem (see <see cref="EnglishStemmer"/>).</param>
/// <param name="Capitalized">True when the word was capitalized inside the question: a name, an acronym.</param>
/// <param name="Unit">Terms with the same unit number form one name in the question ("Devi Parikh", "LLaMA 3").</param>
internal readonly record struct QuestionTerm(string Stem, bool Capitalized, int Unit);

/// <summary>A question taken apart for extractive answering: its content terms and the kind of answer it wants.</summary>
internal sealed partial class ExtractiveQuestion
{
    // English's question words: the closed class that says what kind of answer is asked for.
    private static readonly FrozenSet<string> WhWords = FrozenSet.Create(
        StringComparer.Ordinal, "who", "whom", "whose", "when", "where", "how", "what", "which", "why");

    // The nouns English questions use to ask for a kind of answer ("what year", "which city", "what
    // percentage", "which researcher"): a closed set of question wording, whatever the topic.
    private static readonly FrozenDictionary<string, AnswerKind> KindNouns = new (AnswerKind Kind, string[] Nouns)[]
    {
        (AnswerKind.Date, ["year", "years", "month", "months", "date", "day", "decade", "century", "season", "week"]),
        (AnswerKind.Number, ["percentage", "percent", "number", "share", "amount", "proportion", "fraction", "size", "sum", "total"]),
        (AnswerKind.Place, ["city", "cities", "country", "countries", "place", "location", "state", "region", "town", "continent", "campus", "office", "offices"]),
        (AnswerKind.Person, ["person", "people", "man", "woman", "researcher", "researchers", "scientist", "scientists", "executive",
            "executives", "founder", "founders", "ceo", "author", "authors", "leader", "professor", "engineer", "director", "journalist", "reporter"]),
    }.SelectMany(g => g.Nouns.Select(n => (Noun: n, g.Kind))).ToFrozenDictionary(x => x.Noun, x => x.Kind, StringComparer.Ordinal);

    // "How many", "how long", "how old": the adjectives after "how" that ask for a quantity.
    private static readonly FrozenSet<string> NumberAfterHow = FrozenSet.Create(
        StringComparer.Ordinal, "many", "much", "long", "old", "large", "big", "far", "often", "fast", "tall", "high");

    // Words that say how a question is asked, not what it is about ("named in the articles", "please
    // tell me exactly"); with StopWords.QuestionPhrasing they are also the fillers a question may open with.
    private static readonly FrozenSet<string> Asking = FrozenSet.Create(
        StringComparer.Ordinal, "named", "name", "mentioned", "mention", "article", "articles", "document", "documents", "passage",
        "passages", "text", "tell", "please", "exactly", "roughly", "approximately", "know", "according", "happen", "happened", "happens", "ok", "okay");

    private static readonly FrozenSet<string> NoiseStems = StemsOf([.. Asking]);

    // The cue words of each kind of question below are its wording, not its subject: "short for", "call", "how many", "today".
    private static readonly FrozenSet<string> ExpansionStems = StemsOf(
        "short", "stand", "stands", "abbreviation", "abbreviate", "abbreviated", "acronym", "mean", "means", "expand", "expansion", "full", "form", "letters");

    private static readonly FrozenSet<string> TermStems = StemsOf("call", "calls", "called", "nickname", "nicknamed", "term", "dub", "dubbed", "describe", "describes", "described", "refer", "refers");

    private static readonly FrozenSet<string> CountStems = StemsOf("many", "much");

    private static readonly FrozenSet<string> CurrentStems = StemsOf("today", "current", "currently", "now", "latest", "moment", "presently", "nowadays");

    private ExtractiveQuestion(string text, IReadOnlyList<QuestionTerm> terms, AnswerKind kind, string? acronym, bool asksForCurrent, FrozenSet<string> allStems)
    {
        Text = text;
        Terms = terms;
        Kind = kind;
        Acronym = acronym;
        AsksForCurrent = asksForCurrent;
        AllStems = allStems;
    }

    /// <summary>The question as asked.</summary>
    public string Text { get; }

    /// <summary>The distinct content terms that a supporting sentence should contain, in question order.</summary>
    public IReadOnlyList<QuestionTerm> Terms { get; }

    /// <summary>The kind of answer asked for.</summary>
    public AnswerKind Kind { get; }

    /// <summary>The acronym to expand, for <see cref="AnswerKind.Expansion"/>.</summary>
    public string? Acronym { get; }

    /// <summary>"today", "current", "latest": the question wants information as of now.</summary>
    public bool AsksForCurrent { get; }

    /// <summary>Every stem of the question, noise words included: an entity made only of these is not news to the asker.</summary>
    public FrozenSet<string> AllStems { get; }

    public static ExtractiveQuestion Parse(string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var normalized = question.Replace('\u2019', '\'').Replace('\u2018', '\'');
        var words = Words.All(normalized).Select(w => w.Lower).ToList();
        var acronym = FindAcronym(normalized);
        var kind = KindOf(normalized, words, acronym);
        var asksForCurrent = CurrentTime().IsMatch(normalized);

        var terms = new List<QuestionTerm>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var all = new HashSet<string>(StringComparer.Ordinal);
        var tokens = Words.Terms(normalized);
        var unit = -1;
        TermToken? previous = null;
        for (var k = 0; k < tokens.Count; k++)
        {
            var token = tokens[k];
            all.Add(token.Stem);
            var capitalized = token.Capitalized && token.Start > 0;
            var nameLike = capitalized || char.IsDigit(token.Stem[0]);
            var continuesName = nameLike && previous is { } p && (p.Capitalized || char.IsDigit(p.Stem[0]))
                && normalized.AsSpan(p.Start + p.Length, token.Start - p.Start - p.Length).Trim(" -").IsEmpty;
            previous = nameLike ? token with { Capitalized = true } : token;
            if (NoiseStems.Contains(token.Stem)
                || (kind == AnswerKind.Expansion && ExpansionStems.Contains(token.Stem))
                || (kind == AnswerKind.Term && TermStems.Contains(token.Stem))
                || (kind == AnswerKind.Number && CountStems.Contains(token.Stem))
                || (asksForCurrent && CurrentStems.Contains(token.Stem)))
            {
                continue;
            }

            if (!continuesName)
            {
                unit++;
            }

            if (seen.Add(token.Stem))
            {
                terms.Add(new QuestionTerm(token.Stem, capitalized, unit));
            }
        }

        return new ExtractiveQuestion(question, terms, kind, acronym, asksForCurrent, all.ToFrozenSet(StringComparer.Ordinal));
    }

    private static AnswerKind KindOf(string question, List<string> words, string? acronym)
    {
        if (acronym is not null && ExpansionCue().IsMatch(question))
        {
            return AnswerKind.Expansion;
        }

        var (wh, next) = LeadingWhWord(words);
        if (wh is "what" or "which" or "how" or null && TermCue().IsMatch(question))
        {
            return AnswerKind.Term;
        }

        switch (wh)
        {
            case "who" or "whom" or "whose":
                return AnswerKind.Person;
            case "when":
                return AnswerKind.Date;
            case "where":
                return AnswerKind.Place;
            case "how" when next is not null && NumberAfterHow.Contains(next):
                return AnswerKind.Number;
            case "what" or "which" when next is not null && KindNouns.TryGetValue(next, out var asked):
                return asked;
        }

        // "What is the price of …", "How much did it cost": the answer is an amount.
        return wh is "what" or "how" && MoneyCue().IsMatch(question) ? AnswerKind.Number : AnswerKind.Any;
    }

    /// <summary>The question word that leads the question (after fillers like "So," or "In"), and the word after it.</summary>
    private static (string? Wh, string? Next) LeadingWhWord(List<string> words)
    {
        for (var k = 0; k < words.Count; k++)
        {
            if (WhWords.Contains(words[k]))
            {
                return (words[k], k + 1 < words.Count ? words[k + 1] : null);
            }

            // Fillers open a question ("So, in …", "Do you know …"); past three words the question has begun.
            if (k >= 3 || !(Words.IsStopWord(words[k]) || Asking.Contains(words[k]) || StopWords.QuestionPhrasing.Contains(words[k])))
            {
                break;
            }
        }

        // A question word later on ("And the lab was founded when?") still says what is asked.
        for (var k = 0; k < words.Count; k++)
        {
            if (words[k] is "who" or "when" or "where" || (words[k] == "how" && k + 1 < words.Count && NumberAfterHow.Contains(words[k + 1])))
            {
                return (words[k], k + 1 < words.Count ? words[k + 1] : null);
            }
        }

        return (null, null);
    }

    /// <summary>A word of at least two capitals that are at least half its letters ("FAIR", "LLaMA"); the one before an expansion cue wins.</summary>
    private static string? FindAcronym(string question)
    {
        var cue = ExpansionCue().Match(question);
        string? first = null;
        string? beforeCue = null;
        foreach (var token in Words.All(question))
        {
            var word = question.Substring(token.Start, token.Length);
            var upper = word.Count(char.IsUpper);
            if (upper < 2 || upper * 2 < word.Length)
            {
                continue;
            }

            first ??= word;
            if (cue.Success && token.Start < cue.Index)
            {
                beforeCue = word;
            }
        }

        return beforeCue ?? first;
    }

    private static FrozenSet<string> StemsOf(params string[] words) =>
        words.Select(w => EnglishStemmer.Stem(w)).ToFrozenSet(StringComparer.Ordinal);

    // The general ways English asks for the cues below: an acronym's long form, a coined term, the present, an amount of money.
    [GeneratedRegex(@"\b(?:short\s+for|stands?\s+for|standing\s+for|abbreviat\w*|acronym|expan(?:sion|d|ds|ded)\b|full\s+(?:name|form)|what\s+does\s+\S+\s+mean)", RegexOptions.IgnoreCase)]
    private static partial Regex ExpansionCue();

    [GeneratedRegex(@"\b(?:calls?|called|nicknamed?|dub(?:s|bed)?|the\s+term|what\s+term|describes?\s+.+\s+as|refers?\s+to\s+.+\s+as)\b", RegexOptions.IgnoreCase)]
    private static partial Regex TermCue();

    [GeneratedRegex(@"\b(?:today|currently|current|right\s+now|now|at\s+the\s+moment|latest|nowadays|these\s+days|this\s+(?:week|month|year))\b", RegexOptions.IgnoreCase)]
    private static partial Regex CurrentTime();

    [GeneratedRegex(@"\b(?:price|prices|cost|costs|worth|salary|valuation|revenue|paid|pay|spend|spent|budget)\b", RegexOptions.IgnoreCase)]
    private static partial Regex MoneyCue();
}
