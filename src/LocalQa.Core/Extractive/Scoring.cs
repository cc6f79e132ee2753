
namespace LocalQa.Core.Extractive;

/// <summary>One scoring factor that applied to a sentence: what it multiplied the score by, and why.</summary>
/// <param name="Factor">The factor's name ("centrality", "section-opening", …).</param>
/// <param name="Value">The factor's value: the base score for the first factor, a multiplier for the others.</param>
/// <param name="Reason">Why it applies, in words.</param>
public sealed record FactorHit(string Factor, double Value, string Reason);

/// <summary>A candidate sentence, its score, and every factor behind the score (the base first).</summary>
public sealed record ScoredSentence
{
    internal ScoredSentence(Sentence sentence, double score, IReadOnlyList<FactorHit> factors)
    {
        Sentence = sentence;
        Score = score;
        Factors = factors;
    }

    /// <summary>The reader's sentence: its text and where it stands in the document.</summary>
    internal Sentence Sentence { get; }

    /// <summary>The sentence's text.</summary>
    public string Text => Sentence.Text;

    /// <summary>The base score times every factor that applied; comparable only among one selection's sentences, higher first.</summary>
    public double Score { get; init; }

    /// <summary>The factors behind <see cref="Score"/>, the base first.</summary>
    public IReadOnlyList<FactorHit> Factors { get; init; }

    internal void Deconstruct(out Sentence sentence, out double score, out IReadOnlyList<FactorHit> factors)
    {
        sentence = Sentence;
        score = Score;
        factors = Factors;
    }
}

/// <summary>
/// A named scoring factor: for a sentence it applies to, a multiplier and the reason; null where it
/// does not apply. A selection is a base score (centrality, or coverage of a question) times the
/// factors that apply: a new consideration is a new factor, not an edit of a formula.
/// </summary>
/// <typeparam name="T">What the factor looks at: a <see cref="Sentence"/>, or an answer candidate that holds one.</typeparam>
internal sealed record Factor<T>(string Name, Func<T, (double Value, string Reason)?> Apply)
{
    // Factors are shown to four decimals: enough to tell them apart, short enough to read.
    private const int ShownDigits = 4;

    /// <summary>A factor with a fixed weight that applies where <paramref name="when"/> holds.</summary>
    public static Factor<T> Fixed(string name, double weight, string reason, Func<T, bool> when) =>
        new(name, s => when(s) ? (weight, reason) : null);

    /// <summary>The item scored: <paramref name="base"/> times every factor that applies.</summary>
    public static ScoredSentence Score(T item, Sentence sentence, FactorHit @base, IEnumerable<Factor<T>> factors)
    {
        var hits = new List<FactorHit> { @base with { Value = Math.Round(@base.Value, ShownDigits) } };
        var score = @base.Value;
        foreach (var factor in factors)
        {
            if (factor.Apply(item) is { } applied)
            {
                hits.Add(new FactorHit(factor.Name, Math.Round(applied.Value, ShownDigits), applied.Reason));
                score *= applied.Value;
            }
        }

        return new ScoredSentence(sentence, score, hits);
    }
}

/// <summary>
/// Maximal marginal relevance (Carbonell and Goldstein): the next sentence is the one that best
/// trades its score against its likeness to what is already chosen; a near-copy of a chosen sentence,
/// or another member of its template family, is never chosen.
/// </summary>
internal static class Diversity
{
    // Score counts this much against likeness: 0.7 favours the best sentences while still preferring one
    // that adds something.
    private const double Relevance = 0.7;

    /// <summary>Sentences more alike than this (TF-IDF cosine) say the same thing.</summary>
    public const double RedundantAbove = 0.5;

    /// <summary>The index in <paramref name="pool"/> of the next sentence to take, or -1 when none fits.</summary>
    public static int Next(IReadOnlyList<ScoredSentence> pool, SparseVector[] vectors, List<int> taken, Func<int, bool> fits)
    {
        var best = -1;
        var bestValue = double.NegativeInfinity;
        var maxScore = pool.Count == 0 ? 0 : pool.Max(p => p.Score);
        for (var i = 0; i < pool.Count; i++)
        {
            if (taken.Contains(i) || !fits(i))
            {
                continue;
            }

            var likeness = 0.0;
            var sameFamily = false;
            foreach (var j in taken)
            {
                likeness = Math.Max(likeness, SparseVector.Dot(vectors[i], vectors[j]));
                sameFamily |= pool[i].Sentence.FamilySize > 1 && pool[i].Sentence.Shape == pool[j].Sentence.Shape;
            }

            if (likeness > RedundantAbove || sameFamily)
            {
                continue;
            }

            var value = (Relevance * (maxScore > 0 ? pool[i].Score / maxScore : 0)) - ((1 - Relevance) * likeness);
            if (value > bestValue)
            {
                bestValue = value;
                best = i;
            }
        }

        return best;
    }
}
