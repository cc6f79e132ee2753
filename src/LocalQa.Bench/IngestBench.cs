using System.Diagnostics;
using LocalQa.Core;
using LocalQa.Core.Chunking;
using LocalQa.Core.Documents;
using LocalQa.Core.Index;
using LocalQa.Llama;

namespace LocalQa.Bench;

/// <summary>One ingest run: files loaded, cleaned, chunked and written to an index (with vectors when an embedder was given).</summary>
/// <param name="PeakMemoryMb">Peak resident memory of the process during the run, baseline (runtime, loaded models) included.</param>
/// <param name="PeakIsolated">True when the peak was reset before the run (Linux); false when it is the process's peak so far.</param>
/// <param name="EmbeddingModel">The embedding model's path, or null for an ingest without vectors.</param>
public sealed record IngestBenchResult(
    int Documents,
    int Chunks,
    double Seconds,
    double PeakMemoryMb,
    bool PeakIsolated,
    string? EmbeddingModel)
{
    public double DocumentsPerSecond => Documents / Seconds;

    public double ChunksPerSecond => Chunks / Seconds;
}

/// <summary>
/// Ingest throughput the way <c>localqa ingest</c> does the work: <see cref="DocumentLoader"/> (read,
/// parse, clean), <see cref="Chunker"/> with its default budget, and one <see cref="LocalQaIndex.UpsertDocument"/>
/// transaction per document; with an embedder, the chunks of several documents share its batches.
/// </summary>
public static class IngestBench
{
    // The embedder's default sequences per batch: fewer chunks would leave its batches part-empty.
    private const int FlushChunks = 32;

    public static IngestBenchResult Run(IReadOnlyList<string> files, string indexPath, LlamaEmbedder? embedder, PeakMemory memory,
        Action<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(files);
        ArgumentException.ThrowIfNullOrEmpty(indexPath);
        ArgumentNullException.ThrowIfNull(memory);
        var documents = 0;
        var chunks = 0;
        var sw = new Stopwatch();
        var (peak, isolated) = memory.Measure(() =>
        {
            sw.Start();
            using var index = LocalQaIndex.Open(indexPath);
            var chunker = new Chunker();
            var pending = new List<(Document Document, IReadOnlyList<Chunk> Chunks)>();
            var pendingChunks = 0;
            foreach (var file in files)
            {
                ct.ThrowIfCancellationRequested();
                var loaded = DocumentLoader.Load(file, cancellationToken: ct);
                if (loaded.Document is not { } document) continue;
                var pieces = chunker.Split(document);
                documents++;
                chunks += pieces.Count;
                if (documents % 500 == 0) progress?.Invoke($"ingest: {documents} documents, {chunks} chunks");
                if (embedder is null)
                {
                    index.UpsertDocument(document, pieces);
                    continue;
                }
                pending.Add((document, pieces));
                pendingChunks += pieces.Count;
                if (pendingChunks >= FlushChunks)
                {
                    Flush(index, embedder, pending, ct);
                    pendingChunks = 0;
                }
            }
            if (embedder is not null) Flush(index, embedder, pending, ct);
            sw.Stop();
        });
        return new IngestBenchResult(documents, chunks, sw.Elapsed.TotalSeconds, peak / (1024.0 * 1024.0), isolated, embedder?.Model.Path);
    }

    private static void Flush(LocalQaIndex index, LlamaEmbedder embedder, List<(Document Document, IReadOnlyList<Chunk> Chunks)> pending, CancellationToken ct)
    {
        if (pending.Count == 0) return;
        var texts = pending.SelectMany(p => p.Chunks).Select(c => c.Text).ToList();
        var vectors = embedder.Embed(texts, ct);
        var modelId = "bench:" + Path.GetFileName(embedder.Model.Path);
        var next = 0;
        foreach (var (document, chunks) in pending)
        {
            var own = vectors.AsSpan(next, chunks.Count).ToArray();
            next += chunks.Count;
            index.UpsertDocument(document, chunks, new ChunkEmbeddings(modelId, embedder.Dimensions, own));
        }
        pending.Clear();
    }
}
