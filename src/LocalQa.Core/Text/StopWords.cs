using System.Collections.Frozen;

namespace LocalQa.Core.Text;

/// <summary>Words too common to say what a question is about.</summary>
internal static class StopWords
{
    /// <summary>
    /// Function words of English: articles, pronouns, auxiliaries, prepositions, conjunctions,
    /// question words, contraction fragments ("don't" splits into "don" and "t") and "now" and "today",
    /// which date a text rather than say what it is about. Content words that merely look common
    /// ("new", "us", "AI") are kept: in a question they carry meaning.
    /// </summary>
    public static FrozenSet<string> English { get; } = FrozenSet.Create(StringComparer.Ordinal,
    [
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
        "yourself", "yourselves",
    ]);

    /// <summary>
    /// Words that describe the question rather than its subject: how it is asked ("what is X short for",
    /// "what does Y call Z", "named in these articles", "according to"), not what it is about.
    /// </summary>
    public static FrozenSet<string> QuestionPhrasing { get; } = FrozenSet.Create(StringComparer.Ordinal,
    [
        "according", "article", "articles", "call", "called", "calls", "current", "currently", "describe",
        "described", "explain", "kind", "like", "look", "mean", "means", "mentioned", "named", "say", "said",
        "says", "short", "stand", "stands", "tell", "text", "texts", "today",
    ]);

    /// <summary>
    /// <see cref="QuestionPhrasing"/> as stems, for checking the stems of <see cref="Words.Terms"/>:
    /// the stemmer cuts "article" to "articl" and "named" to "nam", which the whole words never match.
    /// </summary>
    public static FrozenSet<string> QuestionPhrasingStems { get; } =
        QuestionPhrasing.Select(w => EnglishStemmer.Stem(w)).ToFrozenSet(StringComparer.Ordinal);

    /// <summary>
    /// Month and weekday names: capitalized in English, yet they date a text rather than name
    /// someone or something in it.
    /// </summary>
    public static FrozenSet<string> Calendar { get; } = FrozenSet.Create(StringComparer.Ordinal,
    [
        "january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december",
        "monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday",
    ]);

    /// <summary>Counts spelled out ("two labs", "both sides"): English writes small counts as words.</summary>
    public static FrozenSet<string> Counts { get; } = FrozenSet.Create(StringComparer.Ordinal,
    [
        "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven", "twelve", "both", "several",
    ]);
}
