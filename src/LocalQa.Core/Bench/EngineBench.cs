using System.Diagnostics;
using LocalQa.Llama;

namespace LocalQa.Core.Bench;

public sealed record EngineBenchOptions
{
    public int PromptTokens { get; init; } = 512;
    public int GenTokens { get; init; } = 128;
    public int Threads { get; init; }
    public int Repeat { get; init; } = 3;
    public int MicroBatch { get; init; } = 512;
    public FlashAttention FlashAttention { get; init; } = FlashAttention.Auto;
}

/// <summary>One measurement: the median of the repeats and their spread.</summary>
public sealed record Rate(double Median, double Min, double Max);

public sealed record EngineBenchResult(
    string Model,
    int Threads,
    int PrefillTokens,
    Rate Prefill,
    int DecodeTokens,
    Rate Decode,
    double LoadSeconds);

/// <summary>
/// Prefill and decode speed measured the way llama.cpp's llama-bench does (pp: one prompt of N
/// tokens in batches; tg: N single-token decodes; no sampling cost), so the two are comparable.
/// </summary>
public static class EngineBench
{
    public static EngineBenchResult Run(string modelPath, EngineBenchOptions options, Action<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (options.PromptTokens < 1) throw new InvalidInputException($"--prompt {options.PromptTokens} must be at least 1.");
        if (options.GenTokens < 1) throw new InvalidInputException($"--gen {options.GenTokens} must be at least 1.");
        if (options.Repeat < 1) throw new InvalidInputException($"--repeat {options.Repeat} must be at least 1.");
        var threads = options.Threads > 0 ? options.Threads : LlamaContext.DefaultThreads();
        var sw = Stopwatch.StartNew();
        using var model = LlamaModel.Load(modelPath);
        var load = sw.Elapsed.TotalSeconds;
        var ctxSize = options.PromptTokens + options.GenTokens + 16;
        if (ctxSize > model.TrainingContextLength)
            throw new InvalidInputException($"--prompt {options.PromptTokens} plus --gen {options.GenTokens} exceed the model's context ({model.TrainingContextLength}).");
        using var ctx = LlamaContext.Create(model, new LlamaContextOptions
        {
            ContextSize = ctxSize,
            BatchSize = Math.Max(options.PromptTokens, 1),
            MicroBatchSize = Math.Min(options.MicroBatch, options.PromptTokens),
            Threads = threads,
            FlashAttention = options.FlashAttention,
        });
        using var batch = new LlamaBatch(ctx.BatchSize);
        var tokens = SyntheticTokens(model, options.PromptTokens + options.GenTokens);

        // One untimed round warms caches and lets llama.cpp repack weights.
        Prefill(ctx, batch, tokens.AsSpan(0, Math.Min(16, options.PromptTokens)), ct);
        var pp = new List<double>();
        var tg = new List<double>();
        for (var r = 0; r < options.Repeat; r++)
        {
            ct.ThrowIfCancellationRequested();
            ctx.ClearMemory();
            sw.Restart();
            Prefill(ctx, batch, tokens.AsSpan(0, options.PromptTokens), ct);
            pp.Add(options.PromptTokens / sw.Elapsed.TotalSeconds);

            ctx.ClearMemory();
            sw.Restart();
            for (var i = 0; i < options.GenTokens; i++)
            {
                batch.Clear();
                batch.Add(tokens[options.PromptTokens + i], i, 0, output: true);
                ctx.Decode(batch, ct);
            }
            tg.Add(options.GenTokens / sw.Elapsed.TotalSeconds);
            progress?.Invoke($"run {r + 1}/{options.Repeat}: prefill {pp[^1]:F1} t/s, decode {tg[^1]:F1} t/s");
        }
        return new EngineBenchResult(modelPath, threads, options.PromptTokens, Summarize(pp), options.GenTokens, Summarize(tg), load);
    }

    private static void Prefill(LlamaContext ctx, LlamaBatch batch, ReadOnlySpan<int> tokens, CancellationToken ct)
    {
        for (var start = 0; start < tokens.Length; start += ctx.BatchSize)
        {
            batch.Clear();
            var n = Math.Min(ctx.BatchSize, tokens.Length - start);
            batch.AddRange(tokens.Slice(start, n), start, 0, outputLast: start + n == tokens.Length);
            ctx.Decode(batch, ct);
        }
    }

    /// <summary>Deterministic ordinary (non-control) tokens: speed does not depend on which.</summary>
    internal static int[] SyntheticTokens(LlamaModel model, int count)
    {
        var result = new int[count];
        var x = 0x9E3779B9u;
        var i = 0;
        var guard = 0;
        while (i < count)
        {
            x ^= x << 13; x ^= x >> 17; x ^= x << 5;
            var t = (int)(x % (uint)model.VocabSize);
            if ((!model.IsControl(t) && !model.IsEndOfGeneration(t)) || ++guard > count * 100) result[i++] = t;
        }
        return result;
    }

    public static Rate Summarize(IReadOnlyList<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Order().ToArray();
        var median = sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
        return new Rate(median, sorted[0], sorted[^1]);
    }
}
