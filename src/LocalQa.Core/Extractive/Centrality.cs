namespace LocalQa.Core.Extractive;

/// <summary>
/// How central each sentence of a text is: TF-IDF vectors of the sentences, then LexRank/TextRank
/// (PageRank over the cosine-similarity graph) for texts of up to <see cref="GraphSentenceLimit"/>
/// sentences, or, above that, cosine similarity with the centroid of all sentences (linear in length).
/// </summary>
internal static class Centrality
{
    /// <summary>Texts with more sentences than this are scored against their centroid: the graph is quadratic.</summary>
    public const int GraphSentenceLimit = 400;

    // PageRank's usual damping; iterations stop once rank moves less than Convergence, which the error,
    // shrinking by Damping each round, reaches within MaxIterations.
    private const double Damping = 0.85;
    private const double Convergence = 1e-7;
    private static readonly int MaxIterations = (int)Math.Ceiling(Math.Log(Convergence) / Math.Log(Damping));

    /// <summary>Each sentence's centrality, scaled so that the most central is 1.</summary>
    public static double[] Of(SparseVector[] vectors)
    {
        var raw = vectors.Length <= GraphSentenceLimit ? TextRank(vectors) : CentroidSimilarity(vectors);
        var max = raw.Length == 0 ? 0 : raw.Max();
        return raw.Select(r => max > 0 ? r / max : 0).ToArray();
    }

    /// <summary>Unit-length TF-IDF vectors of the sentences: (1 + ln tf) × <see cref="Idf"/>.</summary>
    public static SparseVector[] Vectors(IReadOnlyList<Sentence> sentences)
    {
        var ids = new Dictionary<string, int>(StringComparer.Ordinal);
        var df = new List<int>();
        foreach (var sentence in sentences)
        {
            foreach (var stem in sentence.Counts.Keys)
            {
                if (!ids.TryGetValue(stem, out var id))
                {
                    ids.Add(stem, id = ids.Count);
                    df.Add(0);
                }

                df[id]++;
            }
        }

        var n = sentences.Count;
        return sentences.Select(s =>
        {
            var terms = s.Counts.Select(c => (Id: ids[c.Key], Tf: c.Value)).OrderBy(t => t.Id).ToArray();
            var weights = terms.Select(t => (float)((1 + Math.Log(t.Tf)) * Idf(n, df[t.Id]))).ToArray();
            return new SparseVector(terms.Select(t => t.Id).ToArray(), weights);
        }).ToArray();
    }

    /// <summary>
    /// The rarity of a term held by <paramref name="df"/> of <paramref name="n"/> sentences: BM25's
    /// smoothed inverse document frequency, positive even for a term every sentence holds.
    /// </summary>
    public static double Idf(int n, int df) => Math.Log(1 + ((n - df + 0.5) / (df + 0.5)));

    /// <summary>Weighted PageRank over the cosine-similarity graph.</summary>
    public static double[] TextRank(SparseVector[] vectors)
    {
        var n = vectors.Length;
        var weights = new float[n * n];
        var rowSums = new double[n];
        for (var i = 0; i < n; i++)
        {
            for (var j = i + 1; j < n; j++)
            {
                var similarity = (float)SparseVector.Dot(vectors[i], vectors[j]);
                if (similarity <= 0)
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
    public static double[] CentroidSimilarity(SparseVector[] vectors)
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
}
