using LocalQa.Core.Retrieval;
using LocalQa.Core.Text;

namespace LocalQa.Core.Answering;

/// <summary>
/// Answers a question with no language model: quotes the sentences of the retrieved passages that
/// best match it, with the passage each comes from, or abstains when the passages do not cover it.
/// Stateless and thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Each sentence of the top passages (split with <see cref="SentenceSplitter"/>, fragments dropped)
/// is scored by the share of the question's content terms it holds, each term weighted by its
/// rarity among the candidate sentences (BM25 idf, with tf saturation and a mild length
/// normalisation). A term found only in the sentence before, or in the passage heading, counts half
/// (it is usually what "he" or "it" refers to); elsewhere in the passage a fifth.
/// </para>
/// <para>
/// The score is then scaled by whether the sentence holds the kind of answer the question asks for
/// (a name for "who", a date for "when", a number for "how many", a place for "where", the long form
/// of an acronym for "what is X short for", a quoted or hyphenated term for "what does X call Y"),
/// and by the passage's retrieval rank. Sentences that are questions or headings count less, and
/// sentences that read as orders to an AI model ("Ignore previous instructions …") hardly count.
/// </para>
/// <para>
/// Abstention rests on coverage: the question's rare terms (held by few candidate sentences, or by
/// none) must meet in one place. A sentence (with its predecessor) covers the question when it holds
/// two of its rare terms (a name of several words counts once), or all of its rare names and numbers
/// together with the kind of answer asked for, provided no rare word it lacks is missing from every
/// passage ("When was X born?" over passages that never say "born"). The score of a sentence that
/// does not cover the question is halved, so "Who is the CEO of X?" over passages that name X and,
/// elsewhere, some CEO, stays below <see cref="ExtractiveOptions.AbstainBelow"/>.
/// A question about the present ("today", "current") over passages that hold no date at all abstains.
/// </para>
/// </remarks>
public static class ExtractiveAnswerer
{
    private const double K1 = 1.2;
    private const double B = 0.3;
    private const double MaxCredit = 1.25;
    private const double NeighbourCredit = 0.5;
    private const double PassageCredit = 0.2;

    // A term held by at most this share of the candidate sentences is one the answer must contain.
    private const double RareTermShare = 0.25;

    private const double UncoveredPenalty = 0.5;
    private const double KindBonus = 1.15;
    private const double KindMissing = 0.8;
    private const double ExpansionBonus = 1.3;
    private const double ExpansionMissing = 0.7;
    private const double NoDateForCurrentQuestion = 0.5;
    private const double QuestionSentencePenalty = 0.5;
    private const double InstructionPenalty = 0.1;
    private const double HeadingPenalty = 0.8;
    private const double RankStep = 0.05;
    private const double DuplicateJaccard = 0.5;
    private const double DuplicateContainment = 0.8;

    /// <summary>Answers <paramref name="question"/> from <paramref name="passages"/> (best first, as the retriever returns them).</summary>
    public static ExtractiveAnswer Answer(string question, IReadOnlyList<RetrievedPassage> passages, ExtractiveOptions? options = null)
    {
        options ??= ExtractiveOptions.Default;
        var (parsed, ranked, noDateAtAll) = Rank(question, passages, options);
        if (ranked.Count == 0)
        {
            return ExtractiveAnswer.Abstain(0);
        }

        var best = ranked[0];
        if (best.Score < options.AbstainBelow || noDateAtAll)
        {
            return ExtractiveAnswer.Abstain(best.Score);
        }

        var chosen = new List<Candidate> { best };
        foreach (var candidate in ranked.Skip(1))
        {
            if (chosen.Count == options.MaxSentences || candidate.Score < options.CompanionRatio * best.Score)
            {
                break;
            }

            // A further quote must cover the question and, when a kind of answer is asked for, hold one.
            if (!candidate.Covered || (parsed.Kind != AnswerKind.Any && !candidate.HoldsKind) || chosen.Any(c => NearDuplicate(c.Stems, candidate.Stems)))
            {
                continue;
            }

            chosen.Add(candidate);
        }

        AddAntecedents(chosen, ranked, parsed, options.MaxSentences);
        AddOtherHalves(chosen, ranked, options.MaxSentences);
        return new ExtractiveAnswer(ReadingOrder(chosen), false, best.Score);
    }

    /// <summary>Every candidate sentence with its score, best first: what <see cref="Answer"/> chooses from.</summary>
    internal static IReadOnlyList<(ExtractiveSentence Sentence, bool CoversRareTerms)> Explain(string question, IReadOnlyList<RetrievedPassage> passages, ExtractiveOptions? options = null)
    {
        var (_, ranked, _) = Rank(question, passages, options ?? ExtractiveOptions.Default);
        return ranked.Select(c => (new ExtractiveSentence(c.Text, c.PassageIndex, c.Score, c.Span), c.Covered)).ToList();
    }

    private static (ExtractiveQuestion Question, List<Candidate> Ranked, bool NoDateAtAll) Rank(string question, IReadOnlyList<RetrievedPassage> passages, ExtractiveOptions options)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentNullException.ThrowIfNull(passages);
        options.Validate();

        var parsed = ExtractiveQuestion.Parse(question);
        if (parsed.Terms.Count == 0 || passages.Count == 0)
        {
            return (parsed, [], false);
        }

        var read = passages.Take(options.MaxPassages).ToList();
        var candidates = Candidates(read, options.MinSentenceWords);
        if (candidates.Count == 0)
        {
            return (parsed, [], false);
        }

        Score(parsed, candidates);
        var ranked = candidates.OrderByDescending(c => c.Score).ThenBy(c => c.PassageIndex).ThenBy(c => c.Position).ToList();
        var noDateAtAll = parsed.AsksForCurrent && !read.Any(p => ExtractiveEvidence.HasDate(p.Text));
        return (parsed, ranked, noDateAtAll);
    }

    /// <summary>
    /// A quoted sentence that opens with "He", "She" or "They" names nobody: its predecessor in the
    /// passage, which usually does, is quoted too while there is room. For a "who" question the name
    /// is the answer; for any other it tells the reader whom the quote is about.
    /// </summary>
    private static void AddAntecedents(List<Candidate> chosen, List<Candidate> ranked, ExtractiveQuestion question, int maxSentences)
    {
        for (var k = 0; k < chosen.Count && chosen.Count < maxSentences; k++)
        {
            var sentence = chosen[k];
            if (!StartsWithPersonalPronoun(sentence.Text) || (question.Kind != AnswerKind.Person && k > 0))
            {
                continue;
            }

            var previous = ranked.FirstOrDefault(c => c.PassageIndex == sentence.PassageIndex && c.Position == sentence.Position - 1);
            if (previous is not null && !chosen.Contains(previous))
            {
                chosen.Add(previous);
            }
        }
    }

    // Openers of the first half of a pair, and how the second half opens.
    private static readonly (string First, string[] Second)[] PairedOpeners =
    [
        ("On one side", ["On the other side", "On another side"]),
        ("On the one side", ["On the other side"]),
        ("On one hand", ["On the other hand", "On the other"]),
        ("On the one hand", ["On the other hand", "On the other"]),
        ("First,", ["Second,", "Then,", "Next,"]),
        ("Firstly,", ["Secondly,", "Second,"]),
    ];

    // The second half of a pair comes within this many sentences of the first (the first half is
    // often a short paragraph of its own).
    private const int MaxPairDistance = 4;

    /// <summary>
    /// A quoted sentence that opens the first half of a pair ("On one side, …", "On the one hand, …",
    /// "First, …") is half an answer ("which two …?" gets one of them): the sentence of the same
    /// passage that opens the other half is quoted too while there is room. When the best sentence
    /// announces two of something and a pair follows it, both halves are quoted: they are the two.
    /// </summary>
    private static void AddOtherHalves(List<Candidate> chosen, List<Candidate> ranked, int maxSentences)
    {
        var best = chosen[0];
        if (chosen.Count < maxSentences - 1 && AnnouncesTwo(best.Text))
        {
            var firstHalf = FollowingSentence(ranked, best, c => Array.Exists(PairedOpeners, p => c.Text.StartsWith(p.First, StringComparison.OrdinalIgnoreCase)));
            if (firstHalf is not null && !chosen.Contains(firstHalf))
            {
                chosen.Add(firstHalf);
            }
        }

        for (var k = 0; k < chosen.Count && chosen.Count < maxSentences; k++)
        {
            var sentence = chosen[k];
            var pair = Array.Find(PairedOpeners, p => sentence.Text.StartsWith(p.First, StringComparison.OrdinalIgnoreCase));
            if (pair.Second is null)
            {
                continue;
            }

            var other = FollowingSentence(ranked, sentence, c => pair.Second.Any(s => c.Text.StartsWith(s, StringComparison.OrdinalIgnoreCase)));
            if (other is not null && !chosen.Contains(other))
            {
                chosen.Add(other);
            }
        }
    }

    /// <summary>The first sentence within <see cref="MaxPairDistance"/> after <paramref name="sentence"/> in its passage that matches.</summary>
    private static Candidate? FollowingSentence(List<Candidate> ranked, Candidate sentence, Func<Candidate, bool> match) =>
        ranked
            .Where(c => c.PassageIndex == sentence.PassageIndex && c.Position > sentence.Position && c.Position <= sentence.Position + MaxPairDistance)
            .OrderBy(c => c.Position)
            .FirstOrDefault(match);

    private static bool AnnouncesTwo(string sentence) =>
        sentence.Split([' ', ',', ';', ':'], StringSplitOptions.RemoveEmptyEntries)
            .Any(w => w.Equals("two", StringComparison.OrdinalIgnoreCase) || w.Equals("both", StringComparison.OrdinalIgnoreCase));

    private static bool StartsWithPersonalPronoun(string sentence)
    {
        var end = 0;
        while (end < sentence.Length && char.IsLetter(sentence[end]))
        {
            end++;
        }

        return sentence.AsSpan(0, end) is "He" or "She" or "They" or "His" or "Her" or "Their" or "Him" or "Them";
    }

    /// <summary>Passages in the order of the best sentence quoted from each; sentences of one passage in text order.</summary>
    private static List<ExtractiveSentence> ReadingOrder(List<Candidate> chosen)
    {
        return chosen
            .GroupBy(c => c.PassageIndex)
            .OrderByDescending(g => g.Max(c => c.Score))
            .SelectMany(g => g.OrderBy(c => c.Position))
            .Select(c => new ExtractiveSentence(c.Text, c.PassageIndex, c.Score, c.Span))
            .ToList();
    }

    private static List<Candidate> Candidates(List<RetrievedPassage> passages, int minWords)
    {
        var candidates = new List<Candidate>();
        for (var p = 0; p < passages.Count; p++)
        {
            var passage = passages[p];
            var text = passage.Text;
            var passageStems = ExtractiveText.StemSet(text);
            var heading = passage.Heading is null ? null : ExtractiveText.StemSet(passage.Heading);
            HashSet<string>? previous = null;
            var position = 0;
            foreach (var found in SentenceSplitter.Enumerate(text))
            {
                var span = ExtractiveText.WithoutListMarker(text, found);
                var sentence = span.In(text);
                var terms = ExtractiveText.Terms(sentence);
                var counts = new Dictionary<string, int>(StringComparer.Ordinal);
                foreach (var term in terms)
                {
                    counts[term.Stem] = counts.GetValueOrDefault(term.Stem) + 1;
                }

                if (ExtractiveText.CountWords(sentence) >= minWords && counts.Count > 0)
                {
                    var sentenceText = ExtractiveText.TrimToWords(sentence, int.MaxValue);
                    candidates.Add(new Candidate(p, position, span, sentenceText, counts, terms.Count, previous, heading, passageStems));
                }

                // Headings and fragments still give the next sentence its context.
                previous = [.. counts.Keys];
                position++;
            }
        }

        return candidates;
    }

    private static void Score(ExtractiveQuestion question, List<Candidate> candidates)
    {
        var n = candidates.Count;
        var averageLength = Math.Max(1.0, candidates.Average(c => (double)c.TermCount));
        var terms = question.Terms;
        var weights = new double[terms.Count];
        var rare = new bool[terms.Count];
        var absent = new bool[terms.Count];
        for (var t = 0; t < terms.Count; t++)
        {
            var stem = terms[t].Stem;
            var df = candidates.Count(c => c.Counts.ContainsKey(stem));
            weights[t] = Math.Log(1 + ((n - df + 0.5) / (df + 0.5)));
            rare[t] = df <= Math.Max(1, RareTermShare * n);
            absent[t] = df == 0;
        }

        if (!rare.Any(r => r))
        {
            // Every term is common among the candidates: then all of them must meet.
            Array.Fill(rare, true);
        }

        var units = Units(terms, rare, absent);
        var rareUnits = units.Count(u => u.Rare);
        var keyUnits = units.Count(u => u.Key);
        var required = Math.Min(2, rareUnits);
        var totalWeight = weights.Sum();
        var credits = new double[terms.Count];
        foreach (var candidate in candidates)
        {
            var covered = 0.0;
            for (var t = 0; t < terms.Count; t++)
            {
                credits[t] = Credit(candidate, terms[t].Stem, averageLength);
                covered += weights[t] * credits[t];
            }

            var rareMet = 0;
            var keyMet = 0;
            var missingAbsent = false;
            foreach (var unit in units.Where(u => u.Rare))
            {
                // A name is met by any of its words: "Meijer" stands for "Erik Meijer".
                var met = unit.Terms.Any(t => rare[t] && credits[t] >= NeighbourCredit);
                rareMet += met ? 1 : 0;
                keyMet += met && unit.Key ? 1 : 0;
                missingAbsent |= !met && !unit.Key && unit.Absent;
            }

            var score = covered / totalWeight;
            var holdsKind = question.Kind != AnswerKind.Any && ExtractiveEvidence.Holds(candidate.Text, question);
            candidate.HoldsKind = holdsKind;

            // Rare names and numbers ("Gnoppix", "CEO", "LLaMA 3") say what the question is about, while
            // its other rare words often have synonyms in the text ("released" / "followed"). A sentence
            // that names them all and holds the kind of answer asked for covers the question, unless a
            // word it lacks appears in no passage at all ("born"): then the passages never discuss it.
            candidate.Covered = rareMet >= required || (keyUnits > 0 && keyMet == keyUnits && holdsKind && !missingAbsent);
            if (!candidate.Covered)
            {
                score *= UncoveredPenalty;
            }

            score *= KindFactor(question.Kind, holdsKind);
            if (question.AsksForCurrent && !ExtractiveEvidence.HasDate(candidate.Text))
            {
                score *= NoDateForCurrentQuestion;
            }

            if (ExtractiveEvidence.LooksLikeInstruction(candidate.Text))
            {
                score *= InstructionPenalty;
            }

            if (candidate.Text.EndsWith('?'))
            {
                score *= QuestionSentencePenalty;
            }
            else if (!ExtractiveText.EndsLikeSentence(candidate.Text))
            {
                score *= HeadingPenalty;
            }

            score *= 1 - (RankStep * Math.Min(candidate.PassageIndex, 8));
            candidate.Score = score;
        }
    }

    /// <summary>
    /// The question's terms grouped as the units a reader sees: a run of capitalized words or numbers
    /// ("Devi Parikh", "LLaMA 3") is one name, every other term stands alone. Counting names rather
    /// than words keeps a two-word name from passing for two separate matches.
    /// </summary>
    private static List<TermUnit> Units(IReadOnlyList<QuestionTerm> terms, bool[] rare, bool[] absent)
    {
        var units = new List<TermUnit>();
        foreach (var group in Enumerable.Range(0, terms.Count).GroupBy(t => terms[t].Unit))
        {
            var members = group.ToArray();
            var isName = members.All(t => terms[t].Capitalized || char.IsDigit(terms[t].Stem[0]));
            var isRare = members.Any(t => rare[t]);
            units.Add(new TermUnit(members, isRare, isRare && isName, members.All(t => absent[t])));
        }

        return units;
    }

    private static double Credit(Candidate candidate, string stem, double averageLength)
    {
        if (candidate.Counts.TryGetValue(stem, out var tf))
        {
            var norm = 1 - B + (B * candidate.TermCount / averageLength);
            return Math.Min(MaxCredit, tf * (K1 + 1) / (tf + (K1 * norm)));
        }

        if ((candidate.Previous?.Contains(stem) ?? false) || (candidate.Heading?.Contains(stem) ?? false))
        {
            return NeighbourCredit;
        }

        return candidate.PassageStems.Contains(stem) ? PassageCredit : 0;
    }

    private static double KindFactor(AnswerKind kind, bool holds)
    {
        if (kind == AnswerKind.Any)
        {
            return 1;
        }

        return kind == AnswerKind.Expansion
            ? holds ? ExpansionBonus : ExpansionMissing
            : holds ? KindBonus : KindMissing;
    }

    private static bool NearDuplicate(HashSet<string> a, HashSet<string> b)
    {
        var (small, large) = a.Count <= b.Count ? (a, b) : (b, a);
        if (small.Count == 0)
        {
            return false;
        }

        var shared = small.Count(large.Contains);
        var union = a.Count + b.Count - shared;
        return (double)shared / union >= DuplicateJaccard || (small.Count >= 4 && (double)shared / small.Count >= DuplicateContainment);
    }

    /// <param name="Terms">Indexes into the question's terms.</param>
    /// <param name="Rare">Some term of the unit is rare among the candidate sentences.</param>
    /// <param name="Key">A rare name or number.</param>
    /// <param name="Absent">No candidate sentence holds any of its terms.</param>
    private sealed record TermUnit(int[] Terms, bool Rare, bool Key, bool Absent);

    private sealed class Candidate(
        int passageIndex,
        int position,
        TextSpan span,
        string text,
        Dictionary<string, int> counts,
        int termCount,
        HashSet<string>? previous,
        HashSet<string>? heading,
        HashSet<string> passageStems)
    {
        public int PassageIndex { get; } = passageIndex;

        public int Position { get; } = position;

        public TextSpan Span { get; } = span;

        public string Text { get; } = text;

        public Dictionary<string, int> Counts { get; } = counts;

        public HashSet<string> Stems { get; } = [.. counts.Keys];

        public int TermCount { get; } = termCount;

        public HashSet<string>? Previous { get; } = previous;

        public HashSet<string>? Heading { get; } = heading;

        public HashSet<string> PassageStems { get; } = passageStems;

        public double Score { get; set; }

        public bool Covered { get; set; }

        public bool HoldsKind { get; set; }
    }
}
