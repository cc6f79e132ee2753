using System.Numerics.Tensors;
using System.Text;

namespace LocalQa.Llama.Tests.Engine;

public sealed class EngineTests(TinyModelFixture fixture) : IClassFixture<TinyModelFixture>
{
    private readonly LlamaModel _model = fixture.Model;

    private LlamaContext NewContext(int ctx = 512, int sequences = 1, int batch = 512, int ubatch = 512, FlashAttention fa = FlashAttention.Auto, KvCacheType kv = KvCacheType.F16) =>
        LlamaContext.Create(_model, new LlamaContextOptions { ContextSize = ctx, Sequences = sequences, BatchSize = batch, MicroBatchSize = ubatch, Threads = 2, FlashAttention = fa, KvCache = kv });

    private int[] Prompt(string text) => _model.Tokenize(text);

    [Theory]
    [InlineData("plain ASCII text, with punctuation!")]
    [InlineData("Crème brûlée à la française, naïve façade")]
    [InlineData("日本語のテキストと中文")]
    [InlineData("emoji 🙂🚀 and a ZWJ family 👨‍👩‍👧")]
    public void Tokenize_then_detokenize_round_trips(string text)
    {
        var tokens = _model.Tokenize(text, addSpecial: false);
        Assert.NotEmpty(tokens);
        Assert.Equal(text, _model.Detokenize(tokens));
    }

    [Theory]
    [InlineData("plain ASCII text, with punctuation!")]
    [InlineData("日本語のテキストと中文")]
    [InlineData("")]
    public void CountTokens_agrees_with_Tokenize(string text) =>
        Assert.Equal(_model.Tokenize(text, addSpecial: false).Length, _model.CountTokens(text));

    [Fact]
    public void CountTokens_of_text_denser_than_its_first_guess_counts_every_token()
    {
        // Single characters between spaces make more tokens than a third of the bytes: the retry path.
        var text = string.Join(' ', Enumerable.Repeat("x", 5_000)) + " 🙂🚀🙂🚀";
        var expected = _model.Tokenize(text, addSpecial: false).Length;
        Assert.True(expected > Encoding.UTF8.GetByteCount(text) / 3 + 8, $"{expected} tokens do not exceed the first guess");
        Assert.Equal(expected, _model.CountTokens(text));
    }

    [Fact]
    public void CountTokens_allocates_nothing_once_warm()
    {
        const string text = "The keeper counted forty boats in the harbour at dusk, and the tide turned at nine.";
        // Warm past the tiered JIT's call counting (30 calls, then a background recompile): a single
        // warm-up call left the measured loop running while tiering was still installing, which
        // showed up as ~70 bytes a call in one full-suite run and never alone.
        for (var i = 0; i < 500; i++) _model.CountTokens(text);
        var before = GC.GetAllocatedBytesForCurrentThread();
        var total = 0;
        for (var i = 0; i < 100; i++) total += _model.CountTokens(text);
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        Assert.True(total > 0);
    }

    [Fact]
    public void A_decode_step_allocates_nothing_once_warm()
    {
        // The hot loop of generation: one token in, its logits sampled. LLamaSharp's handles sit under
        // it (logits span, sampler chain), so this also pins that they allocate nothing per token.
        using var ctx = NewContext();
        using var batch = new LlamaBatch(ctx.BatchSize);
        using var sampler = new LlamaSampler(_model);
        var prompt = Prompt("The keeper counted the boats.");
        batch.AddRange(prompt, 0, 0, outputLast: true);
        ctx.Decode(batch);
        var token = sampler.Sample(ctx, batch.Count - 1);
        var pos = prompt.Length;
        void Step()
        {
            batch.Clear();
            batch.Add(token, pos++, 0, output: true);
            ctx.Decode(batch);
            token = sampler.Sample(ctx, 0);
        }
        Step();
        var before = GC.GetAllocatedBytesForCurrentThread();
        for (var i = 0; i < 20; i++) Step();
        Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
    }

    [Fact]
    public void Streaming_decoder_emits_whole_characters_across_tokens()
    {
        const string text = "😀 €100 日本";
        var tokens = _model.Tokenize(text, addSpecial: false);
        var decoder = new TokenTextDecoder(_model);
        var pieces = new List<string>();
        foreach (var t in tokens) pieces.Add(new string(decoder.Append(t)));
        pieces.Add(new string(decoder.Flush()));
        Assert.DoesNotContain(pieces, p => p.Contains('\uFFFD', StringComparison.Ordinal));
        // SentencePiece pieces carry the word-start space that detokenization drops at the very start.
        Assert.Equal(_model.Detokenize(tokens), string.Concat(pieces).TrimStart(' '));
    }

    [Fact]
    public void Greedy_generation_is_identical_across_runs_and_contexts()
    {
        var prompt = Prompt("Once upon a time there was a dog");
        var opts = new GenerationOptions { MaxTokens = 20 };
        int[] Run()
        {
            using var ctx = NewContext();
            using var gen = new LlamaGenerator(ctx);
            var first = gen.GenerateTokens(prompt, opts).ToArray();
            gen.Reset();
            var second = gen.GenerateTokens(prompt, opts).ToArray();
            Assert.Equal(first, second);
            return first;
        }
        var a = Run();
        var b = Run();
        Assert.Equal(20, a.Length);
        Assert.Equal(a, b);
    }

    private static float[] LastLogits(LlamaContext ctx, int[] prompt, bool oneByOne)
    {
        using var batch = new LlamaBatch(ctx.BatchSize);
        var row = -1;
        if (oneByOne)
        {
            for (var i = 0; i < prompt.Length; i++)
            {
                batch.Clear();
                row = batch.Add(prompt[i], i, 0, output: i == prompt.Length - 1);
                ctx.Decode(batch);
            }
        }
        else
        {
            batch.AddRange(prompt, 0, 0, outputLast: true);
            row = batch.Count - 1;
            ctx.Decode(batch);
        }
        return ctx.GetLogits(row).ToArray();
    }

    private static float RelativeError(float[] a, float[] b)
    {
        var diff = new float[a.Length];
        TensorPrimitives.Subtract(a, b, diff);
        return TensorPrimitives.Norm(diff) / TensorPrimitives.Norm(a);
    }

    [Fact]
    public void One_batch_and_token_by_token_and_two_micro_batch_sizes_give_the_same_logits()
    {
        // Exact equivalence is a property of the arithmetic path: flash attention and an F16 KV cache
        // round through half precision (measured ~2e-4 relative here), so this compares the F32 path.
        var prompt = Prompt("The little girl went to the park and saw a big red ball under the tree.");
        float[] whole, single, small;
        using (var ctx = NewContext(fa: FlashAttention.Off, kv: KvCacheType.F32)) whole = LastLogits(ctx, prompt, oneByOne: false);
        using (var ctx = NewContext(fa: FlashAttention.Off, kv: KvCacheType.F32)) single = LastLogits(ctx, prompt, oneByOne: true);
        using (var ctx = NewContext(ubatch: 4, fa: FlashAttention.Off, kv: KvCacheType.F32)) small = LastLogits(ctx, prompt, oneByOne: false);
        Assert.True(RelativeError(whole, single) < 1e-4, $"batch vs token-by-token: {RelativeError(whole, single)}");
        Assert.True(RelativeError(whole, small) < 1e-4, $"micro-batch 512 vs 4: {RelativeError(whole, small)}");
    }

    [Fact]
    public void Batched_generation_of_four_prompts_equals_four_sequential_runs()
    {
        string[] texts = ["Once upon a time", "The cat sat on", "Lily wanted to play with", "One day, a big"];
        var prompts = texts.Select(Prompt).ToArray();
        var opts = new GenerationOptions { MaxTokens = 16 };
        var sequential = new List<int[]>();
        using (var ctx = NewContext())
        using (var gen = new LlamaGenerator(ctx))
        {
            foreach (var p in prompts)
            {
                gen.Reset();
                sequential.Add(gen.GenerateTokens(p, opts).ToArray());
            }
        }
        using var bctx = NewContext(ctx: 1024, sequences: 4);
        using var batched = new BatchedGenerator(bctx);
        var results = batched.Generate(prompts, opts);
        Assert.Equal(4, batched.LastPeakParallel);
        for (var i = 0; i < prompts.Length; i++)
            Assert.Equal(sequential[i], results[i].Tokens);
        Assert.Contains(results, r => !r.Tokens.SequenceEqual(results[0].Tokens));
    }

    [Fact]
    public void Continuous_batching_refills_a_finished_slot_and_keeps_results_in_order()
    {
        var prompts = Enumerable.Range(0, 5).Select(i => Prompt($"Story number {i}: once upon a time")).ToArray();
        var opts = new GenerationOptions { MaxTokens = 8 };
        using var ctx = NewContext(ctx: 1024, sequences: 2);
        using var batched = new BatchedGenerator(ctx);
        var done = new List<int>();
        var results = batched.Generate(prompts, opts, r => done.Add(r.Index));
        Assert.Equal(5, results.Count);
        Assert.Equal([0, 1, 2, 3, 4], results.Select(r => r.Index));
        Assert.Equal(5, done.Count);
        Assert.All(results, r => Assert.Equal(8, r.Tokens.Length));
        // 5 prompts of 8 tokens on 2 slots: well under 5 * (1 prefill + 7 steps) decodes when slots overlap.
        Assert.True(batched.LastDecodeCalls < 5 * 8, $"{batched.LastDecodeCalls} decodes");
    }

    [Fact]
    public void Copying_a_prompts_kv_to_another_sequence_continues_like_a_fresh_evaluation()
    {
        var prompt = Prompt("Tom had a small boat and a big");
        var next = Prompt(" red")[^1];
        using var ctx = NewContext(sequences: 2);
        using var batch = new LlamaBatch(ctx.BatchSize);
        batch.AddRange(prompt, 0, 0, outputLast: true);
        ctx.Decode(batch);
        ctx.CopySequence(0, 1);
        batch.Clear();
        var row = batch.Add(next, prompt.Length, 1, output: true);
        ctx.Decode(batch);
        var copied = ctx.GetLogits(row).ToArray();

        using var fresh = NewContext(sequences: 2);
        batch.Clear();
        batch.AddRange([.. prompt, next], 0, 1, outputLast: true);
        fresh.Decode(batch);
        var direct = fresh.GetLogits(batch.Count - 1).ToArray();
        Assert.True(RelativeError(direct, copied) < 1e-4, $"relative error {RelativeError(direct, copied)}");
    }

    [Fact]
    public void Follow_up_reuses_the_common_prefix_and_gives_the_same_greedy_answer_as_cold()
    {
        var first = Prompt("Once upon a time there was a little girl. She liked the park.");
        var second = Prompt("Once upon a time there was a little girl. She liked the sea.");
        var opts = new GenerationOptions { MaxTokens = 12 };
        using var ctx = NewContext();
        using var gen = new LlamaGenerator(ctx);
        _ = gen.GenerateTokens(first, opts).ToArray();
        var warm = gen.GenerateTokens(second, opts).ToArray();
        var stats = gen.LastStats!;
        Assert.True(stats.ReusedTokens > second.Length / 2, $"reused {stats.ReusedTokens} of {second.Length}");

        using var cold = NewContext();
        using var coldGen = new LlamaGenerator(cold);
        var expected = coldGen.GenerateTokens(second, opts).ToArray();
        Assert.Equal(0, coldGen.LastStats!.ReusedTokens);
        Assert.Equal(expected, warm);
    }

    [Fact]
    public void Sixteen_texts_embedded_in_one_batch_equal_one_at_a_time_and_have_unit_norm()
    {
        var texts = Enumerable.Range(0, 16).Select(i => $"Text number {i} is about {(i % 2 == 0 ? "cats and dogs" : "boats on the sea")} and more.").ToArray();
        using var embedder = new LlamaEmbedder(_model, new EmbedderOptions { MaxSequences = 16, Threads = 2 });
        var batched = embedder.Embed(texts);
        Assert.Equal(1, embedder.DecodeCalls);
        for (var i = 0; i < texts.Length; i++)
        {
            var single = embedder.Embed([texts[i]])[0];
            Assert.Equal(embedder.Dimensions, single.Length);
            Assert.InRange(TensorPrimitives.Norm(batched[i]), 0.999f, 1.001f);
            Assert.True(TensorPrimitives.CosineSimilarity(single, batched[i]) > 0.9999f, $"text {i}");
        }
        Assert.True(TensorPrimitives.CosineSimilarity(batched[0], batched[1]) < 0.9999f);
    }

    [Fact]
    public async Task Cancelling_a_generation_stops_it_within_one_decode_step()
    {
        using var ctx = NewContext();
        using var gen = new LlamaGenerator(ctx);
        using var cts = new CancellationTokenSource();
        var pieces = 0;
        await Assert.ThrowsAnyAsync<OperationCanceledException>(async () =>
        {
            await foreach (var _ in gen.GenerateAsync(Prompt("Once upon a time"), new GenerationOptions { MaxTokens = 200 }, cts.Token))
            {
                if (++pieces == 3) cts.Cancel();
            }
        });
        Assert.InRange(pieces, 3, 4);
        Assert.Equal(StopReason.Cancelled, gen.LastStats!.StopReason);
        // The context stays usable and consistent after the abort.
        Assert.Equal(gen.CachedTokens.Count - 1, ctx.LastPosition(0));
        Assert.NotEmpty(gen.GenerateTokens(Prompt("Once upon a time"), new GenerationOptions { MaxTokens = 2 }).ToArray());
    }

    [Fact]
    public void Stop_strings_end_generation_and_are_not_emitted()
    {
        using var ctx = NewContext();
        using var gen = new LlamaGenerator(ctx);
        var full = string.Concat(gen.Generate(Prompt("Once upon a time"), new GenerationOptions { MaxTokens = 30 }));
        var stop = full.Substring(10, 4);
        gen.Reset();
        var cut = string.Concat(gen.Generate(Prompt("Once upon a time"), new GenerationOptions { MaxTokens = 30, StopStrings = [stop] }));
        Assert.Equal(full[..full.IndexOf(stop, StringComparison.Ordinal)], cut);
        Assert.Equal(StopReason.StopString, gen.LastStats!.StopReason);
    }
}

/// <summary>
/// LLamaSharp's own Decode holds one lock for the whole process; LocalQa calls llama_decode itself
/// so that two clients on two contexts never wait for each other.
/// </summary>
public sealed class ConcurrentDecodeTests(TinyModelFixture fixture) : IClassFixture<TinyModelFixture>
{
    [Fact]
    public void A_second_context_decodes_while_the_first_is_inside_llama_decode()
    {
        var model = fixture.Model;
        var options = new LlamaContextOptions { ContextSize = 256, BatchSize = 256, MicroBatchSize = 256, Threads = 1 };
        using var first = LlamaContext.Create(model, options);
        using var second = LlamaContext.Create(model, options);
        using var firstBatch = new LlamaBatch(first.BatchSize);
        using var secondBatch = new LlamaBatch(second.BatchSize);
        firstBatch.AddRange(model.Tokenize("The keeper counted the boats in the harbour at dusk."), 0, 0, outputLast: true);
        secondBatch.AddRange(model.Tokenize("The tide turned at nine."), 0, 0, outputLast: true);

        using var firstInside = new ManualResetEventSlim();
        using var secondDone = new ManualResetEventSlim();
        var secondFinishedWhileFirstInside = false;
        var held = 0;
        // Hold the first decode inside native code (between two graph nodes) until the second has
        // finished. Under a process-wide lock the second could not start: the wait would time out
        // (a safety net against a hang, not a speed threshold) and the flag stays false.
        first.DuringDecode = () =>
        {
            if (Interlocked.Exchange(ref held, 1) != 0) return;
            firstInside.Set();
            secondFinishedWhileFirstInside = secondDone.Wait(TimeSpan.FromMinutes(2));
        };
        var firstThread = new Thread(() => first.Decode(firstBatch));
        firstThread.Start();

        Assert.True(firstInside.Wait(TimeSpan.FromMinutes(2)), "The first decode never reached llama.cpp's compute loop.");
        var secondThread = new Thread(() => second.Decode(secondBatch));
        secondThread.Start();
        var finished = secondThread.Join(TimeSpan.FromMinutes(2));
        if (finished) secondDone.Set();
        firstThread.Join();
        secondThread.Join();

        Assert.True(finished && secondFinishedWhileFirstInside, "The second context's decode waited for the first: decoding is serialized.");
        Assert.Equal(model.VocabSize, second.GetLogits(secondBatch.Count - 1).Length);
        Assert.Equal(model.VocabSize, first.GetLogits(firstBatch.Count - 1).Length);
    }
}
