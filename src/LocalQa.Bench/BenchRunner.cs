using System.Diagnostics;
using LocalQa.Core;
using LocalQa.Core.Index;
using LocalQa.Llama;

namespace LocalQa.Bench;

/// <summary>Everything one <c>localqa bench</c> run measured; a section that did not run is null.</summary>
public sealed record BenchReport
{
    public required BenchSections Sections { get; init; }
    public string? ModelPath { get; init; }
    public string? EmbeddingModelPath { get; init; }
    public required int Threads { get; init; }
    public required int BatchThreads { get; init; }
    public required int MicroBatch { get; init; }
    public required FlashAttention FlashAttention { get; init; }
    public required int Repeat { get; init; }

    /// <summary>The layers asked to be offloaded (<see cref="BenchOptions.GpuLayers"/>).</summary>
    public int GpuLayers { get; init; }

    /// <summary>Whether the loaded runtime can offload at all: with a CPU-only runtime, <see cref="GpuLayers"/> changed nothing.</summary>
    public bool GpuOffloadSupported { get; init; }

    /// <summary>The llama.cpp library used (the LLamaSharp backend package's build for this CPU, or one named by LOCALQA_NATIVE_DIR).</summary>
    public string? RuntimeLibrary { get; init; }

    /// <summary>Which libggml-cpu variant ggml picked for this processor.</summary>
    public string? CpuVariant { get; init; }

    /// <summary>Seconds to load the generative model (llama.cpp's load, mapping and repacking included).</summary>
    public double? LoadSeconds { get; init; }

    public double? EmbeddingLoadSeconds { get; init; }

    public int PrefillTokens { get; init; }
    public Rate? Prefill { get; init; }
    public int DecodeTokens { get; init; }
    public Rate? Decode { get; init; }
    public IReadOnlyList<BatchedBenchResult>? Batched { get; init; }
    public EmbeddingBenchResult? Embedding { get; init; }
    public RetrievalBenchResult? Retrieval { get; init; }
    public TtftBenchResult? Ttft { get; init; }
    public ChatBenchResult? Chat { get; init; }
    public IngestBenchResult? Ingest { get; init; }
    public IngestBenchResult? IngestWithEmbeddings { get; init; }
    public PdfBenchResult? Pdf { get; init; }
    public ServeBenchResult? Serve { get; init; }

    /// <summary>The process's peak resident memory over the whole run, in MiB.</summary>
    public double PeakMemoryMb { get; init; }
}

/// <summary>
/// Runs the sections of <c>localqa bench</c> in an order that keeps their memory figures apart:
/// ingest, retrieval and PDF first (no model loaded), then the embedding model, then the generative one.
/// </summary>
public static class BenchRunner
{
    public static async Task<BenchReport> RunAsync(BenchOptions options, Action<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        var sections = options.Sections;
        if (sections == BenchSections.None) throw new InvalidInputException("No bench section was chosen.", $"Use --only with some of: {string.Join(",", BenchArguments.SectionNamesInOrder)}.");
        if ((sections & BenchSections.NeedsModel) != 0 && options.ModelPath is null)
            throw new InvalidInputException(
                $"The {BenchArguments.Describe(sections & BenchSections.NeedsModel)} measurements need a generative model.",
                "Pass --model FILE or --synthetic NAME, or leave them out of --only.");
        if ((sections & BenchSections.Embedding) != 0 && options.EmbeddingModelPath is null)
            throw new InvalidInputException("The embedding measurement needs an embedding model.", "Pass --embed-model FILE or --embed-synthetic NAME.");

        var ownWork = options.WorkDirectory is null;
        var work = options.WorkDirectory ?? Directory.CreateTempSubdirectory("localqa-bench-").FullName;
        Directory.CreateDirectory(work);
        try
        {
            return await RunInAsync(work, options, progress, ct).ConfigureAwait(false);
        }
        finally
        {
            if (ownWork) TryDelete(work);
        }
    }

    private static async Task<BenchReport> RunInAsync(string work, BenchOptions options, Action<string>? progress, CancellationToken ct)
    {
        var sections = options.Sections;
        var memory = new PeakMemory();
        var corpus = new SyntheticCorpus();
        // Retrieval and ingest alone run without the native runtime; the report then names none.
        var (runtime, _) = LlamaRuntime.TryLoad();
        // A section that needs the engine fails now, with the runtime's own error, not after the
        // minutes of ingest, retrieval and PDF measurements that run before the models load.
        var needsEngine = (sections & (BenchSections.NeedsModel | BenchSections.Embedding)) != 0
            || ((sections & BenchSections.Ingest) != 0 && options.EmbeddingModelPath is not null);
        if (runtime is null && needsEngine) LlamaRuntime.Load();
        var report = new BenchReport
        {
            Sections = sections,
            ModelPath = options.ModelPath,
            EmbeddingModelPath = options.EmbeddingModelPath,
            Threads = EngineBench.ResolveThreads(options),
            BatchThreads = EngineBench.ResolveBatchThreads(options),
            MicroBatch = options.MicroBatch,
            FlashAttention = options.FlashAttention,
            Repeat = options.Repeat,
            GpuLayers = options.GpuLayers,
            GpuOffloadSupported = runtime?.SupportsGpuOffload ?? false,
            RuntimeLibrary = runtime?.LibraryPath,
            CpuVariant = runtime?.CpuVariant,
        };

        IReadOnlyList<string> files = [];
        string? indexPath = null;
        if ((sections & (BenchSections.Ingest | BenchSections.Retrieval)) != 0)
        {
            progress?.Invoke($"writing {options.Articles} generated articles");
            files = corpus.WriteArticles(Path.Combine(work, "articles"), options.Articles);
        }

        if ((sections & BenchSections.Ingest) != 0)
        {
            progress?.Invoke($"ingest: {files.Count} articles without embeddings");
            indexPath = Path.Combine(work, "ingest.db");
            var ingest = IngestBench.Run(files, indexPath, null, memory, progress, ct);
            report = report with { Ingest = ingest };
            progress?.Invoke($"ingest: {ingest.Documents} documents, {ingest.Chunks} chunks in {ingest.Seconds:F2} s");
        }

        if ((sections & BenchSections.Retrieval) != 0)
        {
            var dense = new List<DenseSearchResult>();
            foreach (var size in options.DenseSizes)
            {
                progress?.Invoke($"dense search: {size} vectors of {options.Dimensions}");
                dense.Add(RetrievalBench.MeasureDense(size, options.Dimensions, options.Queries, options.TopK, ct: ct));
            }
            if (indexPath is null)
            {
                progress?.Invoke("bm25: building the index of generated articles");
                indexPath = Path.Combine(work, "bm25.db");
                IngestBench.Run(files, indexPath, null, memory, progress, ct);
            }
            using var index = LocalQaIndex.Open(indexPath);
            var chunks = index.Stats().Chunks;
            progress?.Invoke($"bm25: {options.Queries} queries over {chunks} chunks");
            var bm25 = RetrievalBench.MeasureBm25(index, RetrievalBench.Questions(corpus, options.Articles, options.Queries), options.TopK, ct);
            report = report with { Retrieval = new RetrievalBenchResult(dense, bm25, chunks, options.TopK) };
        }

        if ((sections & BenchSections.Pdf) != 0)
        {
            var pdf = PdfBench.Run(Path.Combine(work, "pdf"), options.PdfPages, memory, progress, ct);
            report = report with { Pdf = pdf };
            progress?.Invoke($"pdf: {pdf.Pages} pages in {pdf.Seconds:F2} s");
        }

        var embedIngest = (sections & BenchSections.Ingest) != 0 && options.EmbeddingModelPath is not null;
        if ((sections & BenchSections.Embedding) != 0 || embedIngest)
        {
            var sw = Stopwatch.StartNew();
            using var model = LlamaModel.Load(options.EmbeddingModelPath!, new LlamaModelOptions { GpuLayers = options.GpuLayers });
            report = report with { EmbeddingLoadSeconds = sw.Elapsed.TotalSeconds };
            using var embedder = new LlamaEmbedder(model, new EmbedderOptions { Threads = report.Threads });
            if ((sections & BenchSections.Embedding) != 0)
            {
                var texts = EmbeddingBench.MakeTexts(model, corpus, options.EmbeddingTexts, options.EmbeddingTextTokens);
                report = report with { Embedding = EmbeddingBench.Run(embedder, texts, options.Repeat, progress, ct) };
            }
            if (embedIngest)
            {
                var subset = files.Take(options.EmbeddedArticles).ToList();
                progress?.Invoke($"ingest: {subset.Count} articles with embeddings");
                report = report with { IngestWithEmbeddings = IngestBench.Run(subset, Path.Combine(work, "ingest-embedded.db"), embedder, memory, progress, ct) };
            }
        }

        if ((sections & BenchSections.NeedsModel & ~BenchSections.Serve) != 0)
        {
            progress?.Invoke($"loading {options.ModelPath}");
            var sw = Stopwatch.StartNew();
            using var model = LlamaModel.Load(options.ModelPath!, new LlamaModelOptions { GpuLayers = options.GpuLayers });
            report = report with { LoadSeconds = sw.Elapsed.TotalSeconds };
            var prefill = (sections & BenchSections.Prefill) != 0;
            var decode = (sections & BenchSections.Decode) != 0;
            if (prefill || decode)
            {
                var (pp, tg) = EngineBench.MeasurePrefillDecode(model, options, prefill, decode, progress, ct);
                report = report with { PrefillTokens = options.PromptTokens, Prefill = pp, DecodeTokens = options.GenTokens, Decode = tg };
            }
            if ((sections & BenchSections.Batched) != 0)
                report = report with { Batched = EngineBench.MeasureBatched(model, options, progress, ct) };
            if ((sections & BenchSections.Ttft) != 0)
                report = report with { Ttft = EngineBench.MeasureTtft(model, options, progress, ct) };
            if ((sections & BenchSections.Chat) != 0)
                report = report with { Chat = await ChatBench.RunAsync(model, options, progress, ct).ConfigureAwait(false) };
        }

        // Last, with the model loaded as serve loads it (after the block above let its own go).
        if ((sections & BenchSections.Serve) != 0)
        {
            var serveWork = Path.Combine(work, "serve");
            Directory.CreateDirectory(serveWork);
            report = report with { Serve = await ServeBench.RunAsync(serveWork, options, progress, ct).ConfigureAwait(false) };
        }

        return report with { PeakMemoryMb = memory.ProcessPeakBytes / (1024.0 * 1024.0) };
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // A scratch folder left in the temp directory is harmless; the measurement stands.
        }
    }
}
