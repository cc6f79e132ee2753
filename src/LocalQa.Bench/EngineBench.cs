using System.Diagnostics;
using LocalQa.Core;
using LocalQa.Llama;

namespace LocalQa.Bench;

/// <summary>Aggregate decode speed with several sequences per batch (llama-batched-bench's S_TG), and their prompt speed (S_PP).</summary>
/// <param name="DecodeTokensPerSecond">Sequences × decode steps / decode time.</param>
/// <param name="PrefillTokensPerSecond">Sequences × prompt tokens / prompt time.</param>
public sealed record BatchedBenchResult(int Sequences, int PromptTokens, int GenTokens, Rate DecodeTokensPerSecond, Rate PrefillTokensPerSecond);

/// <summary>Time to the first token of a long prompt, cold and as a follow-up sharing all but its end.</summary>
/// <param name="ReusedTokens">Prompt tokens of the follow-up whose KV cache was kept (the common prefix).</param>
public sealed record TtftBenchResult(int PromptTokens, int ChangedTokens, int ReusedTokens, Rate ColdMs, Rate FollowUpMs);

/// <summary>
/// Engine speed measured the way llama.cpp's own tools do, so the numbers compare: prefill and decode
/// as llama-bench (pp: one prompt of N tokens in one batch; tg: N single-token decodes from an empty
/// cache; no sampling), batched decode as llama-batched-bench (N prompts, then each step one
/// <c>llama_decode</c> carrying one token of every sequence), and time to first token through
/// <see cref="LlamaGenerator"/> as an application sees it (prefill plus the first sampling).
/// Token ids are arbitrary ordinary tokens: speed does not depend on which.
/// </summary>
public static class EngineBench
{
    /// <summary>llama-bench's pp and tg: tokens per second of prefill and of single-token decode.</summary>
    public static (Rate? Prefill, Rate? Decode) MeasurePrefillDecode(LlamaModel model, BenchOptions options, bool prefill, bool decode,
        Action<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var ctxSize = Math.Max(16, options.PromptTokens + options.GenTokens + 16);
        if (ctxSize > model.TrainingContextLength)
            throw new InvalidInputException($"--prompt {options.PromptTokens} plus --gen {options.GenTokens} exceed the context of '{Path.GetFileName(model.Path)}' ({model.TrainingContextLength} tokens).", "Use a smaller --prompt or --gen.");
        using var ctx = LlamaContext.Create(model, ContextOptions(options, ctxSize, batch: Math.Max(options.PromptTokens, 1)));
        using var batch = new LlamaBatch(ctx.BatchSize);
        var tokens = SyntheticTokens(model, options.PromptTokens + options.GenTokens);

        // One untimed round warms caches and lets llama.cpp repack weights.
        Prefill(ctx, batch, tokens.AsSpan(0, Math.Min(16, options.PromptTokens)), 0, ct);
        var pp = new List<double>();
        var tg = new List<double>();
        var sw = new Stopwatch();
        for (var r = 0; r < options.Repeat; r++)
        {
            ct.ThrowIfCancellationRequested();
            if (prefill)
            {
                ctx.ClearMemory();
                sw.Restart();
                Prefill(ctx, batch, tokens.AsSpan(0, options.PromptTokens), 0, ct);
                pp.Add(options.PromptTokens / sw.Elapsed.TotalSeconds);
            }
            if (decode)
            {
                ctx.ClearMemory();
                sw.Restart();
                for (var i = 0; i < options.GenTokens; i++)
                {
                    batch.Clear();
                    batch.Add(tokens[options.PromptTokens + i], i, 0, output: true);
                    ctx.Decode(batch, ct);
                }
                tg.Add(options.GenTokens / sw.Elapsed.TotalSeconds);
            }
            progress?.Invoke($"run {r + 1}/{options.Repeat}:" + (prefill ? $" prefill {pp[^1]:F1} t/s" : "") + (decode ? $" decode {tg[^1]:F1} t/s" : ""));
        }
        return (prefill ? BenchStatistics.Summarize(pp) : null, decode ? BenchStatistics.Summarize(tg) : null);
    }

    /// <summary>
    /// llama-batched-bench without a shared prompt: for each count N, N sequences each get a prompt
    /// (all in one batch), then every decode step carries one token of each sequence in one
    /// <c>llama_decode</c>. One context serves every N, sized for the largest.
    /// </summary>
    public static IReadOnlyList<BatchedBenchResult> MeasureBatched(LlamaModel model, BenchOptions options,
        Action<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var npp = options.BatchedPromptTokens;
        var ntg = options.BatchedGenTokens;
        var maxN = options.Parallel.Max();
        var perSequence = npp + ntg;
        var ctxSize = Math.Max(16, maxN * perSequence);
        if (ctxSize > model.TrainingContextLength)
        {
            var fits = Math.Max(1, model.TrainingContextLength / perSequence);
            throw new InvalidInputException(
                $"--parallel {maxN} needs a context of {ctxSize} tokens ({maxN} sequences of {npp} prompt + {ntg} generated tokens), more than '{Path.GetFileName(model.Path)}' holds ({model.TrainingContextLength}).",
                $"Use --parallel counts up to {fits}.");
        }
        using var ctx = LlamaContext.Create(model, ContextOptions(options, ctxSize, batch: maxN * npp) with { Sequences = maxN });
        if (ctx.SequenceContextSize < perSequence)
            throw new InvalidOperationException($"llama.cpp gave each sequence {ctx.SequenceContextSize} positions; {perSequence} are needed.");
        using var batch = new LlamaBatch(ctx.BatchSize);
        var tokens = SyntheticTokens(model, maxN * perSequence);

        Prefill(ctx, batch, tokens.AsSpan(0, Math.Min(16, npp)), 0, ct);
        var results = new List<BatchedBenchResult>();
        var sw = new Stopwatch();
        foreach (var n in options.Parallel)
        {
            var tg = new List<double>();
            var pp = new List<double>();
            for (var r = 0; r < options.Repeat; r++)
            {
                ct.ThrowIfCancellationRequested();
                ctx.ClearMemory();
                batch.Clear();
                sw.Restart();
                for (var s = 0; s < n; s++)
                {
                    for (var i = 0; i < npp; i++)
                    {
                        if (batch.Count == batch.Capacity) DecodeAndClear(ctx, batch, ct);
                        batch.Add(tokens[s * perSequence + i], i, s, output: i == npp - 1);
                    }
                }
                DecodeAndClear(ctx, batch, ct);
                pp.Add(n * npp / sw.Elapsed.TotalSeconds);

                sw.Restart();
                for (var step = 0; step < ntg; step++)
                {
                    batch.Clear();
                    for (var s = 0; s < n; s++) batch.Add(tokens[s * perSequence + npp + step], npp + step, s, output: true);
                    ctx.Decode(batch, ct);
                }
                tg.Add(n * ntg / sw.Elapsed.TotalSeconds);
            }
            var result = new BatchedBenchResult(n, npp, ntg, BenchStatistics.Summarize(tg), BenchStatistics.Summarize(pp));
            results.Add(result);
            progress?.Invoke($"batched {n}: decode {result.DecodeTokensPerSecond.Median:F1} t/s aggregate, prompt {result.PrefillTokensPerSecond.Median:F1} t/s");
        }
        ctx.ClearMemory();
        return results;
    }

    /// <summary>
    /// Time to first token through <see cref="LlamaGenerator"/>: cold is a fresh generator on an empty
    /// cache evaluating the whole prompt; the follow-up is the same generator given the prompt with its
    /// last tokens changed, so only those are evaluated (the longest common prefix stays cached).
    /// </summary>
    public static TtftBenchResult MeasureTtft(LlamaModel model, BenchOptions options, Action<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var n = options.TtftPromptTokens;
        var changed = options.TtftChangedTokens;
        var ctxSize = Math.Max(16, n + 16);
        if (ctxSize > model.TrainingContextLength)
            throw new InvalidInputException($"A {n}-token time-to-first-token prompt does not fit the context of '{Path.GetFileName(model.Path)}' ({model.TrainingContextLength} tokens).", "Use a model with a longer context or a shorter prompt.");
        using var ctx = LlamaContext.Create(model, ContextOptions(options, ctxSize, batch: new LlamaContextOptions().BatchSize));
        var pool = SyntheticTokens(model, n + changed * (options.Repeat + 1));
        var cold = pool[..n];
        var keep = n - changed;
        var once = new GenerationOptions { MaxTokens = 1 };

        using (var warm = new LlamaGenerator(ctx))
        {
            foreach (var _ in warm.GenerateTokens(cold[..Math.Min(16, n)], once, ct)) { }
        }
        var coldMs = new List<double>();
        var followMs = new List<double>();
        var reused = 0;
        for (var r = 0; r < options.Repeat; r++)
        {
            ct.ThrowIfCancellationRequested();
            ctx.ClearMemory();
            using var generator = new LlamaGenerator(ctx);
            foreach (var _ in generator.GenerateTokens(cold, once, ct)) { }
            coldMs.Add(generator.LastStats!.FirstTokenMs);

            var followUp = new int[n];
            cold.AsSpan(0, keep).CopyTo(followUp);
            pool.AsSpan(n + r * changed, changed).CopyTo(followUp.AsSpan(keep));
            foreach (var _ in generator.GenerateTokens(followUp, once, ct)) { }
            followMs.Add(generator.LastStats!.FirstTokenMs);
            reused = generator.LastStats.ReusedTokens;
            progress?.Invoke($"ttft run {r + 1}/{options.Repeat}: cold {coldMs[^1]:F0} ms, follow-up {followMs[^1]:F0} ms ({reused} tokens reused)");
        }
        ctx.ClearMemory();
        return new TtftBenchResult(n, changed, reused, BenchStatistics.Summarize(coldMs), BenchStatistics.Summarize(followMs));
    }

    /// <summary>The median and spread of repeated measurements (kept for the first cut's callers).</summary>

    internal static int ResolveThreads(BenchOptions options) => options.Threads > 0 ? options.Threads : LlamaContext.DefaultThreads();

    internal static int ResolveBatchThreads(BenchOptions options) => options.BatchThreads > 0 ? options.BatchThreads : ResolveThreads(options);

    internal static LlamaContextOptions ContextOptions(BenchOptions options, int contextSize, int batch)
    {
        var batchSize = Math.Clamp(batch, 1, contextSize);
        return new LlamaContextOptions
        {
            ContextSize = contextSize,
            BatchSize = batchSize,
            MicroBatchSize = Math.Min(options.MicroBatch, batchSize),
            Threads = ResolveThreads(options),
            BatchThreads = ResolveBatchThreads(options),
            FlashAttention = options.FlashAttention,
        };
    }

    private static void Prefill(LlamaContext ctx, LlamaBatch batch, ReadOnlySpan<int> tokens, int sequence, CancellationToken ct)
    {
        for (var start = 0; start < tokens.Length; start += ctx.BatchSize)
        {
            batch.Clear();
            var n = Math.Min(ctx.BatchSize, tokens.Length - start);
            batch.AddRange(tokens.Slice(start, n), start, sequence, outputLast: start + n == tokens.Length);
            ctx.Decode(batch, ct);
        }
    }

    private static void DecodeAndClear(LlamaContext ctx, LlamaBatch batch, CancellationToken ct)
    {
        if (batch.Count == 0) return;
        ctx.Decode(batch, ct);
        batch.Clear();
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
}
