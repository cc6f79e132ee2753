using System.Diagnostics;
using LocalQa.Core;
using LocalQa.Llama;

namespace LocalQa.Bench;

/// <summary>Embedding speed: all texts through one <see cref="LlamaEmbedder.Embed"/> call (many sequences per decode) versus one call per text.</summary>
/// <param name="TokensPerText">Mean tokens per text by the model's tokenizer (with its BOS).</param>
/// <param name="BatchedDecodeCalls">Decode calls the batched run needed for all the texts.</param>
public sealed record EmbeddingBenchResult(
    string Model,
    int Dimensions,
    int Texts,
    double TokensPerText,
    Rate BatchedPerSecond,
    Rate SinglePerSecond,
    int BatchedDecodeCalls);

public static class EmbeddingBench
{
    /// <summary>
    /// Texts of about <paramref name="tokens"/> tokens each by <paramref name="model"/>'s tokenizer,
    /// made of whole generated sentences, so the load is the same whatever the vocabulary.
    /// </summary>
    public static IReadOnlyList<string> MakeTexts(LlamaModel model, SyntheticCorpus corpus, int count, int tokens)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(corpus);
        var texts = new string[count];
        for (var i = 0; i < count; i++)
        {
            // Grow by whole passages, then trim words until the text is within budget.
            var words = Math.Max(4, tokens / 2);
            var text = corpus.Passage(i, words);
            while (model.CountTokens(text) < tokens && words < tokens * 8)
            {
                words += Math.Max(2, words / 4);
                text = corpus.Passage(i, words);
            }
            while (model.CountTokens(text) > tokens)
            {
                var cut = text.LastIndexOf(' ');
                if (cut <= 0) break;
                text = text[..cut];
            }
            texts[i] = text;
        }
        return texts;
    }

    public static EmbeddingBenchResult Run(LlamaEmbedder embedder, IReadOnlyList<string> texts, int repeat,
        Action<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(embedder);
        ArgumentNullException.ThrowIfNull(texts);
        ArgumentOutOfRangeException.ThrowIfLessThan(repeat, 1);
        if (texts.Count == 0) throw new ArgumentException("No texts to embed.", nameof(texts));
        var tokens = texts.Average(t => embedder.Model.Tokenize(t).Length);

        embedder.Embed([texts[0]], ct);
        var batched = new List<double>();
        var single = new List<double>();
        var calls = 0;
        var sw = new Stopwatch();
        for (var r = 0; r < repeat; r++)
        {
            ct.ThrowIfCancellationRequested();
            var before = embedder.DecodeCalls;
            sw.Restart();
            embedder.Embed(texts, ct);
            batched.Add(texts.Count / sw.Elapsed.TotalSeconds);
            calls = embedder.DecodeCalls - before;

            sw.Restart();
            foreach (var text in texts) embedder.Embed([text], ct);
            single.Add(texts.Count / sw.Elapsed.TotalSeconds);
            progress?.Invoke($"embedding run {r + 1}/{repeat}: batched {batched[^1]:F1} texts/s ({calls} decodes), one at a time {single[^1]:F1} texts/s");
        }
        return new EmbeddingBenchResult(embedder.Model.Path, embedder.Dimensions, texts.Count, tokens,
            BenchStatistics.Summarize(batched), BenchStatistics.Summarize(single), calls);
    }
}
