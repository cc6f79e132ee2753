using LocalQa.Core.Extractive;
using LocalQa.Core.Index;
using LocalQa.Core.Retrieval;
using LocalQa.Core.Text;

namespace LocalQa.Core.Summarizing;

/// <summary>A library document and how related it is to an article.</summary>
/// <param name="Path">The document's path in the library.</param>
/// <param name="Title">Its title.</param>
/// <param name="DuplicateGroup">Its near-duplicate group, so that copies of one text are listed once.</param>
/// <param name="Score">See <see cref="Relatedness"/>: 0 to 1, 1 when its best passage matches the article's key terms as well as the article's own best passage does.</param>
/// <param name="Passage">The document's passage that matched best.</param>
internal sealed record RelatedCandidate(string Path, string Title, long DuplicateGroup, double Score, string Passage)
{
    public int? Page { get; init; }
}

/// <summary>
/// How related library documents are to an article, on an absolute scale: self-normalised key-term
/// matching, with each term weighted by its rarity in the library.
/// </summary>
/// <remarks>
/// <para>
/// The article's key terms are its most frequent content words, each weighted by (1 + ln tf) in the
/// article times its rarity among the library's passages (BM25's inverse document frequency, from
/// full-text search): "LeCun" in an article about Meta's researchers, "json" and "decode" in the
/// json module's page, while words every passage uses weigh next to nothing. A passage scores the
/// weights of the key terms it holds. A document's score is its best passage's, divided by the score of
/// the article's own best passage of the same length: the score the article would get against itself.
/// </para>
/// <para>
/// So 0.5 means the document has a passage holding half the weight of the key terms that a passage of
/// the article itself holds, and the number keeps its meaning from one article and one library to the
/// next. Words the library never uses count in the article's own score and in no document's, so an
/// article on a subject the library lacks scores low everywhere.
/// </para>
/// </remarks>
internal static class Relatedness
{
    /// <summary>
    /// Documents are listed as related from this score up. Measured on the seed articles (all on Meta's
    /// AI people) and pages of Python's documentation: seeds against the other seeds and pages against
    /// other pages: the best related document scored 0.25 or more, the best unrelated one 0.16 at most
    /// (docs/usage.md, "Related in your library").
    /// </summary>
    public const double MinScore = 0.2;

    // The key terms: enough words to name a subject and its facets, few enough that each counts.
    private const int KeyTerms = 20;

    /// <summary>Library documents related to <paramref name="article"/>, best first, scored as the class says; the article's own path excluded.</summary>
    public static List<RelatedCandidate> Find(LocalQaIndex index, string article, string? articlePath)
    {
        ArgumentNullException.ThrowIfNull(index);
        ArgumentNullException.ThrowIfNull(article);
        var passages = index.CountChunks();
        var terms = Words.Terms(article);
        if (passages == 0 || terms.Count == 0)
        {
            return [];
        }

        // The most frequent stems, each with the word the article uses for it (what full-text search is given).
        var frequent = terms.GroupBy(t => t.Stem)
            .Select(g => (Stem: g.Key, Count: g.Count(), Word: article.Substring(g.First().Start, g.First().Length)))
            .OrderByDescending(t => t.Count).ThenBy(t => t.Stem, StringComparer.Ordinal)
            .Take(2 * KeyTerms)
            .ToList();

        var chunks = new Dictionary<long, SourcedChunk>();
        var weighted = new List<(string Stem, double Weight)>();
        foreach (var (stem, count, word) in frequent)
        {
            // The passages that use the term, counted by the full-text index itself: exact, and no text is read.
            var users = FtsQueryBuilder.Build(word) is { } query ? index.CountFullText(query) : 0;
            weighted.Add((stem, (1 + Math.Log(count)) * Centrality.Idf((int)Math.Min(passages, int.MaxValue), (int)Math.Min(users, passages))));
        }

        var key = weighted.OrderByDescending(w => w.Weight).Take(KeyTerms).ToDictionary(w => w.Stem, w => w.Weight, StringComparer.Ordinal);

        // The candidates: the passages full-text search ranks first for all the key terms together.
        if (FtsQueryBuilder.Build(string.Join(' ', frequent.Where(f => key.ContainsKey(f.Stem)).Select(f => f.Word))) is { } all)
        {
            foreach (var hit in index.SearchFullText(all, 2 * KeyTerms))
            {
                chunks.TryAdd(hit.Chunk.ChunkId, hit.Chunk);
            }
        }

        var self = SelfScore(article, key, chunks.Values);
        if (self <= 0)
        {
            return [];
        }

        return chunks.Values
            .Where(c => !string.Equals(c.DocumentPath, articlePath, StringComparison.Ordinal))
            .Select(c => (Chunk: c, Score: Score(Words.StemSet($"{c.Title}\n{c.Heading}\n{c.Text}"), key)))
            .GroupBy(c => c.Chunk.DocumentId)
            .Select(g => g.MaxBy(c => c.Score))
            .Select(c => new RelatedCandidate(c.Chunk.DocumentPath, c.Chunk.Title, c.Chunk.DuplicateGroup, Math.Min(1, c.Score / self), c.Chunk.Text) { Page = c.Chunk.Page })
            .OrderByDescending(c => c.Score)
            .ToList();
    }

    private static double Score(HashSet<string> stems, Dictionary<string, double> key) =>
        key.Where(k => stems.Contains(k.Key)).Sum(k => k.Value);

    /// <summary>
    /// The best score of a passage of the article as long as the library's passages (their median word
    /// count): consecutive sentences of the article, taken in windows of that length.
    /// </summary>
    private static double SelfScore(string article, Dictionary<string, double> key, IEnumerable<SourcedChunk> libraryPassages)
    {
        var lengths = libraryPassages.Select(c => Words.Count(c.Text)).Order().ToList();
        var length = lengths.Count == 0 ? int.MaxValue : Math.Max(1, lengths[lengths.Count / 2]);
        var window = new Queue<(string[] Keys, int Words)>();
        var held = new Dictionary<string, int>(StringComparer.Ordinal);
        var (words, score, best) = (0, 0.0, 0.0);
        foreach (var span in SentenceSplitter.Enumerate(article))
        {
            var sentence = span.In(article);
            var keys = Words.StemSet(sentence).Where(key.ContainsKey).ToArray();
            var count = Words.Count(sentence);
            window.Enqueue((keys, count));
            words += count;
            foreach (var k in keys)
            {
                score += (held[k] = held.GetValueOrDefault(k) + 1) == 1 ? key[k] : 0;
            }

            while (words - window.Peek().Words >= length)
            {
                var (oldKeys, oldWords) = window.Dequeue();
                words -= oldWords;
                foreach (var k in oldKeys)
                {
                    score -= --held[k] == 0 ? key[k] : 0;
                }
            }

            best = Math.Max(best, score);
        }

        return best;
    }
}
