using System.Text;
using LocalQa.Core.Index;

namespace LocalQa.Core.Retrieval;

/// <summary>A passage chosen for a question, with what a citation needs.</summary>
/// <param name="Rank">1-based position in the result.</param>
/// <param name="Score">The reciprocal-rank-fusion score of the chunk over the lists it appeared in.</param>
/// <param name="ChunkId">The id of the chunk that matched.</param>
/// <param name="DocumentId">The id of its document.</param>
/// <param name="DocumentPath">The path of its document.</param>
/// <param name="Title">The title of its document.</param>
/// <param name="Ordinal">The ordinal of the chunk that matched.</param>
/// <param name="Heading">The heading the chunk sits under, if any.</param>
/// <param name="Text">The matched chunk's text, with its neighbours when neighbour expansion is on.</param>
/// <param name="FirstOrdinal">The first chunk ordinal covered by <paramref name="Text"/>.</param>
/// <param name="LastOrdinal">The last chunk ordinal covered by <paramref name="Text"/>.</param>
/// <param name="Bm25Score">The chunk's full-text score (negated bm25: higher is better), or null when only dense search found it.</param>
/// <param name="DenseScore">The cosine similarity with the query vector, or null when only full-text search found it.</param>
public sealed record RetrievedPassage(
    int Rank,
    double Score,
    long ChunkId,
    long DocumentId,
    string DocumentPath,
    string Title,
    int Ordinal,
    string? Heading,
    string Text,
    int FirstOrdinal,
    int LastOrdinal,
    double? Bm25Score,
    float? DenseScore)
{
    /// <summary>The page <see cref="Text"/> starts on, for documents that have pages (PDF); null otherwise.</summary>
    public int? Page { get; init; }
}

/// <summary>Tunables of <see cref="Retriever"/>.</summary>
internal sealed record RetrieverOptions
{
    /// <summary>How deep each ranked list (full-text, dense) is read before fusion and de-duplication.</summary>
    public int CandidatesPerList { get; init; } = 50;

    /// <summary>The constant k of reciprocal rank fusion.</summary>
    public int FusionK { get; init; } = ReciprocalRankFusion.DefaultK;

    /// <summary>Whether passages repeating a better-ranked one are dropped.</summary>
    public bool CollapseNearDuplicates { get; init; } = true;

    /// <summary>Chunks added on each side of a matched chunk (0: none).</summary>
    public int NeighbourChunks { get; init; }
}

/// <summary>
/// Finds the passages that best answer a question: full-text search (bm25) and, when a vector
/// store and a query vector are given, dense search, fused by reciprocal rank; repeated passages
/// collapsed; optionally widened by neighbouring chunks.
/// </summary>
/// <remarks>Shares the index's connection, so it is not thread-safe either.</remarks>
internal sealed class Retriever
{
    private readonly LocalQaIndex _index;
    private readonly VectorStore? _vectors;
    private readonly RetrieverOptions _options;

    public Retriever(LocalQaIndex index, VectorStore? vectors = null, RetrieverOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(index);
        _index = index;
        _vectors = vectors;
        _options = options ?? new RetrieverOptions();
        ArgumentOutOfRangeException.ThrowIfLessThan(_options.CandidatesPerList, 1, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(_options.FusionK, nameof(options));
        ArgumentOutOfRangeException.ThrowIfNegative(_options.NeighbourChunks, nameof(options));
    }

    /// <summary>Full-text search alone: the best chunks for a question by bm25, best first.</summary>
    public static IReadOnlyList<ChunkHit> SearchFullText(LocalQaIndex index, string question, int limit)
    {
        ArgumentNullException.ThrowIfNull(index);
        var query = FtsQueryBuilder.Build(question);
        return query is null ? [] : index.SearchFullText(query, limit);
    }

    /// <summary>The best <paramref name="topK"/> passages for <paramref name="question"/>, best first.</summary>
    /// <param name="question">The question, as the user typed it.</param>
    /// <param name="topK">How many passages to return at most.</param>
    /// <param name="queryVector">The question's embedding by the vector store's model, or null for full-text search alone.</param>
    public IReadOnlyList<RetrievedPassage> Search(string question, int topK, float[]? queryVector = null)
    {
        ArgumentNullException.ThrowIfNull(question);
        ArgumentOutOfRangeException.ThrowIfNegative(topK);
        if (queryVector is not null && _vectors is null)
        {
            throw new ArgumentException("A query vector was given, but this retriever has no vector store.", nameof(queryVector));
        }

        if (topK == 0)
        {
            return [];
        }

        var depth = Math.Max(_options.CandidatesPerList, topK);
        var chunks = new Dictionary<long, SourcedChunk>();
        var bm25 = new Dictionary<long, double>();
        var fullTextRanking = new List<long>();
        foreach (var hit in SearchFullText(_index, question, depth))
        {
            chunks[hit.Chunk.ChunkId] = hit.Chunk;
            bm25[hit.Chunk.ChunkId] = hit.Score;
            fullTextRanking.Add(hit.Chunk.ChunkId);
        }

        var dense = new Dictionary<long, float>();
        var denseRanking = new List<long>();
        if (queryVector is not null)
        {
            foreach (var hit in _vectors!.Search(queryVector, depth))
            {
                dense[hit.ChunkId] = hit.Score;
                denseRanking.Add(hit.ChunkId);
            }

            var missing = denseRanking.Where(id => !chunks.ContainsKey(id)).ToList();
            foreach (var chunk in _index.GetChunks(missing))
            {
                chunks[chunk.ChunkId] = chunk;
            }
        }

        // A vector store loaded before a document was replaced can name chunks that are gone.
        var fused = ReciprocalRankFusion.Fuse([fullTextRanking, denseRanking], _options.FusionK)
            .Where(item => chunks.ContainsKey(item.Item));
        var chosen = _options.CollapseNearDuplicates
            ? PassageDeduplicator.Collapse(fused, item => chunks[item.Item].Text, topK)
            : fused.Take(topK).ToList();

        var passages = new List<RetrievedPassage>(chosen.Count);
        foreach (var item in chosen)
        {
            var chunk = chunks[item.Item];
            var (text, first, last, page) = Expand(chunk);
            passages.Add(new RetrievedPassage(
                passages.Count + 1,
                item.Score,
                chunk.ChunkId,
                chunk.DocumentId,
                chunk.DocumentPath,
                chunk.Title,
                chunk.Ordinal,
                chunk.Heading,
                text,
                first,
                last,
                bm25.TryGetValue(chunk.ChunkId, out var b) ? b : null,
                dense.TryGetValue(chunk.ChunkId, out var d) ? d : null)
            {
                Page = page,
            });
        }

        return passages;
    }

    private (string Text, int FirstOrdinal, int LastOrdinal, int? Page) Expand(SourcedChunk chunk)
    {
        if (_options.NeighbourChunks == 0)
        {
            return (chunk.Text, chunk.Ordinal, chunk.Ordinal, chunk.Page);
        }

        var neighbours = _index.GetNeighbours(chunk.DocumentId, chunk.Ordinal, _options.NeighbourChunks, _options.NeighbourChunks);
        if (neighbours.Count == 0)
        {
            return (chunk.Text, chunk.Ordinal, chunk.Ordinal, chunk.Page);
        }

        // The passage is cited where its text starts: the first neighbour's page.
        return (JoinByOffsets(neighbours), neighbours[0].Ordinal, neighbours[^1].Ordinal, neighbours[0].Page);
    }

    /// <summary>Joins consecutive chunks, dropping the part of a chunk that overlaps the previous one.</summary>
    internal static string JoinByOffsets(IReadOnlyList<StoredChunk> chunks)
    {
        var text = new StringBuilder();
        var end = chunks.Count > 0 ? chunks[0].Start : 0;
        foreach (var chunk in chunks)
        {
            var skip = Math.Clamp(end - chunk.Start, 0, chunk.Text.Length);
            if (text.Length > 0 && skip == 0)
            {
                text.Append('\n');
            }

            text.Append(chunk.Text, skip, chunk.Text.Length - skip);
            end = Math.Max(end, chunk.Start + chunk.Text.Length);
        }

        return text.ToString();
    }
}
