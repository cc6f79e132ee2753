using LocalQa.Core.Documents;
using LocalQa.Core.Extractive;
using LocalQa.Core.Text;

namespace LocalQa.Core.Summarizing;

/// <summary>
/// Summarizes an article with no language model by quoting its most central whole sentences.
/// Stateless and thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// The candidates are the sentences <see cref="SentenceReader"/> lets through (no code, tables,
/// headings, captions, credit lines, reference or glossary entries). Each is scored by its
/// centrality (<see cref="Centrality"/>: LexRank/TextRank over TF-IDF vectors) times the factors of
/// <see cref="Factors"/> that apply to it; the summary and then the key points are picked by maximal
/// marginal relevance, so a sentence that repeats a chosen one, or another member of a template
/// family (credit lines, changelog entries), is never added. Every sentence is quoted whole: the
/// word budget counts exactly what is shown, and a sentence that does not fit is passed over for a
/// shorter one. The chosen sentences are laid out in the article's order.
/// </para>
/// </remarks>
internal static class ExtractiveSummarizer
{
    // The summarizer's own defaults and bounds, so a summary without a model is asked for as one with a model.
    private const int DefaultWords = SummarizeOptions.DefaultMaxWords;
    private const int DefaultKeyPoints = SummarizeOptions.DefaultKeyPoints;

    /// <summary>The most key points that can be asked for (<see cref="SummarizeOptions.MaxKeyPoints"/>).</summary>
    public const int MaxKeyPoints = SummarizeOptions.MaxKeyPoints;

    /// <summary>A key point is at most this many words: it is read at a glance, two lines or so. Longer sentences are passed over, never cut.</summary>
    public const int KeyPointWords = 35;

    // Centrality is half of the base, and position adds up to half: in a reference page or a changelog the
    // most typical sentence ("The function is no longer deprecated.") is not the most important one, and
    // structure must be able to outweigh it.
    private const double Half = 0.5;

    // What a mark of structure (a section's opening, the title's words) multiplies a sentence's score by:
    // about a third more, so that two marks outweigh the gap between a typical and a central sentence.
    private const double Emphasis = 1.3;

    // What a sentence that cannot stand alone (a question, "It …", a few words) keeps of its score.
    private const double Incomplete = 0.6;

    /// <summary>Summarizes a loaded document, using what its loader saw (headings, code, tables, lists).</summary>
    public static ExtractiveSummary Summarize(Document document, int maxWords = DefaultWords, int keyPoints = DefaultKeyPoints)
    {
        ArgumentNullException.ThrowIfNull(document);
        var title = document.Headings.Count > 0 ? document.Text.Substring(document.Headings[0].Start, document.Headings[0].Length) : document.Title;
        return Summarize(document.Text, document.Blocks, document.Headings, title, maxWords, keyPoints);
    }

    /// <summary>
    /// Summarizes <paramref name="text"/> in at most <paramref name="maxWords"/> words, plus up to
    /// <paramref name="keyPoints"/> key points. A text without words gives <see cref="ExtractiveSummary.Empty"/>.
    /// </summary>
    /// <param name="text">The article (one block per line); headings, lists and tables are told by their shape.</param>
    /// <param name="maxWords">The word budget, at least 1; whole sentences only, so the summary may be shorter (empty when no sentence fits).</param>
    /// <param name="keyPoints">How many key points to add, 0 to <see cref="MaxKeyPoints"/>; fewer when the article has too few sentences.</param>
    public static ExtractiveSummary Summarize(string text, int maxWords = DefaultWords, int keyPoints = DefaultKeyPoints) => Summarize(text, [], [], null, maxWords, keyPoints);

    private static ExtractiveSummary Summarize(string text, IReadOnlyList<BlockSpan> blocks, IReadOnlyList<HeadingSpan> headings, string? title, int maxWords, int keyPoints)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWords, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(keyPoints);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(keyPoints, MaxKeyPoints);

        var sentences = SentenceReader.Read(text, blocks, headings);
        // A labelled entry (a glossary's, a form's) defines one thing; it does not say what the article says.
        var candidates = sentences.Where(s => s.IsCandidate && !s.Labelled).ToList();
        if (candidates.Count == 0)
        {
            // A text of nothing but fragments (notes, a list of titles) is still summarized from them; never from code or tables.
            candidates = sentences.Where(s => s.Counts.Count > 0 && s.Kind is not (BlockKind.Code or BlockKind.TableRow)).ToList();
        }

        if (candidates.Count == 0)
        {
            return ExtractiveSummary.Empty;
        }

        var vectors = Centrality.Vectors(candidates);
        var centrality = Centrality.Of(vectors);
        var factors = Factors(candidates, title ?? candidates[0].Heading);
        var pool = candidates.Select((s, i) => Factor<Sentence>.Score(s, s, new FactorHit("centrality", Half + (Half * centrality[i]), "likeness to the rest of the text (LexRank), 0.5 to 1"), factors)).ToList();

        var chosen = new List<int>();
        var remaining = maxWords;
        for (var next = 0; next >= 0; remaining -= next >= 0 ? candidates[next].Words : 0)
        {
            next = Diversity.Next(pool, vectors, chosen, i => candidates[i].Words <= remaining);
            if (next >= 0)
            {
                chosen.Add(next);
            }
        }

        // A key point read alone needs what its section is about: one that opens a section carries the
        // heading ("Assignment expressions: There is new syntax := …"), and the heading's words count.
        var pointTexts = candidates.Select(s => s.OpensSection && s.Section > 0 && s.Heading is { } h && h != title && !s.Text.Contains(h, StringComparison.OrdinalIgnoreCase) ? $"{h}: {s.Text}" : s.Text).ToArray();
        var points = new List<int>();
        var taken = new List<int>(chosen);
        while (points.Count < keyPoints && Diversity.Next(pool, vectors, taken, i => Words.Count(pointTexts[i]) <= KeyPointWords) is var next && next >= 0)
        {
            points.Add(next);
            taken.Add(next);
        }

        chosen.Sort();
        points.Sort();
        return new ExtractiveSummary(
            string.Join(' ', chosen.Select(i => candidates[i].Text)),
            points.Select(i => pointTexts[i]).ToList(),
            chosen.Select(i => candidates[i].Span).ToList())
        {
            Explanation = [.. chosen.Concat(points).Select(i => pool[i])],
        };
    }

    /// <summary>What, besides centrality, makes a sentence a good one to quote; each weight is explained with its factor.</summary>
    internal static Factor<Sentence>[] Factors(IReadOnlyList<Sentence> candidates, string? title)
    {
        var last = Math.Max(1, candidates[^1].Index);
        var titleStems = Words.StemSet(title ?? "");
        return
        [
            // Texts put what matters most first (the lead of news, the main features before the changelog):
            // from 1.5 at the start down to 1 at the end, as gentle as position is weak evidence.
            new Factor<Sentence>("position", s => (1 + (Half * (1 - ((double)s.Index / last))), $"{100 * s.Index / last}% into the text: texts put what matters most first")),

            // The text's structure marks the sentence: a section states its point first (the topic sentence),
            // and words of the title or of the heading say what the text or the section is about (Edmundson).
            Factor<Sentence>.Fixed("section-opening", Emphasis, "opens its section: a section states its point first", s => s.OpensSection && s.Section > 0),
            Factor<Sentence>.Fixed("title-words", Emphasis, "shares words with the title", s => s.Counts.Keys.Any(titleStems.Contains)),
            Factor<Sentence>.Fixed("heading-words", Emphasis, "shares words with its section's heading: it says what the section is about", s => s.Heading is { } h && s.Section > 0 && Words.Terms(h).Exists(t => s.Counts.ContainsKey(t.Stem))),

            // Edmundson's cue words: the author marks this sentence as the gist, which outweighs either mark of structure.
            Factor<Sentence>.Fixed("gist-cue", Emphasis * Emphasis, "the author marks it as the gist (\"In short, …\")", s => Lexicon.GistCues.All.Any(c => s.Text.StartsWith(c, StringComparison.OrdinalIgnoreCase) && s.Text.Length > c.Length && s.Text[c.Length] is ',' or ':' or ' ')),

            // A family of one template (credit lines, changelog entries) shares one vote, or it would fill the summary.
            new Factor<Sentence>("template-family", s => s.FamilySize > 1 ? (1.0 / s.FamilySize, $"one of {s.FamilySize} sentences of one template (\"{s.Shape.Trim()}\")") : null),

            // Quoted alone, "It is now deprecated." or a question says little; nor does a sentence of a few words.
            new Factor<Sentence>("incomplete", s =>
                s.Text.EndsWith('?') ? (Incomplete, "asks rather than tells")
                : s.Opening != Opening.None ? (Incomplete, "opens with a word that needs the sentence before")
                : s.Words < 2 * SentenceReader.MinWords ? (Incomplete, "too short to say much on its own")
                : null),
        ];
    }
}
