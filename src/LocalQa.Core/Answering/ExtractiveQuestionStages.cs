using System.Collections.Frozen;
using System.Text.RegularExpressions;
using LocalQa.Core.Text;

namespace LocalQa.Core.Answering;

/// <summary>What the stages of <see cref="ExtractiveQuestion.Stages"/> have read of a question so far.</summary>
internal sealed class QuestionReading
{
    public QuestionReading(string question)
    {
        Question = question;
        Text = question.Replace('\u2019', '\'').Replace('\u2018', '\'');
        Words = LocalQa.Core.Text.Words.All(Text);
        Tokens = LocalQa.Core.Text.Words.Terms(Text);
        Units = new int[Tokens.Count];
        InName = new bool[Tokens.Count];
        Wording = new bool[Tokens.Count];
    }

    /// <summary>The question as asked.</summary>
    public string Question { get; }

    /// <summary>The question with typographic apostrophes made plain, which every stage reads.</summary>
    public string Text { get; }

    /// <summary>Every word, function words included.</summary>
    public List<WordToken> Words { get; }

    /// <summary>The content words, in order; the arrays below are indexed like it.</summary>
    public List<TermToken> Tokens { get; }

    /// <summary>The kind of answer asked for.</summary>
    public AnswerKind Kind { get; set; }

    /// <summary>The acronym the question holds, if any.</summary>
    public string? Acronym { get; set; }

    /// <summary>The question asks about the present.</summary>
    public bool AsksForCurrent { get; set; }

    /// <summary>Where the question says "today", "current", "these days" (<see cref="QuestionCues.Present"/>).</summary>
    public List<Match> PresentCues { get; } = [];

    /// <summary>Tokens with one number form one name ("Devi Parikh", "LLaMA 3").</summary>
    public int[] Units { get; }

    /// <summary>The token is part of a name, or a number.</summary>
    public bool[] InName { get; }

    /// <summary>The token says how the question is asked ("named", "short for", "how many"), not what it is about.</summary>
    public bool[] Wording { get; }

}

/// <summary>One stage of reading a question: it reads what the stages before it left in the <see cref="QuestionReading"/> and adds what it reads.</summary>
internal interface IQuestionStage
{
    /// <summary>A short name.</summary>
    string Name { get; }

    /// <summary>Reads <paramref name="reading"/> and records what it finds there.</summary>
    void Read(QuestionReading reading);
}

/// <summary>The acronym of the question: a word of at least two capitals that are at least half its letters ("FAIR", "LLaMA"); the one before an expansion cue wins.</summary>
internal sealed class AcronymStage : IQuestionStage
{
    public string Name => "acronym";

    public void Read(QuestionReading reading)
    {
        var question = reading.Text;
        var cue = QuestionCues.Expansion().Match(question);
        string? first = null;
        string? beforeCue = null;
        foreach (var token in reading.Words)
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

        reading.Acronym = beforeCue ?? first;
    }
}

/// <summary>The kind of answer asked for, from the question word that leads the question and the noun after it ("what year", "which city").</summary>
internal sealed class AnswerKindStage : IQuestionStage
{
    private static readonly FrozenDictionary<string, AnswerKind> KindNouns = new (AnswerKind Kind, WordClass Nouns)[]
    {
        (AnswerKind.Date, Lexicon.DateNouns),
        (AnswerKind.Number, Lexicon.NumberNouns),
        (AnswerKind.Place, Lexicon.PlaceNouns),
        (AnswerKind.Person, Lexicon.PersonNouns),
    }.SelectMany(g => g.Nouns.All.Select(n => (Noun: n, g.Kind))).ToFrozenDictionary(x => x.Noun, x => x.Kind, StringComparer.Ordinal);

    public string Name => "answer-kind";

    public void Read(QuestionReading reading)
    {
        var question = reading.Text;
        var words = reading.Words.ConvertAll(w => w.Lower);
        if (reading.Acronym is not null && QuestionCues.Expansion().IsMatch(question))
        {
            reading.Kind = AnswerKind.Expansion;
            return;
        }

        var (wh, next) = LeadingWhWord(words);
        if (wh is "what" or "which" or "how" or null && QuestionCues.Term().IsMatch(question))
        {
            reading.Kind = AnswerKind.Term;
            return;
        }

        reading.Kind = wh switch
        {
            "who" or "whom" or "whose" => AnswerKind.Person,
            "when" => AnswerKind.Date,
            "where" => AnswerKind.Place,
            "how" when next is not null && Lexicon.QuantityAfterHow.Contains(next) => AnswerKind.Number,
            "what" or "which" when next is not null && KindNouns.TryGetValue(next, out var asked) => asked,

            // "What is the price of …", "How much did it cost": the answer is an amount.
            "what" or "how" when words.Exists(Lexicon.MoneyNouns.Contains) => AnswerKind.Number,
            _ => AnswerKind.Any,
        };
    }

    /// <summary>The question word that leads the question (after fillers like "So," or "In"), and the word after it.</summary>
    private static (string? Wh, string? Next) LeadingWhWord(List<string> words)
    {
        for (var k = 0; k < words.Count; k++)
        {
            if (Lexicon.QuestionWords.Contains(words[k]))
            {
                return (words[k], k + 1 < words.Count ? words[k + 1] : null);
            }

            // Fillers open a question ("So, in …", "Do you know …"); past three words the question has begun.
            if (k >= 3 || !(Lexicon.FunctionWords.Contains(words[k]) || Lexicon.QuestionPhrasing.Contains(words[k]) || Lexicon.Fillers.Contains(words[k])))
            {
                break;
            }
        }

        // A question word later on ("And the lab was founded when?") still says what is asked.
        for (var k = 0; k < words.Count; k++)
        {
            if (words[k] is "who" or "when" or "where" || (words[k] == "how" && k + 1 < words.Count && Lexicon.QuantityAfterHow.Contains(words[k + 1])))
            {
                return (words[k], k + 1 < words.Count ? words[k + 1] : null);
            }
        }

        return (null, null);
    }
}

/// <summary>Whether the question asks about the present ("today", "currently", "these days").</summary>
internal sealed class PresentStage : IQuestionStage
{
    public string Name => "present";

    public void Read(QuestionReading reading)
    {
        reading.PresentCues.AddRange(QuestionCues.Present().Matches(reading.Text));
        reading.AsksForCurrent = reading.PresentCues.Count > 0;
    }
}

/// <summary>
/// The question's names (<see cref="Names"/>): the terms of one name form one unit, so a reader's
/// "Devi Parikh" or "LLaMA 3" counts once; a number is a unit of its own that matters like a name.
/// </summary>
internal sealed class NamesStage : IQuestionStage
{
    public string Name => "names";

    public void Read(QuestionReading reading)
    {
        var names = Names.Find(reading.Text);
        var unit = -1;
        var previousName = -1;
        for (var t = 0; t < reading.Tokens.Count; t++)
        {
            var token = reading.Tokens[t];
            var name = names.FindIndex(n => token.Start >= n.Start && token.Start < n.End);
            if (name < 0 || name != previousName)
            {
                unit++;
            }

            previousName = name;
            reading.Units[t] = unit;
            reading.InName[t] = name >= 0 || char.IsDigit(token.Stem[0]);
        }
    }
}

/// <summary>
/// The words that say how the question is asked rather than what it is about: asking words and
/// fillers ("named in these articles", "please tell me") always; the cue words of its kind ("short for", "call", "how many",
/// "today") when the question is of that kind; "how long" keeps "long", which names what is measured.
/// </summary>
internal sealed class WordingStage : IQuestionStage
{
    public string Name => "wording";

    public void Read(QuestionReading reading)
    {
        for (var t = 0; t < reading.Tokens.Count; t++)
        {
            var stem = reading.Tokens[t].Stem;
            reading.Wording[t] = Lexicon.Asking.HasStem(stem) || Lexicon.Fillers.HasStem(stem)
                || (reading.Kind == AnswerKind.Expansion && Lexicon.ExpansionCues.HasStem(stem))
                || (reading.Kind == AnswerKind.Term && Lexicon.TermCues.HasStem(stem))
                || (reading.Kind == AnswerKind.Number && Lexicon.Quantifiers.HasStem(stem))
                || IsPresentCue(reading, reading.Tokens[t].Start);
        }
    }

    // "current" in "the current working directory" is wording; "working" is not.
    private static bool IsPresentCue(QuestionReading reading, int at) =>
        reading.PresentCues.Exists(c => at >= c.Index && at < c.Index + c.Length && !(c.Groups["thing"].Success && at >= c.Groups["thing"].Index));
}

/// <summary>The general ways English asks for an acronym's long form, a coined term, or the present.</summary>
internal static partial class QuestionCues
{
    [GeneratedRegex(@"\b(?:short\s+for|stands?\s+for|standing\s+for|abbreviat\w*|acronym|expan(?:sion|d|ds|ded)\b|full\s+(?:name|form)|what\s+does\s+\S+\s+mean)", RegexOptions.IgnoreCase)]
    public static partial Regex Expansion();

    [GeneratedRegex(@"\b(?:calls?|called|nicknamed?|dub(?:s|bed)?|the\s+term|what\s+term|describes?\s+.+\s+as|refers?\s+to\s+.+\s+as)\b", RegexOptions.IgnoreCase)]
    public static partial Regex Term();

    // "current" and "latest" are also adjectives of names ("the current working directory", "the latest
    // release"): the word after them is captured, so an answerer can tell whether the passages use the name.
    [GeneratedRegex(@"\b(?:(?<adjective>current|latest)(?:\s+(?<thing>\w+))?|today|currently|right\s+now|now|at\s+the\s+moment|nowadays|these\s+days|this\s+(?:week|month|year))\b", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    public static partial Regex Present();
}
