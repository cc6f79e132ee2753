using LocalQa.Core;
using LocalQa.Llama;

namespace LocalQa.Bench;

/// <summary>
/// What <see cref="BenchRunner"/> measures and how big each measurement is. The defaults are the
/// sizes of <c>localqa bench</c>; tests shrink them.
/// </summary>
/// <remarks>
/// <para>How to choose the engine settings that these options vary (measure with <c>localqa bench</c>):</para>
/// <list type="bullet">
/// <item><b>Decode threads</b> (<see cref="Threads"/>): the physical core count. A single-token decode
/// step streams every weight once and is bound by memory bandwidth; hyper-threads only contend for the
/// same cores, and more threads than cores make ggml's thread barriers spin against each other.</item>
/// <item><b>Batch threads</b> (<see cref="BatchThreads"/>): prompt processing is compute-bound, so it also
/// wants every physical core; the same number as decode unless other work must keep a core.</item>
/// <item><b>Batch / micro-batch</b> (<see cref="MicroBatch"/>): the batch (most tokens per
/// <c>llama_decode</c>) only needs to hold the longest prompt; the micro-batch is the compute step.
/// llama.cpp's 512 keeps the matrix kernels busy; 256 and 128 were never faster here, only smaller
/// in scratch memory.</item>
/// <item><b>Flash attention</b> (<see cref="FlashAttention"/>): auto, which llama.cpp turns on for the CPU
/// backend. It made long prompts faster here (a cold 1,500-token prompt about 20 % sooner) and a small
/// batch over a long cache slower (a 40-token follow-up over 1,460 cached tokens about 60 % longer),
/// so the first answer, the longest wait, decides.</item>
/// </list>
/// </remarks>
public sealed record BenchOptions
{
    /// <summary>The generative GGUF model (prefill, decode, batched, ttft); null skips those sections.</summary>
    public string? ModelPath { get; init; }

    /// <summary>The embedding GGUF model (embedding, and the second ingest figure); null skips those.</summary>
    public string? EmbeddingModelPath { get; init; }

    public BenchSections Sections { get; init; } = BenchSections.All;

    /// <summary>Decode threads; 0 picks the physical core count.</summary>
    public int Threads { get; init; }

    /// <summary>Prompt-processing threads; 0 picks the same as <see cref="Threads"/>.</summary>
    public int BatchThreads { get; init; }

    /// <summary>Layers of each model to offload to a GPU (0: none, -1: all); a CPU-only runtime ignores it.</summary>
    public int GpuLayers { get; init; }

    /// <summary>The micro-batch (n_ubatch) of the generative contexts.</summary>
    public int MicroBatch { get; init; } = 512;

    public FlashAttention FlashAttention { get; init; } = FlashAttention.Auto;

    /// <summary>Repetitions of each engine measurement; the median and the spread are reported.</summary>
    public int Repeat { get; init; } = 3;

    /// <summary>Tokens of the prefill prompt (llama-bench -p).</summary>
    public int PromptTokens { get; init; } = 512;

    /// <summary>Single-token decode steps (llama-bench -n).</summary>
    public int GenTokens { get; init; } = 128;

    /// <summary>Sequence counts of the batched measurement (llama-batched-bench -npl).</summary>
    public IReadOnlyList<int> Parallel { get; init; } = [1, 2, 4, 8];

    /// <summary>Prompt tokens of each batched sequence (llama-batched-bench -npp).</summary>
    public int BatchedPromptTokens { get; init; } = 128;

    /// <summary>Decode steps of the batched measurement (llama-batched-bench -ntg).</summary>
    public int BatchedGenTokens { get; init; } = 64;

    /// <summary>Concurrent clients of the serve measurement, one round of requests per count (the slots are the largest).</summary>
    public IReadOnlyList<int> ServeClients { get; init; } = [1, 4, 8];

    /// <summary>
    /// The /v1 address of an OpenAI-compatible server to drive instead of the serve the measurement
    /// starts (llama.cpp's llama-server as the anchor): the same clients, prompts and counts; null for LocalQa's own.
    /// </summary>
    public string? ServeEndpoint { get; init; }

    /// <summary>Tokens of the cold time-to-first-token prompt.</summary>
    public int TtftPromptTokens { get; init; } = 1500;

    /// <summary>Tokens at the end of the follow-up prompt that differ from the cold one.</summary>
    public int TtftChangedTokens { get; init; } = 40;

    /// <summary>Turns of the chat measurement.</summary>
    public int ChatTurns { get; init; } = 5;

    /// <summary>Tokens of passages in the chat's first user message.</summary>
    public int ChatFirstTokens { get; init; } = 800;

    /// <summary>Tokens of new passages in each follow-up message.</summary>
    public int ChatFollowUpTokens { get; init; } = 160;

    /// <summary>Tokens generated for each chat answer.</summary>
    public int ChatAnswerTokens { get; init; } = 48;

    /// <summary>Texts embedded per embedding measurement.</summary>
    public int EmbeddingTexts { get; init; } = 64;

    /// <summary>Tokens (by the embedding model's tokenizer) of each embedded text: a short chunk.</summary>
    public int EmbeddingTextTokens { get; init; } = 128;

    /// <summary>Sizes of the generated vector stores searched.</summary>
    public IReadOnlyList<int> DenseSizes { get; init; } = [10_000, 100_000];

    /// <summary>Width of the generated vectors (bge-small's 384).</summary>
    public int Dimensions { get; init; } = 384;

    /// <summary>Queries per latency measurement.</summary>
    public int Queries { get; init; } = 200;

    /// <summary>Hits per query.</summary>
    public int TopK { get; init; } = 10;

    /// <summary>Generated articles ingested (and searched by BM25).</summary>
    public int Articles { get; init; } = 2000;

    /// <summary>Generated articles ingested with embeddings: fewer, since every chunk goes through the model.</summary>
    public int EmbeddedArticles { get; init; } = 100;

    /// <summary>Pages of the generated PDF ingested (a tenth as many are ingested first, to show how memory grows with pages).</summary>
    public int PdfPages { get; init; } = 1000;

    /// <summary>An empty scratch folder for generated articles and indexes (kept afterwards); null makes and removes a temporary one.</summary>
    public string? WorkDirectory { get; init; }

    /// <summary>Throws <see cref="InvalidInputException"/> naming the first option out of range.</summary>
    public void Validate()
    {
        Positive(Repeat, "--repeat");
        Positive(PromptTokens, "--prompt");
        Positive(GenTokens, "--gen");
        Positive(MicroBatch, "--ubatch");
        Positive(BatchedPromptTokens, "batched prompt tokens");
        Positive(BatchedGenTokens, "batched decode steps");
        Positive(TtftPromptTokens, "ttft prompt tokens");
        Positive(ChatFirstTokens, "--chat-prompt");
        Positive(ChatFollowUpTokens, "chat follow-up tokens");
        Positive(ChatAnswerTokens, "chat answer tokens");
        if (ChatTurns < 2) throw new InvalidInputException($"The chat measurement needs at least 2 turns, not {ChatTurns}.");
        Positive(EmbeddingTexts, "--embed-texts");
        Positive(EmbeddingTextTokens, "--embed-tokens");
        Positive(Dimensions, "dimensions");
        Positive(Queries, "--queries");
        Positive(TopK, "top-k");
        Positive(Articles, "--articles");
        Positive(EmbeddedArticles, "--embed-articles");
        Positive(PdfPages, "--pdf-pages");
        if (EmbeddedArticles > Articles) throw new InvalidInputException($"--embed-articles {EmbeddedArticles} is more than the {Articles} generated articles.", "Raise --articles or lower --embed-articles.");
        if (Threads < 0) throw new InvalidInputException($"--threads {Threads} must be 0 (physical cores) or more.");
        if (GpuLayers < -1) throw new InvalidInputException($"--gpu-layers {GpuLayers} must be -1 (all layers), 0 (none) or more.");
        if (BatchThreads < 0) throw new InvalidInputException($"--batch-threads {BatchThreads} must be 0 (same as --threads) or more.");
        if (TtftChangedTokens < 1 || TtftChangedTokens >= TtftPromptTokens)
            throw new InvalidInputException($"The follow-up's {TtftChangedTokens} changed tokens must be at least 1 and fewer than the {TtftPromptTokens}-token prompt.");
        if (Parallel.Count == 0 || Parallel.Any(n => n < 1 || n > BenchArguments.MaxParallel))
            throw new InvalidInputException($"--parallel needs sequence counts from 1 to {BenchArguments.MaxParallel}.");
        if (ServeEndpoint is not null && (!Uri.TryCreate(ServeEndpoint, UriKind.Absolute, out var endpoint) || endpoint.Scheme is not ("http" or "https")))
            throw new InvalidInputException($"--serve-endpoint '{ServeEndpoint}' is not an http(s) URL.", "Give the server's /v1 address, such as http://127.0.0.1:8080/v1.");
        if (ServeClients.Count == 0 || ServeClients.Any(n => n < 1 || n > BenchArguments.MaxParallel))
            throw new InvalidInputException($"--clients needs client counts from 1 to {BenchArguments.MaxParallel}.");
        if (DenseSizes.Count == 0 || DenseSizes.Any(n => n < 1))
            throw new InvalidInputException("Dense search needs at least one store size of 1 vector or more.");
    }

    private static void Positive(int value, string name)
    {
        if (value < 1) throw new InvalidInputException($"{name} {value} must be at least 1.");
    }
}
