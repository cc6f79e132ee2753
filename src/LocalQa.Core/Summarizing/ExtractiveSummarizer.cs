using LocalQa.Core.Answering;
using LocalQa.Core.Text;

namespace LocalQa.Core.Summarizing;

/// <summary>
/// Summarizes an article with no language model by choosing its most central sentences.
/// Stateless and thread-safe.
/// </summary>
/// <remarks>
/// <para>
/// Sentences (from <see cref="SentenceSplitter"/>) become TF-IDF vectors over their lightly stemmed
/// content words. A sentence's centrality is its PageRank in the graph of cosine similarities
/// (TextRank) for articles of up to <see cref="GraphSentenceLimit"/> sentences; above that, its
/// cosine similarity with the centroid of all sentences, which is linear in the length of the text.
/// Centrality is blended with a lead prior (news puts the gist first), a sentence that opens with a
/// cue that it sums the article up ("In short, …", "In summary, …") counts more, and the summary is picked by
/// maximal marginal relevance, so that a second sentence repeating the first loses to one that adds
/// something. The chosen sentences are laid out in the article's order.
/// </para>
/// <para>
/// Fragments under four words, lines that do not end like a sentence (headings, captions, table
/// rows), the cells of a table flattened into text ("Goal: …" where a label leads more than one
/// sentence), glossary entries (three or more labelled sentences in a row) and a closing reference
/// list (after a "References" or "Sources" line) are not chosen while the text has real sentences. Sentences that ask a question or lean on
/// the one before ("He said …", "But …") count for less.
/// </para>
/// </remarks>
public static class ExtractiveSummarizer
{
    /// <summary>Articles with more sentences than this are scored against their centroid instead of by TextRank.</summary>
    public const int GraphSentenceLimit = 400;

    /// <summary>The most key points that can be asked for.</summary>
    public const int MaxKeyPoints = 6;

    /// <summary>Key points are cut to this many words.</summary>
    public const int KeyPointWords = 30;

    private const int MinSentenceWords = 4;
    private const int SelectionPool = 60;
    private const double Damping = 0.85;
    private const int MaxIterations = 60;
    private const double Convergence = 1e-7;
    private const float MinEdge = 0.05f;
    private const double LeadWeight = 0.25;
    private const double Relevance = 0.7;
    private const double RedundantAbove = 0.6;
    private const double KeyPointRedundantAbove = 0.5;
    private const double QuestionPenalty = 0.6;
    private const double DanglingPenalty = 0.85;

    // A sentence the author marks as the gist ("In short, …") is worth more than its centrality says
    // (Edmundson's cue words); the bonus is what lifts a late "In short" line past a scene-setting lead.
    private const double CueBonus = 1.6;

    private static readonly string[] GistCues =
    [
        "In short", "In summary", "In sum", "To sum up", "To summarize", "To summarise", "In conclusion", "In a nutshell",
        "The bottom line", "Bottom line", "TL;DR", "Put simply", "In brief",
    ];

    /// <summary>
    /// Summarizes <paramref name="text"/> in at most <paramref name="maxWords"/> words, plus up to
    /// <paramref name="keyPoints"/> key points. A text without words gives <see cref="ExtractiveSummary.Empty"/>.
    /// </summary>
    /// <param name="text">The article, typically a loaded document's cleaned text (one block per line).</param>
    /// <param name="maxWords">The word budget of the summary, at least 1. When the first sentence chosen is longer, it is cut at a word boundary and ends with "…".</param>
    /// <param name="keyPoints">How many key points to add, 0 to <see cref="MaxKeyPoints"/> (3 to 6 read best); fewer when the article has too few sentences.</param>
    public static ExtractiveSummary Summarize(string text, int maxWords = 120, int keyPoints = 5)
    {
        ArgumentNullException.ThrowIfNull(text);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxWords, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(keyPoints);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(keyPoints, MaxKeyPoints);

        var sentences = Candidates(text);
        if (sentences.Count == 0)
        {
            return ExtractiveSummary.Empty;
        }

        var vectors = Vectorize(text, sentences);
        var centrality = sentences.Count <= GraphSentenceLimit ? TextRank(vectors) : CentroidSimilarity(vectors);
        var scores = Blend(sentences, centrality);

        var pool = Pool(scores, vectors);

        var chosen = new List<int>();
        var truncated = false;
        var first = pool[0];
        if (sentences[first].Words > maxWords)
        {
            chosen.Add(first);
            truncated = true;
        }
        else
        {
            var remaining = maxWords;
            while (true)
            {
                var next = BestByMarginalRelevance(pool, chosen, vectors, scores, i => sentences[i].Words <= remaining, RedundantAbove);
                if (next < 0)
                {
                    break;
                }

                chosen.Add(next);
                remaining -= sentences[next].Words;
            }
        }

        var points = new List<int>();
        var taken = new List<int>(chosen);
        while (points.Count < keyPoints)
        {
            var next = BestByMarginalRelevance(pool, taken, vectors, scores, _ => true, KeyPointRedundantAbove);
            if (next < 0)
            {
                break;
            }

            points.Add(next);
            taken.Add(next);
        }

        chosen.Sort();
        points.Sort();
        var summary = truncated
            ? ExtractiveText.TrimToWords(sentences[first].Span.In(text), maxWords)
            : string.Join(' ', chosen.Select(i => ExtractiveText.TrimToWords(sentences[i].Span.In(text), int.MaxValue)));
        return new ExtractiveSummary(
            summary,
            points.Select(i => ExtractiveText.TrimToWords(sentences[i].Span.In(text), KeyPointWords)).ToList(),
            chosen.Select(i => sentences[i].Span).ToList())
        {
            Truncated = truncated,
        };
    }

    /// <summary>
    /// The best-scored sentences, a repeat of one already pooled left out, so that an article that says
    /// the same thing many times still offers enough different sentences for the summary and key points.
    /// </summary>
    private static List<int> Pool(double[] scores, SparseVector[] vectors)
    {
        var pool = new List<int>(SelectionPool);
        foreach (var i in Enumerable.Range(0, scores.Length).OrderByDescending(i => scores[i]).ThenBy(i => i))
        {
            if (pool.All(j => SparseVector.Dot(vectors[i], vectors[j]) <= RedundantAbove))
            {
                pool.Add(i);
                if (pool.Count == SelectionPool)
                {
                    break;
                }
            }
        }

        return pool;
    }

    /// <summary>The sentences that may be chosen: real sentences when the text has any, else whatever lines it has.</summary>
    private static List<SentenceInfo> Candidates(string text)
    {
        var all = new List<SentenceInfo>();
        var labels = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        var backMatter = BackMatterStart(text);
        foreach (var found in SentenceSplitter.Enumerate(text))
        {
            var span = ExtractiveText.WithoutListMarker(text, found);
            var sentence = span.In(text);
            var label = LeadingLabel(sentence);
            if (label is not null) labels[label] = labels.GetValueOrDefault(label) + 1;
            // A reference list is the article's sources, not what it says.
            var terminated = ExtractiveText.EndsLikeSentence(sentence) && span.Start < backMatter;
            all.Add(new SentenceInfo(span, ExtractiveText.CountWords(sentence), terminated, sentence[^1] == '?', StartsDangling(sentence))
            {
                Label = label,
                Gist = OpensWithGistCue(sentence),
            });
        }

        // "Goal: …", "Risk: …" twice over is a table or a form flattened into text, and three labelled
        // sentences in a row are a glossary: their cells read as sentences but say nothing on their
        // own. A label used once among prose ("In short: …") is prose.
        for (var i = 0; i < all.Count; i++)
        {
            if (all[i].Label is not { } label) continue;
            if (labels[label] > 1)
            {
                all[i] = all[i] with { Terminated = false };
                continue;
            }

            var run = 1;
            for (var j = i - 1; j >= 0 && all[j].Label is { } l && labels[l] == 1; j--) run++;
            for (var j = i + 1; j < all.Count && all[j].Label is { } l && labels[l] == 1; j++) run++;
            if (run >= MinLabelledRun) all[i] = all[i] with { Terminated = false };
        }

        var proper = all.Where(s => s.Words >= MinSentenceWords && s.Terminated).ToList();
        if (proper.Count > 0)
        {
            return proper;
        }

        var longEnough = all.Where(s => s.Words >= MinSentenceWords).ToList();
        return longEnough.Count > 0 ? longEnough : all;
    }

    /// <summary>TF-IDF vectors of the sentences, unit length: (1 + ln tf) × ln((n + 1) / (df + 0.5)).</summary>
    private static SparseVector[] Vectorize(string text, List<SentenceInfo> sentences)
    {
        var vocabulary = new Dictionary<string, int>(StringComparer.Ordinal);
        var documentFrequency = new List<int>();
        var counted = new (int[] Ids, int[] Counts)[sentences.Count];
        for (var i = 0; i < sentences.Count; i++)
        {
            var terms = ExtractiveText.Terms(sentences[i].Span.In(text));
            var ids = new int[terms.Count];
            for (var k = 0; k < terms.Count; k++)
            {
                if (!vocabulary.TryGetValue(terms[k].Stem, out var id))
                {
                    id = vocabulary.Count;
                    vocabulary.Add(terms[k].Stem, id);
                    documentFrequency.Add(0);
                }

                ids[k] = id;
            }

            Array.Sort(ids);
            var distinct = new List<int>();
            var counts = new List<int>();
            foreach (var id in ids)
            {
                if (distinct.Count > 0 && distinct[^1] == id)
                {
                    counts[^1]++;
                }
                else
                {
                    distinct.Add(id);
                    counts.Add(1);
                    documentFrequency[id]++;
                }
            }

            counted[i] = ([.. distinct], [.. counts]);
        }

        var n = sentences.Count;
        var vectors = new SparseVector[n];
        for (var i = 0; i < n; i++)
        {
            var (ids, counts) = counted[i];
            var weights = new float[ids.Length];
            for (var k = 0; k < ids.Length; k++)
            {
                weights[k] = (float)((1 + Math.Log(counts[k])) * Math.Log((n + 1.0) / (documentFrequency[ids[k]] + 0.5)));
            }

            vectors[i] = new SparseVector(ids, weights);
        }

        return vectors;
    }

    private static double[] Blend(List<SentenceInfo> sentences, double[] centrality)
    {
        var max = centrality.Max();
        var scores = new double[sentences.Count];
        for (var i = 0; i < sentences.Count; i++)
        {
            var central = max > 0 ? centrality[i] / max : 0;
            var lead = 1 / Math.Sqrt(1 + i);
            var score = ((1 - LeadWeight) * central) + (LeadWeight * lead);
            if (sentences[i].Gist)
            {
                score *= CueBonus;
            }

            if (sentences[i].Question)
            {
                score *= QuestionPenalty;
            }
            else if (sentences[i].Dangling)
            {
                score *= DanglingPenalty;
            }

            scores[i] = score;
        }

        return scores;
    }

    /// <summary>The pool member not yet taken that best trades score against similarity to what was taken; -1 when none qualifies.</summary>
    private static int BestByMarginalRelevance(List<int> pool, List<int> taken, SparseVector[] vectors, double[] scores, Func<int, bool> fits, double redundantAbove)
    {
        var best = -1;
        var bestValue = double.NegativeInfinity;
        foreach (var i in pool)
        {
            if (taken.Contains(i) || !fits(i))
            {
                continue;
            }

            var similarity = 0.0;
            foreach (var j in taken)
            {
                similarity = Math.Max(similarity, SparseVector.Dot(vectors[i], vectors[j]));
            }

            if (similarity > redundantAbove)
            {
                continue;
            }

            var value = (Relevance * scores[i]) - ((1 - Relevance) * similarity);
            if (value > bestValue)
            {
                bestValue = value;
                best = i;
            }
        }

        return best;
    }

    /// <summary>Weighted PageRank over the cosine-similarity graph.</summary>
    private static double[] TextRank(SparseVector[] vectors)
    {
        var n = vectors.Length;
        var weights = new float[n * n];
        var rowSums = new double[n];
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                var similarity = (float)SparseVector.Dot(vectors[i], vectors[j]);
                if (similarity < MinEdge)
                {
                    continue;
                }

                weights[(i * n) + j] = similarity;
                weights[(j * n) + i] = similarity;
                rowSums[i] += similarity;
                rowSums[j] += similarity;
            }
        }

        var rank = new double[n];
        var next = new double[n];
        Array.Fill(rank, 1.0 / n);
        for (var iteration = 0; iteration < MaxIterations; iteration++)
        {
            // A sentence linked to nothing hands its rank to everyone, so rank is conserved.
            var isolated = 0.0;
            for (var j = 0; j < n; j++)
            {
                if (rowSums[j] == 0)
                {
                    isolated += rank[j];
                }
            }

            var baseRank = ((1 - Damping) / n) + (Damping * isolated / n);
            Array.Fill(next, baseRank);
            for (var j = 0; j < n; j++)
            {
                if (rowSums[j] == 0)
                {
                    continue;
                }

                var share = Damping * rank[j] / rowSums[j];
                var row = weights.AsSpan(j * n, n);
                for (var i = 0; i < n; i++)
                {
                    if (row[i] != 0)
                    {
                        next[i] += share * row[i];
                    }
                }
            }

            var change = 0.0;
            for (var i = 0; i < n; i++)
            {
                change += Math.Abs(next[i] - rank[i]);
            }

            (rank, next) = (next, rank);
            if (change < Convergence)
            {
                break;
            }
        }

        return rank;
    }

    /// <summary>Cosine similarity of each sentence with the sum of all of them: linear in the text's length.</summary>
    private static double[] CentroidSimilarity(SparseVector[] vectors)
    {
        var size = vectors.Max(v => v.Terms.Length == 0 ? 0 : v.Terms[^1] + 1);
        var centroid = new double[size];
        foreach (var vector in vectors)
        {
            for (var k = 0; k < vector.Terms.Length; k++)
            {
                centroid[vector.Terms[k]] += vector.Weights[k];
            }
        }

        var norm = Math.Sqrt(centroid.Sum(w => w * w));
        var similarity = new double[vectors.Length];
        if (norm == 0)
        {
            return similarity;
        }

        for (var i = 0; i < vectors.Length; i++)
        {
            var vector = vectors[i];
            var dot = 0.0;
            for (var k = 0; k < vector.Terms.Length; k++)
            {
                dot += vector.Weights[k] * centroid[vector.Terms[k]];
            }

            similarity[i] = dot / norm;
        }

        return similarity;
    }

    private static bool OpensWithGistCue(ReadOnlySpan<char> sentence)
    {
        foreach (var cue in GistCues)
        {
            if (sentence.StartsWith(cue, StringComparison.OrdinalIgnoreCase) && sentence.Length > cue.Length && sentence[cue.Length] is ',' or ':' or ' ')
            {
                return true;
            }
        }

        return false;
    }

    private static bool StartsDangling(ReadOnlySpan<char> sentence)
    {
        var end = 0;
        while (end < sentence.Length && char.IsLetter(sentence[end]))
        {
            end++;
        }

        return sentence[..end] is "He" or "She" or "They" or "It" or "His" or "Her" or "Their" or "Its" or "This" or "That" or "These" or "Those"
            or "But" or "And" or "Still" or "However" or "Meanwhile";
    }

    /// <param name="Span">Where the sentence stands in the text.</param>
    /// <param name="Words">Whitespace-separated words.</param>
    /// <param name="Terminated">Ends like a sentence rather than a heading.</param>
    /// <param name="Question">Ends with a question mark.</param>
    /// <param name="Dangling">Opens with a pronoun or connective that needs the sentence before.</param>
    private const int MinLabelledRun = 3;

    private static readonly string[] BackMatterHeadings = ["References", "Bibliography", "Sources", "Notes", "Footnotes", "Further reading", "Works cited", "Citations"];

    /// <summary>Where a closing "References" (or like) section starts: a line that is only such a heading, in the text's second half; else the text's length.</summary>
    private static int BackMatterStart(string text)
    {
        var start = text.Length;
        foreach (var heading in BackMatterHeadings)
        {
            for (var at = text.IndexOf(heading, text.Length / 2, StringComparison.OrdinalIgnoreCase); at >= 0; at = text.IndexOf(heading, at + 1, StringComparison.OrdinalIgnoreCase))
            {
                var end = at + heading.Length;
                var lineStart = at == 0 || text[at - 1] == '\n';
                var lineEnd = end == text.Length || text[end] is '\n' or '\r' or ':';
                if (lineStart && lineEnd)
                {
                    start = Math.Min(start, at);
                    break;
                }
            }
        }

        return start;
    }

    /// <summary>The label of a "Label: value" sentence (one to four words before a colon, the first capitalized), or null.</summary>
    private static string? LeadingLabel(ReadOnlySpan<char> sentence)
    {
        var colon = sentence.IndexOf(':');
        if (colon <= 0 || colon > 40 || colon + 1 >= sentence.Length || sentence[colon + 1] != ' ' || !char.IsUpper(sentence[0])) return null;
        var label = sentence[..colon].ToString();
        var words = label.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        return words.Length is >= 1 and <= 4 && words.All(w => w.All(c => char.IsLetter(c) || c is '-' or '\'' or '’' or '(' or ')')) ? label : null;
    }

    private sealed record SentenceInfo(TextSpan Span, int Words, bool Terminated, bool Question, bool Dangling)
    {
        public string? Label { get; init; }

        /// <summary>Opens with a cue that it sums the article up ("In short, …").</summary>
        public bool Gist { get; init; }
    }
}
