using System.Collections.Frozen;

namespace LocalQa.Core.Text;

/// <summary>
/// A closed class of English words, with the stems <see cref="EnglishStemmer"/> gives them, so a
/// heuristic checks a whole word (<see cref="Words.All"/>) or a content word's stem
/// (<see cref="Words.Terms"/>) against the same list: "named" is "named" as a word and "nam" as a stem.
/// </summary>
internal sealed class WordClass
{
    public WordClass(params string[] words)
    {
        All = words.ToFrozenSet(StringComparer.Ordinal);
        Stems = words.Select(w => EnglishStemmer.Stem(w)).ToFrozenSet(StringComparer.Ordinal);
        Lookup = All.GetAlternateLookup<ReadOnlySpan<char>>();
    }

    /// <summary>The words, lower-case and accent-folded as <see cref="Words.All"/> gives them.</summary>
    public FrozenSet<string> All { get; }

    /// <summary>Their stems, as <see cref="Words.Terms"/> gives them.</summary>
    public FrozenSet<string> Stems { get; }

    private FrozenSet<string>.AlternateLookup<ReadOnlySpan<char>> Lookup { get; }

    /// <summary>True when <paramref name="word"/> (folded, not stemmed) is in the class.</summary>
    public bool Contains(string word) => All.Contains(word);

    /// <summary>True when <paramref name="word"/> (folded, not stemmed) is in the class.</summary>
    public bool Contains(ReadOnlySpan<char> word) => Lookup.Contains(word);

    /// <summary>True when <paramref name="stem"/> is the stem of a word of the class.</summary>
    public bool HasStem(string stem) => Stems.Contains(stem);

    /// <summary>The words of both classes.</summary>
    public static WordClass operator |(WordClass a, WordClass b) => new([.. a.All, .. b.All]);
}

/// <summary>How a pronoun or a word like one points back at something named before it.</summary>
internal enum Pointing
{
    /// <summary>A personal pronoun ("he", "its", "themselves"): it stands for someone or something named before.</summary>
    Personal,

    /// <summary>"these", "those": a demonstrative that stands for things named before, alone or before a noun.</summary>
    Demonstrative,

    /// <summary>"this", "that", "such", "same": they point back before a noun ("that team"); alone "that" is
    /// as often a relative pronoun or a conjunction ("the lab that he led").</summary>
    Determiner,

    /// <summary>"there", "former", "latter": they point back inside a question, but "There are …" opens a sentence without pointing anywhere.</summary>
    Reference,
}

/// <summary>
/// The English every no-model heuristic reads: function words, question wording, pronouns,
/// connectives, calendar words, the nouns that ask for a kind of answer. Closed classes of the
/// language, each spelled once here with its stems precomputed, never a list of any text's topics
/// or names.
/// </summary>
internal static class Lexicon
{
    /// <summary>
    /// Function words of English: articles, pronouns, auxiliaries, prepositions, conjunctions,
    /// question words, contraction fragments ("don't" splits into "don" and "t") and "now" and "today",
    /// which date a text rather than say what it is about. Content words that merely look common
    /// ("new", "us", "AI") are kept: in a question they carry meaning.
    /// </summary>
    public static WordClass FunctionWords { get; } = new(
        "a", "about", "above", "after", "again", "against", "all", "also", "am", "an", "and", "any", "are", "aren",
        "as", "at", "be", "because", "been", "before", "being", "below", "between", "both", "but", "by",
        "can", "cannot", "could", "couldn", "did", "didn", "do", "does", "doesn", "doing", "don", "down", "during",
        "each", "either", "else", "ever", "few", "for", "from", "further", "had", "hadn", "has", "hasn", "have",
        "haven", "having", "he", "her", "here", "hers", "herself", "him", "himself", "his", "how", "i", "if", "in",
        "into", "is", "isn", "it", "its", "itself", "just", "ll", "may", "me", "might", "more", "most", "must",
        "mustn", "my", "myself", "neither", "no", "nor", "not", "now", "of", "off", "on", "once", "only", "or", "other",
        "ought", "our", "ours", "ourselves", "out", "over", "own", "re", "same", "shall", "shan", "she", "should",
        "shouldn", "so", "some", "such", "than", "that", "the", "their", "theirs", "them", "themselves", "then",
        "there", "these", "they", "this", "those", "through", "to", "today", "too", "under", "until", "up", "upon", "ve",
        "very", "was", "wasn", "we", "were", "weren", "what", "whatever", "when", "where", "whether", "which",
        "while", "who", "whom", "whose", "why", "will", "with", "won", "would", "wouldn", "you", "your", "yours",
        "yourself", "yourselves");

    /// <summary>English's question words: the closed class that says what kind of answer is asked for.</summary>
    public static WordClass QuestionWords { get; } = new("who", "whom", "whose", "when", "where", "how", "what", "which", "why");

    /// <summary>The auxiliaries a yes/no question opens with ("Was that …", "Did he …").</summary>
    public static WordClass Auxiliaries { get; } = new("is", "are", "was", "were", "did", "does", "do", "can");

    /// <summary>
    /// Words that say how a question is asked, never what it is about: "according to the articles",
    /// "named in the text", "what does it look like", "what kind of", "what did he say".
    /// </summary>
    public static WordClass Asking { get; } = new(
        "according", "article", "articles", "text", "texts", "mentioned", "named", "tell", "say", "said", "says", "explain", "kind", "like", "look");

    /// <summary>
    /// Fillers and words about the articles a question may carry ("please tell me exactly", "the name
    /// of", "in these documents"): wording when a question is read for its terms, yet "name" and
    /// "document" are also subjects ("a logger with a specified name"), so a search keeps them.
    /// </summary>
    public static WordClass Fillers { get; } = new(
        "please", "exactly", "roughly", "approximately", "know", "happen", "happened", "happens", "ok", "okay",
        "name", "mention", "document", "documents", "passage", "passages");

    // The verbs of the cue classes below are wording wherever they stand; their other words ("full
    // form", "the term", "latest") also name things, so only a question of that kind drops them.
    private static readonly WordClass ExpansionVerbs = new("short", "stand", "stands", "mean", "means");
    private static readonly WordClass TermVerbs = new("call", "calls", "called", "describe", "described");
    // "today", "current": the search drops them; a question's reading finds them with QuestionCues.Present.
    private static readonly WordClass PresentWords = new("today", "current", "currently");

    /// <summary>"What is X short for", "what is the full form of FAIR": the wording that asks for an acronym's long form.</summary>
    public static WordClass ExpansionCues { get; } =
        ExpansionVerbs | new WordClass("abbreviation", "abbreviate", "abbreviated", "acronym", "expand", "expansion", "full", "form", "letters");

    /// <summary>"What does X call Y", "what term": the wording that asks for a coined term.</summary>
    public static WordClass TermCues { get; } = TermVerbs | new WordClass("describes", "nickname", "nicknamed", "term", "dub", "dubbed", "refer", "refers");

    /// <summary>
    /// The words that phrase a question wherever they stand, for the readers that do not know its
    /// kind: follow-up resolution, the condenser's check, names, the search query.
    /// </summary>
    public static WordClass QuestionPhrasing { get; } = Asking | ExpansionVerbs | TermVerbs | PresentWords;

    /// <summary>"How many", "how much": quantifiers, which ask for a count or an amount and say nothing of what is counted.</summary>
    public static WordClass Quantifiers { get; } = new("many", "much");

    /// <summary>"How many", "how long", "how old": the words after "how" that ask for a quantity; a measure ("long") also names what is measured.</summary>
    public static WordClass QuantityAfterHow { get; } = Quantifiers | new WordClass("long", "old", "large", "big", "far", "often", "fast", "tall", "high");

    /// <summary>The nouns of money: "What is the price of …", "How much did it cost" ask for an amount.</summary>
    public static WordClass MoneyNouns { get; } = new(
        "price", "prices", "cost", "costs", "worth", "salary", "valuation", "revenue", "paid", "pay", "spend", "spent", "budget");

    /// <summary>The nouns that ask for a date: "what year", "which month".</summary>
    public static WordClass DateNouns { get; } = new("year", "years", "month", "months", "date", "day", "decade", "century", "season", "week");

    /// <summary>The nouns that ask for a number: "what percentage", "what share".</summary>
    public static WordClass NumberNouns { get; } = new("percentage", "percent", "number", "share", "amount", "proportion", "fraction", "size", "sum", "total");

    /// <summary>The nouns that ask for a place: "which city", "what country".</summary>
    public static WordClass PlaceNouns { get; } = new(
        "city", "cities", "country", "countries", "place", "location", "state", "region", "town", "continent", "campus", "office", "offices");

    /// <summary>The nouns that ask for a person: "which researcher", "what executive".</summary>
    public static WordClass PersonNouns { get; } = new(
        "person", "people", "man", "woman", "researcher", "researchers", "scientist", "scientists", "executive",
        "executives", "founder", "founders", "ceo", "author", "authors", "leader", "professor", "engineer", "director", "journalist", "reporter");

    /// <summary>
    /// Pronouns and the words that point back like them, each with how it points. One list for
    /// every reader: a sentence that opens with one leans on the sentence before it, a question that
    /// holds one leans on the turn before it.
    /// </summary>
    public static FrozenDictionary<string, Pointing> Pronouns { get; } = new (Pointing How, string[] Words)[]
    {
        (Pointing.Personal, ["he", "him", "his", "himself", "she", "her", "hers", "herself", "it", "its", "itself",
            "they", "them", "their", "theirs", "themselves"]),
        (Pointing.Demonstrative, ["these", "those"]),
        (Pointing.Determiner, ["this", "that", "such", "same"]),
        (Pointing.Reference, ["there", "former", "latter"]),
    }.SelectMany(g => g.Words.Select(w => (Word: w, g.How))).ToFrozenDictionary(x => x.Word, x => x.How, StringComparer.Ordinal);

    /// <summary>
    /// Connectives of contrast, addition, consequence and enumeration: a sentence or a clipped
    /// question that opens with one continues a thought begun before it ("But …", "On the other side,
    /// …", "Second, …", "And the year?"). Phrases of several words are matched word by word.
    /// </summary>
    public static WordClass Connectives { get; } = new(
        "but", "and", "or", "so", "yet", "still", "however", "meanwhile", "instead", "also", "moreover", "furthermore", "besides",
        "likewise", "similarly", "thus", "therefore", "hence", "consequently", "nevertheless", "nonetheless", "otherwise",
        "conversely", "then", "next", "finally", "lastly", "first", "firstly", "second", "secondly", "third", "thirdly",
        "on the other", "on one side", "on one hand", "on the one hand", "on the one side", "in addition", "in contrast",
        "by contrast", "as a result", "for example", "for instance");

    /// <summary>"the second one", "the other", "the last": words that pick one of things listed before.</summary>
    public static WordClass Ordinals { get; } = new("first", "second", "third", "fourth", "fifth", "last", "other", "next", "previous", "one", "ones");

    /// <summary>
    /// Month and weekday names: capitalized in English, yet they date a text rather than name
    /// someone or something in it.
    /// </summary>
    public static WordClass Calendar { get; } = new(
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday");

    /// <summary>Counts spelled out ("two labs", "both sides"): English writes small counts as words.</summary>
    public static WordClass Counts { get; } = new(
        "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "both", "several");

    /// <summary>The particles inside personal names ("Ursula von der Leyen", "Ibn al Haytham"): lower-case, yet part of the name.</summary>
    public static WordClass NameParticles { get; } = new("de", "van", "von", "da", "di", "del", "der", "le", "la", "bin", "al");

    /// <summary>Words that are followed by a period and then, usually, a capitalised name or a number ("Dr.", "vs.", "Jan.").</summary>
    public static WordClass Abbreviations { get; } = new(
        "mr", "mrs", "ms", "mx", "dr", "prof", "sr", "jr", "st", "mt", "ft", "rev", "hon", "fr",
        "gen", "gov", "sen", "rep", "pres", "capt", "col", "lt", "sgt", "maj", "cmdr", "adm", "cpl", "insp",
        "vs", "cf", "al", "approx", "ca", "fig", "figs", "eq", "no", "nos", "vol", "vols", "pp", "ed", "eds",
        "ch", "sec", "art", "dept", "est", "op", "ref", "refs", "viz", "resp", "incl",
        "jan", "feb", "mar", "apr", "jun", "jul", "aug", "sep", "sept", "oct", "nov", "dec");

    /// <summary>The headings English texts put over their back matter: what follows lists sources, not statements.</summary>
    public static WordClass BackMatterHeadings { get; } = new(
        "references", "bibliography", "sources", "notes", "footnotes", "further reading", "works cited", "citations", "see also");

    /// <summary>Edmundson's cue phrases: an author opens the sentence that gives the gist with them ("In short, …").</summary>
    public static WordClass GistCues { get; } = new(
        "in short", "in summary", "in sum", "to sum up", "to summarize", "to summarise", "in conclusion", "in a nutshell", "bottom line", "tl;dr", "put simply", "in brief");

    /// <summary>The longest phrase, in words, of <paramref name="words"/>.</summary>
    public static int LongestPhrase(WordClass words) => words.All.Max(p => p.Count(c => c == ' ') + 1);
}
