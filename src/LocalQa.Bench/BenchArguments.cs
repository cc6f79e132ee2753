using System.Globalization;
using LocalQa.Core;
using LocalQa.Llama;

namespace LocalQa.Bench;

/// <summary>The parts of <c>localqa bench</c> that can be run on their own (<c>--only</c>).</summary>
[Flags]
public enum BenchSections
{
    None = 0,

    /// <summary>Prompt processing: one prompt of N tokens (llama-bench pp).</summary>
    Prefill = 1,

    /// <summary>Single-token decode steps (llama-bench tg).</summary>
    Decode = 2,

    /// <summary>Aggregate decode with N sequences per batch (llama-batched-bench).</summary>
    Batched = 4,

    /// <summary>Embedding texts in one batch versus one at a time.</summary>
    Embedding = 8,

    /// <summary>Dense top-k search and BM25 query latency.</summary>
    Retrieval = 16,

    /// <summary>Time to first token, cold and with a shared prefix.</summary>
    Ttft = 32,

    /// <summary>Loading, chunking and indexing generated articles.</summary>
    Ingest = 64,

    /// <summary>A five-turn conversation: time to first token of each turn, warm and cold, and tokens evaluated.</summary>
    Chat = 128,

    /// <summary>Ingesting a long generated PDF: pages per second and peak memory.</summary>
    Pdf = 256,

    /// <summary>Concurrent streaming clients of <c>localqa serve</c> over loopback: aggregate decode and time to first token.</summary>
    Serve = 512,

    /// <summary>The sections that need a generative model.</summary>
    NeedsModel = Prefill | Decode | Batched | Ttft | Chat | Serve,

    All = Prefill | Decode | Batched | Embedding | Retrieval | Ttft | Chat | Ingest | Pdf | Serve,
}

/// <summary>Parses the list-valued options of <c>localqa bench</c>; every mistake is an <see cref="InvalidInputException"/> naming the value.</summary>
public static class BenchArguments
{
    /// <summary>Most sequences one batch may hold in these benchmarks (llama.cpp's own limit is 256).</summary>
    public const int MaxParallel = 64;

    private static readonly Dictionary<string, BenchSections> SectionNames = new(StringComparer.OrdinalIgnoreCase)
    {
        ["prefill"] = BenchSections.Prefill,
        ["decode"] = BenchSections.Decode,
        ["batched"] = BenchSections.Batched,
        ["embedding"] = BenchSections.Embedding,
        ["retrieval"] = BenchSections.Retrieval,
        ["ttft"] = BenchSections.Ttft,
        ["chat"] = BenchSections.Chat,
        ["ingest"] = BenchSections.Ingest,
        ["pdf"] = BenchSections.Pdf,
        ["serve"] = BenchSections.Serve,
    };

    /// <summary>The section names <c>--only</c> accepts, in report order.</summary>
    public static IReadOnlyList<string> SectionNamesInOrder { get; } = ["prefill", "decode", "batched", "embedding", "retrieval", "ttft", "chat", "ingest", "pdf", "serve"];

    /// <summary>"1,2,4,8" → [1, 2, 4, 8]: distinct sequence counts in the order given.</summary>
    public static int[] ParseParallel(string? text)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new InvalidInputException("--parallel is empty.", "Give sequence counts separated by commas, for example --parallel 1,2,4,8.");
        var result = new List<int>();
        foreach (var part in text.Split(','))
        {
            var item = part.Trim();
            if (!int.TryParse(item, NumberStyles.None, CultureInfo.InvariantCulture, out var n) || n < 1 || n > MaxParallel)
                throw new InvalidInputException(
                    $"--parallel '{text}' holds '{item}', which is not a sequence count from 1 to {MaxParallel}.",
                    "Give sequence counts separated by commas, for example --parallel 1,2,4,8.");
            if (!result.Contains(n)) result.Add(n);
        }
        return [.. result];
    }

    /// <summary>"prefill,decode" → the sections; null or blank → <see cref="BenchSections.All"/>.</summary>
    public static BenchSections ParseSections(string? text)
    {
        if (text is null) return BenchSections.All;
        var sections = BenchSections.None;
        foreach (var part in text.Split(','))
        {
            var name = part.Trim();
            if (!SectionNames.TryGetValue(name, out var section))
                throw new InvalidInputException($"--only '{text}' names '{name}', which is not a bench section.", $"Use some of: {string.Join(",", SectionNamesInOrder)}.");
            sections |= section;
        }
        return sections;
    }

    /// <summary>"on", "off" or "auto".</summary>
    public static FlashAttention ParseFlashAttention(string? text) => text?.Trim().ToLowerInvariant() switch
    {
        "on" => FlashAttention.On,
        "off" => FlashAttention.Off,
        "auto" or null or "" => FlashAttention.Auto,
        _ => throw new InvalidInputException($"--flash-attn '{text}' is not on, off or auto.", "Use --flash-attn on, off or auto."),
    };

    /// <summary>The names of the sections in <paramref name="sections"/>, in report order.</summary>
    public static string Describe(BenchSections sections) =>
        string.Join(",", SectionNamesInOrder.Where(n => (sections & SectionNames[n]) != 0));
}
