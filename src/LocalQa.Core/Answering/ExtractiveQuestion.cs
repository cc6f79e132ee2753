using System.Collections.Frozen;
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
/// <param name="Capitalized">True when the word is part of a name in the question (<see cref="Names"/>) or a number: "Devi Parikh", "FAIR", "2018".</param>
/// <param name="Unit">Terms with the same unit number form one name in the question ("Devi Parikh", "LLaMA 3").</param>
internal readonly record struct QuestionTerm(string Stem, bool Capitalized, int Unit);

/// <summary>
/// A question taken apart for extractive answering: its content terms and the kind of answer it
/// wants, read by the ordered stages of <see cref="Stages"/> as the cleaning rules read a page.
/// </summary>
internal sealed class ExtractiveQuestion
{
    private ExtractiveQuestion(string text, IReadOnlyList<QuestionTerm> terms, AnswerKind kind, string? acronym, bool asksForCurrent, FrozenSet<string> allStems, IReadOnlyList<string> timeWordPhrases)
    {
        TimeWordPhrases = timeWordPhrases;
        Text = text;
        Terms = terms;
        Kind = kind;
        Acronym = acronym;
        AsksForCurrent = asksForCurrent;
        AllStems = allStems;
    }

    /// <summary>
    /// The stages, in order; each sees what the ones before it read. A new reading of questions is a
    /// new stage here, not a new branch inside one.
    /// </summary>
    public static IReadOnlyList<IQuestionStage> Stages { get; } =
    [
        new AcronymStage(),
        new AnswerKindStage(),
        new PresentStage(),
        new NamesStage(),
        new WordingStage(),
    ];

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

    /// <summary>
    /// "current working", "latest release": when every present cue of the question is "current" or
    /// "latest" before a word, the phrases, which may name a thing rather than ask about now; else empty.
    /// </summary>
    public IReadOnlyList<string> TimeWordPhrases { get; }

    /// <summary>Every stem of the question, wording included: an entity made only of these is not news to the asker.</summary>
    public FrozenSet<string> AllStems { get; }

    public static ExtractiveQuestion Parse(string question)
    {
        ArgumentNullException.ThrowIfNull(question);
        var reading = new QuestionReading(question);
        foreach (var stage in Stages)
        {
            stage.Read(reading);
        }

        var terms = new List<QuestionTerm>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var t = 0; t < reading.Tokens.Count; t++)
        {
            var stem = reading.Tokens[t].Stem;
            if (!reading.Wording[t] && seen.Add(stem))
            {
                terms.Add(new QuestionTerm(stem, reading.InName[t], reading.Units[t]));
            }
        }

        var all = reading.Tokens.Select(t => t.Stem).ToFrozenSet(StringComparer.Ordinal);
        var named = reading.PresentCues.TrueForAll(c => c.Groups["thing"].Success) ? reading.PresentCues.ConvertAll(c => c.Value) : [];
        return new ExtractiveQuestion(question, terms, reading.Kind, reading.Acronym, reading.AsksForCurrent, all, named);
    }
}
