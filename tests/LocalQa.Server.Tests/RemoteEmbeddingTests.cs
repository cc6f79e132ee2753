using System.Collections.Concurrent;
using System.Text.Json;
using LocalQa.Hosting;
using LocalQa.Hosting.Configuration;
using LocalQa.Hosting.Remote;
using Microsoft.Extensions.AI;

namespace LocalQa.Server.Tests;

/// <summary>
/// A remote embedder sends the texts of one call as <c>concurrency</c> requests at once, each an
/// array of consecutive texts, and puts the vectors back in the texts' order. The loopback engine
/// holds every request until that many are in flight together: the test waits on that, not a time.
/// </summary>
public sealed class RemoteEmbeddingTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("localqa-remote-embed-").FullName;

    private static float[] VectorOf(string text) => [text.Length, text.Count(char.IsDigit) + 1f, 1f];

    [Fact]
    public async Task The_texts_of_one_call_go_out_as_concurrent_array_requests_and_come_back_in_order()
    {
        const int Concurrency = 4;
        var ct = TestContext.Current.CancellationToken;
        var inFlight = 0;
        var most = 0;
        var together = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var arrays = new ConcurrentQueue<int>();
        await using var engine = await FakeEngine.StartAsync(async c =>
        {
            using var body = await JsonDocument.ParseAsync(c.Request.Body, cancellationToken: ct);
            var input = body.RootElement.GetProperty("input");
            Assert.Equal(JsonValueKind.Array, input.ValueKind);
            var texts = input.EnumerateArray().Select(i => i.GetString()!).ToArray();
            arrays.Enqueue(texts.Length);
            var now = Interlocked.Increment(ref inFlight);
            InterlockedMax(ref most, now);
            if (now == Concurrency) together.TrySetResult();
            // Held until all the call's requests are in flight at once.
            await together.Task.WaitAsync(c.RequestAborted);
            Interlocked.Decrement(ref inFlight);
            await FakeEngine.JsonAsync(c, 200, new
            {
                @object = "list",
                model = "e",
                data = texts.Select((t, i) => new { @object = "embedding", index = i, embedding = VectorOf(t) }).ToArray(),
                usage = new { prompt_tokens = texts.Length, total_tokens = texts.Length },
            });
        });
        using var lib = LocalQaLibrary.Open(new LibraryOptions
        {
            Home = _dir,
            IndexPath = Path.Combine(_dir, "index.db"),
            Engine = LocalQaSettings.OpenAiEngine,
            Endpoint = engine.Endpoint.ToString(),
            EmbedModel = "e",
            Concurrency = Concurrency,
            // A guard, not a measure: were the requests sent one by one, the first would be held
            // until the client gives up, and the test would fail there instead of hanging.
            Timeout = TimeSpan.FromMinutes(2),
        }, LibraryModels.Embedding);

        var texts = Enumerable.Range(0, 30).Select(i => $"text {i} " + new string('x', i)).ToArray();
        var vectors = await lib.EmbeddingGenerator!.GenerateAsync(texts, cancellationToken: ct);

        Assert.Equal(Concurrency, most);
        Assert.Equal(Concurrency, arrays.Count);
        Assert.Equal(texts.Length, arrays.Sum());
        Assert.All(arrays, n => Assert.True(n > 1, "one text per request"));
        Assert.Equal(texts.Select(VectorOf), vectors.Select(v => v.Vector.ToArray()));
        Assert.Equal(texts.Length, vectors.Usage?.InputTokenCount);
    }

    [Fact]
    public async Task One_failing_request_of_a_call_fails_the_call_with_its_own_error()
    {
        var ct = TestContext.Current.CancellationToken;
        var seen = 0;
        await using var engine = await FakeEngine.StartAsync(async c =>
        {
            using var body = await JsonDocument.ParseAsync(c.Request.Body, cancellationToken: ct);
            // The second array of the call is refused; the others are answered.
            if (Interlocked.Increment(ref seen) == 2)
            {
                await FakeEngine.JsonAsync(c, 400, FakeEngine.Error("input is too long for the model"));
                return;
            }
            var texts = body.RootElement.GetProperty("input").EnumerateArray().Select(i => i.GetString()!).ToArray();
            await FakeEngine.JsonAsync(c, 200, new
            {
                @object = "list",
                model = "e",
                data = texts.Select((t, i) => new { @object = "embedding", index = i, embedding = VectorOf(t) }).ToArray(),
            });
        });
        using var lib = LocalQaLibrary.Open(new LibraryOptions
        {
            Home = _dir,
            IndexPath = Path.Combine(_dir, "index.db"),
            Engine = LocalQaSettings.OpenAiEngine,
            Endpoint = engine.Endpoint.ToString(),
            EmbedModel = "e",
            Concurrency = 3,
        }, LibraryModels.Embedding);
        var e = await Assert.ThrowsAsync<RemoteEngineException>(() => lib.EmbeddingGenerator!.GenerateAsync(["a", "b", "c", "d", "e", "f"], cancellationToken: ct));
        Assert.Equal(RemoteFault.Refused, e.Fault);
        Assert.Contains("input is too long for the model", e.Message, StringComparison.Ordinal);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var seen = Volatile.Read(ref target);
        while (value > seen)
        {
            var was = Interlocked.CompareExchange(ref target, value, seen);
            if (was == seen) return;
            seen = was;
        }
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
