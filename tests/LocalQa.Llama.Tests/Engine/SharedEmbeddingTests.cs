using System.Numerics.Tensors;
using Microsoft.Extensions.AI;

namespace LocalQa.Llama.Tests.Engine;

/// <summary>
/// Embedding calls that arrive while a batch is being decoded go together into the next one, and
/// each still gets exactly its own vectors. The test holds the first run with the generator's hook
/// until the others have queued: no clock decides who goes with whom.
/// </summary>
public sealed class SharedEmbeddingTests : IDisposable
{
    private readonly LlamaModel _model = LlamaModel.Load(TestModelFiles.TinyEmbedding());

    public void Dispose() => _model.Dispose();

    [Fact]
    public async Task Calls_that_wait_share_the_next_run_and_each_gets_its_own_vectors()
    {
        string[][] inputs = [["the harbour at dusk"], ["a lighthouse keeper", "forty boats"], ["tides and moons", "salt", "a quiet pier"]];
        using var generator = new LlamaEmbeddingGenerator(_model, new EmbedderOptions { Threads = 2 });
        var alone = new List<float[][]>();
        foreach (var texts in inputs)
            alone.Add([.. (await generator.GenerateAsync(texts, cancellationToken: TestContext.Current.CancellationToken)).Select(e => e.Vector.ToArray())]);

        var queued = 0;
        using var othersQueued = new ManualResetEventSlim();
        generator.OnQueued = () => { if (Interlocked.Increment(ref queued) == inputs.Length) othersQueued.Set(); };
        var runs = new List<int>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        generator.BeforeRun = calls =>
        {
            lock (runs) runs.Add(calls);
            // The first run waits until the other two calls are queued behind it.
            if (started.TrySetResult()) othersQueued.Wait(TestContext.Current.CancellationToken);
        };
        var first = generator.GenerateAsync(inputs[0], cancellationToken: TestContext.Current.CancellationToken);
        await started.Task.WaitAsync(TestContext.Current.CancellationToken);
        var rest = inputs.Skip(1).Select(t => generator.GenerateAsync(t, cancellationToken: TestContext.Current.CancellationToken)).ToArray();
        var together = await Task.WhenAll([first, .. rest]);

        Assert.Equal([1, 2], runs);
        for (var i = 0; i < inputs.Length; i++)
        {
            Assert.Equal(inputs[i].Length, together[i].Count);
            for (var k = 0; k < inputs[i].Length; k++)
            {
                // Rows decoded beside others round a little differently; another text's vector would be far off.
                var cosine = TensorPrimitives.CosineSimilarity(alone[i][k], together[i][k].Vector.Span);
                Assert.True(cosine > 0.9999f, $"call {i}, text {k}: cosine {cosine}");
            }
        }
    }

    [Fact]
    public async Task A_caller_that_gives_up_while_waiting_is_left_out_and_the_others_are_served()
    {
        using var generator = new LlamaEmbeddingGenerator(_model, new EmbedderOptions { Threads = 2 });
        using var giveUp = new CancellationTokenSource();
        var queued = 0;
        using var bothQueued = new ManualResetEventSlim();
        generator.OnQueued = () => { if (Interlocked.Increment(ref queued) == 3) bothQueued.Set(); };
        var runs = new List<int>();
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        generator.BeforeRun = calls =>
        {
            lock (runs) runs.Add(calls);
            if (started.TrySetResult())
            {
                bothQueued.Wait(TestContext.Current.CancellationToken);
                giveUp.Cancel();
            }
        };
        var first = generator.GenerateAsync(["one"], cancellationToken: TestContext.Current.CancellationToken);
        await started.Task.WaitAsync(TestContext.Current.CancellationToken);
        var gone = generator.GenerateAsync(["two"], cancellationToken: giveUp.Token);
        var kept = generator.GenerateAsync(["three"], cancellationToken: TestContext.Current.CancellationToken);
        Assert.Single(await first);
        Assert.Single(await kept);
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => gone);
        // The second run held only the caller that stayed.
        Assert.Equal([1, 1], runs);
    }
}
