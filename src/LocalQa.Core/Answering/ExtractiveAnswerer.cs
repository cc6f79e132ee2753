using LocalQa.Core.Extractive;
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
/// The candidates are the sentences of the top passages that <see cref="SentenceReader"/> lets
/// through: never a heading, a caption, a list of references, a labelled entry or code; and the rows
/// of tables (<see cref="ExtractiveRow"/>), which are quoted as rows, never as prose. A sentence under
/// a definition term or on a module's page that does not name its subject is quoted with it
/// (<see cref="ExtractiveSubject"/>).
/// Each is scored by its coverage of the question (the base: the share of the question's content
/// terms it holds, each weighted by its rarity among the candidates, BM25 style; a term found only in
/// the sentence before or the passage heading counts half, elsewhere in the passage a fifth) times
/// the factors of <see cref="Factors"/> that apply: whether it holds the kind of answer asked for (a
/// name for "who", a date for "when", a number for "how many" …), whether it covers the question's
/// rare terms, the passage's rank, and its form. <see cref="ExtractiveAnswer.Sentences"/> carries the
/// factors of each quoted sentence.
/// </para>
/// <para>
/// Abstention rests on coverage: the question's rare terms (held by few candidate sentences, or by
/// none) must meet in one place. A sentence (with its predecessor) covers the question when it holds
/// two of its rare terms (a name of several words counts once), or all of its rare names and numbers
/// together with the kind of answer asked for, provided no rare word it lacks is missing from every
/// passage ("When was X born?" over passages that never say "born"). A question about the present
/// ("today", "current") over passages that hold no date at all abstains.
/// </para>
/// </remarks>
internal static class ExtractiveAnswerer
{
    // BM25's term-frequency saturation; a mild length normalisation, since sentences vary less than documents.
    private const double K1 = 1.2;
    private const double B = 0.3;

    // A term's credit stops growing at a second occurrence: a sentence that repeats the question's name
    // ("from FAIR or with FAIR") is not a better answer for it.
    private const double MaxCredit = 1.25;

    // A term found only in the previous sentence or the heading is usually what "he" or "it" refers to.
    private const double NeighbourCredit = 0.5;
    private const double PassageCredit = 0.2;

    // A defect halves a sentence's score: a sound sentence beats it, yet it can still answer when no sound one covers the question.
    private const double Defect = 0.5;

    // Holding the kind of answer asked for (a date for "when") multiplies the score by this, lacking it
    // divides by it: evidence that a sentence answers, weaker than covering the question's terms.
    private const double KindEvidence = 1.2;

    // A row states its fact in fragments; a sentence that covers the question as well reads better.
    private const double RowEvidence = 0.85;

    // The retriever's order is evidence too, but weak: each rank below the first costs 5%.
    private const double PerRank = 0.95;

    // A term held by at most this share of the candidate sentences is one the answer must contain.
    private const double RareTermShare = 0.25;

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
            if (!candidate.Covered || (parsed.Kind != AnswerKind.Any && !candidate.HoldsKind) || chosen.Exists(c => SparseVector.Dot(c.Vector!, candidate.Vector!) > Diversity.RedundantAbove))
            {
                continue;
            }

            chosen.Add(candidate);
        }

        AddNeighbours(chosen, ranked, options.MaxSentences);
        return new ExtractiveAnswer(ReadingOrder(chosen), false, best.Score);
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
        var candidates = Candidates(read);
        if (candidates.Count == 0)
        {
            return (parsed, [], false);
        }

        // The summarizer's likeness: sentences whose TF-IDF vectors are close quote the same fact.
        var vectors = Centrality.Vectors(candidates.ConvertAll(c => c.Sentence));
        for (var i = 0; i < candidates.Count; i++)
        {
            candidates[i].Vector = vectors[i];
        }

        var asksForCurrent = parsed.AsksForCurrent && !NamesWithTimeWord(parsed, read);
        Score(parsed, asksForCurrent, candidates, Names.LowerCaseWords(string.Join('\n', read.Select(p => p.Text))));
        var ranked = candidates.OrderByDescending(c => c.Score).ThenBy(c => c.PassageIndex).ThenBy(c => c.Position).ToList();
        var noDateAtAll = asksForCurrent && !read.Any(p => ExtractiveEvidence.HasDate(p.Text));
        return (parsed, ranked, noDateAtAll);
    }

    /// <summary>
    /// Whether every time word of the question ("current", "latest") is part of a name the passages use
    /// ("the current working directory", "the latest release"): then it names a thing rather than asking
    /// about now. "today" and "now" always ask about now.
    /// </summary>
    private static bool NamesWithTimeWord(ExtractiveQuestion question, List<RetrievedPassage> passages) =>
        question.TimeWordPhrases.Count > 0 && question.TimeWordPhrases.All(cue => passages.Exists(p => p.Text.Contains(cue, StringComparison.OrdinalIgnoreCase)));

    /// <summary>
    /// A quoted sentence whose meaning hangs on a neighbour (see <see cref="Discourse"/>) is quoted with
    /// it while there is room: one that opens with a pronoun ("He …", "These include …") with the
    /// sentence before it, which names whom or what it is about; one that announces what follows
    /// ("… the company's two major AI labs.", "…:") with the sentences after it that take it up: the next
    /// one if it leans on it, and each further one that opens with a connective ("On one side, …", "On
    /// the other side, …"), until a paragraph opens without leaning on what came before.
    /// </summary>
    private static void AddNeighbours(List<Candidate> chosen, List<Candidate> ranked, int maxSentences)
    {
        for (var k = 0; k < chosen.Count && chosen.Count < maxSentences; k++)
        {
            var sentence = chosen[k];
            if (sentence.Row is not null)
            {
                continue;
            }

            var after = Discourse.AnnouncesFollowing(sentence.Text) ? ranked.Where(c => c.PassageIndex == sentence.PassageIndex && c.Position > sentence.Position) : [];
            foreach (var next in after.OrderBy(c => c.Position))
            {
                if (chosen.Count == maxSentences || (next.Sentence.OpensParagraph && next.Sentence.Opening == Opening.None))
                {
                    break;
                }

                if ((next.Sentence.Opening == Opening.Connective || (next.Position == sentence.Position + 1 && next.Sentence.Opening != Opening.None)) && !chosen.Contains(next))
                {
                    chosen.Add(next);
                }
            }

            var previous = ranked.Find(c => c.PassageIndex == sentence.PassageIndex && c.Position == sentence.Position - 1);
            if (chosen.Count < maxSentences && sentence.Sentence.Opening == Opening.Pronoun && previous is not null && !chosen.Contains(previous))
            {
                chosen.Add(previous);
            }
        }
    }

    /// <summary>Passages in the order of the best sentence quoted from each; sentences of one passage in text order.</summary>
    /// <remarks>A sentence is quoted with its subject (<see cref="ExtractiveSubject"/>) unless the one quoted before it, from its passage, already gave it.</remarks>
    private static List<ExtractiveSentence> ReadingOrder(List<Candidate> chosen)
    {
        var ordered = chosen
            .GroupBy(c => c.PassageIndex)
            .OrderByDescending(g => g.Max(c => c.Score))
            .SelectMany(g => g.OrderBy(c => c.Position))
            .ToList();
        var quoted = new List<ExtractiveSentence>(ordered.Count);
        for (var i = 0; i < ordered.Count; i++)
        {
            var c = ordered[i];
            var given = i > 0 && ordered[i - 1].PassageIndex == c.PassageIndex && ordered[i - 1].Subject == c.Subject;
            var text = c.Row is { } row ? row.Quote() : ExtractiveSubject.Quote(c.Text, given ? null : c.Subject);
            quoted.Add(new ExtractiveSentence(text, c.PassageIndex, c.Score, c.Sentence.Span) { Factors = c.Scored!.Factors });
        }

        return quoted;
    }

    private static List<Candidate> Candidates(List<RetrievedPassage> passages)
    {
        var candidates = new List<Candidate>();
        for (var p = 0; p < passages.Count; p++)
        {
            var passage = passages[p];
            var passageStems = Words.StemSet(passage.Text);
            var heading = passage.Heading is null ? null : Words.StemSet(passage.Heading);
            HashSet<string>? previous = null;
            string? term = null;
            HashSet<string>? termHeading = null;
            foreach (var sentence in SentenceReader.Read(passage.Text, heading: passage.Heading))
            {
                var context = termHeading ?? heading;
                if (ExtractiveRow.Read(passage.Text, sentence) is { } row)
                {
                    // A table row is evidence too, quoted as a row: never run together with prose.
                    candidates.Add(new Candidate(p, row.Sentence, previous, context, passageStems) { Row = row });
                }
                else if (sentence.IsCandidate)
                {
                    var subject = ExtractiveSubject.For(sentence.Text, term ?? sentence.Heading, passage.Title);
                    candidates.Add(new Candidate(p, sentence, previous, context, passageStems) { Subject = subject });
                }
                else if (sentence.OpensParagraph && ExtractiveSubject.Signature(sentence.Text) is not null)
                {
                    // A definition term: the sentences after it describe it, often without naming it.
                    term = sentence.Text;
                    termHeading = [.. heading ?? [], .. sentence.Counts.Keys];
                }
                else if (sentence.Kind == Documents.BlockKind.Heading)
                {
                    term = null;
                    termHeading = null;
                }

                // Headings and fragments still give the next sentence its context.
                previous = [.. sentence.Counts.Keys];
            }
        }

        return candidates;
    }

    private static void Score(ExtractiveQuestion question, bool asksForCurrent, List<Candidate> candidates, HashSet<string> lowerCase)
    {
        var n = candidates.Count;
        var averageLength = Math.Max(1.0, candidates.Average(c => (double)c.Sentence.TermCount));
        var terms = question.Terms;
        var weights = new double[terms.Count];
        var rare = new bool[terms.Count];
        var absent = new bool[terms.Count];
        for (var t = 0; t < terms.Count; t++)
        {
            var stem = terms[t].Stem;
            var df = candidates.Count(c => c.Sentence.Counts.ContainsKey(stem));
            weights[t] = Centrality.Idf(n, df);
            rare[t] = df <= Math.Max(1, RareTermShare * n);
            absent[t] = df == 0;
        }

        if (!rare.Any(r => r))
        {
            // Every term is common among the candidates: then all of them must meet.
            Array.Fill(rare, true);
        }

        var units = Units(terms, rare, absent);
        var keyUnits = units.Count(u => u.Key);
        var required = Math.Min(2, units.Count(u => u.Rare));
        var totalWeight = weights.Sum();
        var factors = Factors(question, asksForCurrent);
        foreach (var candidate in candidates)
        {
            var credits = terms.Select(t => Credit(candidate, t.Stem, averageLength)).ToArray();
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

            candidate.HoldsKind = question.Kind != AnswerKind.Any && ExtractiveEvidence.Holds(candidate.Text, question, lowerCase);

            // Rare names and numbers ("Gnoppix", "CEO", "LLaMA 3") say what the question is about, while
            // its other rare words often have synonyms in the text ("released" / "followed"). A sentence
            // that names them all and holds the kind of answer asked for covers the question, unless a
            // word it lacks appears in no passage at all ("born"): then the passages never discuss it.
            candidate.Covered = rareMet >= required || (keyUnits > 0 && keyMet == keyUnits && candidate.HoldsKind && !missingAbsent);
            var coverage = weights.Select((w, t) => w * credits[t]).Sum() / totalWeight;
            candidate.Scored = Factor<Candidate>.Score(candidate, candidate.Sentence, new FactorHit("coverage", coverage, "the question's terms it holds, rare ones counting more"), factors);
        }
    }

    /// <summary>What, besides coverage, makes a sentence the answer; each weight is explained with its factor.</summary>
    private static Factor<Candidate>[] Factors(ExtractiveQuestion question, bool asksForCurrent)
    {
        var kind = question.Kind.ToString().ToLowerInvariant();
        return
        [
            Factor<Candidate>.Fixed("uncovered", Defect, "the question's rare terms do not meet in it", c => !c.Covered),
            // Holding a name or a date says nothing of a sentence that is not about the question.
            new("answer-kind", c => question.Kind == AnswerKind.Any || !c.Covered ? null
                : c.HoldsKind ? (KindEvidence, $"holds the kind of answer asked for ({kind})")
                : (1 / KindEvidence, $"holds no {kind}, which the question asks for")),
            Factor<Candidate>.Fixed("undated", Defect, "the question asks about now and it holds no date", c => asksForCurrent && !ExtractiveEvidence.HasDate(c.Text)),
            Factor<Candidate>.Fixed("table-row", RowEvidence, "a table row: terse, so prose that covers the question as well is preferred", c => c.Row is not null),
            Factor<Candidate>.Fixed("question", Defect, "asks rather than answers", c => c.Text.EndsWith('?')),
            new("passage-rank", c => c.PassageIndex == 0 ? null : (Math.Pow(PerRank, c.PassageIndex), $"from passage {c.PassageIndex + 1}")),
        ];
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
        if (candidate.Sentence.Counts.TryGetValue(stem, out var tf))
        {
            var norm = 1 - B + (B * candidate.Sentence.TermCount / averageLength);
            return Math.Min(MaxCredit, tf * (K1 + 1) / (tf + (K1 * norm)));
        }

        if ((candidate.Previous?.Contains(stem) ?? false) || (candidate.Heading?.Contains(stem) ?? false))
        {
            return NeighbourCredit;
        }

        return candidate.PassageStems.Contains(stem) ? PassageCredit : 0;
    }

    /// <param name="Terms">Indexes into the question's terms.</param>
    /// <param name="Rare">Some term of the unit is rare among the candidate sentences.</param>
    /// <param name="Key">A rare name or number.</param>
    /// <param name="Absent">No candidate sentence holds any of its terms.</param>
    private sealed record TermUnit(int[] Terms, bool Rare, bool Key, bool Absent);

    private sealed class Candidate(int passageIndex, Sentence sentence, HashSet<string>? previous, HashSet<string>? heading, HashSet<string> passageStems)
    {
        public int PassageIndex { get; } = passageIndex;

        public Sentence Sentence { get; } = sentence;

        public int Position => Sentence.Index;

        public string Text => Sentence.Text;

        public SparseVector? Vector { get; set; }

        public HashSet<string>? Previous { get; } = previous;

        public HashSet<string>? Heading { get; } = heading;

        public HashSet<string> PassageStems { get; } = passageStems;

        public ScoredSentence? Scored { get; set; }

        public double Score => Scored?.Score ?? 0;

        public bool Covered { get; set; }

        public bool HoldsKind { get; set; }

        /// <summary>The table row the candidate is, with its header; null for a sentence.</summary>
        public ExtractiveRow? Row { get; init; }

        /// <summary>The definition term or page name the sentence is about without naming it; quoted before it.</summary>
        public string? Subject { get; init; }
    }
}
