using LocalQa.Core;
using LocalQa.Core.Answering;
using LocalQa.Hosting;
using LocalQa.Hosting.Configuration;
using LocalQa.Hosting.Remote;
using Microsoft.AspNetCore.Http;

namespace LocalQa.Server.Tests;

/// <summary>
/// Every fault of a remote engine, injected by a loopback server, reaches the caller as a
/// <see cref="RemoteEngineException"/> of its kind with the endpoint and a fix, after the bounded
/// retries the OpenAI client's policy makes; nothing is kept half-written. No test waits on the
/// clock: a held response is released by the client giving up.
/// </summary>
public sealed class RemoteFaultTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("localqa-remote-faults-").FullName;

    private LibraryOptions Options(Uri endpoint, string? embed = null) => new()
    {
        Home = _dir,
        IndexPath = Path.Combine(_dir, "index.db"),
        Engine = LocalQaSettings.OpenAiEngine,
        Endpoint = endpoint.ToString(),
        ChatModel = "m",
        EmbedModel = embed,
        ContextSize = 2048,
    };

    /// <summary>A library with one article in its index (lexical), so asking reaches the chat model.</summary>
    private async Task<LocalQaLibrary> OpenWithArticleAsync(Uri endpoint, TimeSpan? timeout = null)
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "articles")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "fair.txt"), "Meta AI\n\nFAIR was founded by Yann LeCun in 2013 as Facebook AI Research.\n", TestContext.Current.CancellationToken);
        var lib = LocalQaLibrary.Open(Options(endpoint) with { Timeout = timeout ?? TimeSpan.FromSeconds(300) }, LibraryModels.Both);
        await lib.Qa.IngestAsync([folder], cancellationToken: TestContext.Current.CancellationToken);
        return lib;
    }

    private async Task<RemoteEngineException> AskFailsAsync(Uri endpoint)
    {
        using var lib = await OpenWithArticleAsync(endpoint);
        return await Assert.ThrowsAsync<RemoteEngineException>(() => lib.Qa.AskAsync("Who founded FAIR?", new AskOptions { MaxTokens = 8 }, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_refused_connection_is_unreachable_naming_the_endpoint_and_the_setting()
    {
        var endpoint = new Uri($"http://127.0.0.1:{FakeEngine.ClosedPort()}/v1");
        // Without a context setting the library asks the server for it on opening: the fault shows at once.
        var e = Assert.Throws<RemoteEngineException>(() => LocalQaLibrary.Open(Options(endpoint) with { ContextSize = null }, LibraryModels.Both));
        Assert.Equal(RemoteFault.Unreachable, e.Fault);
        Assert.Contains(endpoint.ToString(), e.Message, StringComparison.Ordinal);
        Assert.Equal(SettingKeys.Endpoint, e.Setting);
        Assert.Equal(HostErrorKind.Engine, HostErrors.Classify(e));
        // With the context set, the first request finds it.
        Assert.Equal(RemoteFault.Unreachable, (await AskFailsAsync(endpoint)).Fault);
    }

    [Fact]
    public async Task A_name_that_does_not_resolve_is_unreachable_and_says_so()
    {
        // RFC 2606: .invalid never resolves, so nothing past the resolver is ever tried.
        var endpoint = new Uri("http://localqa-remote-test.invalid/v1");
        var e = Assert.Throws<RemoteEngineException>(() => LocalQaLibrary.Open(Options(endpoint) with { ContextSize = null }, LibraryModels.Both));
        Assert.Equal(RemoteFault.Unreachable, e.Fault);
        Assert.Contains($"The name of the engine at {endpoint} does not resolve", e.Message, StringComparison.Ordinal);
        Assert.Equal(SettingKeys.Endpoint, e.Setting);
        Assert.Equal(HostErrorKind.Engine, HostErrors.Classify(e));
        // Through the OpenAI client too (the context set, so the first request finds it), after its retries.
        var asked = await AskFailsAsync(endpoint);
        Assert.Equal(RemoteFault.Unreachable, asked.Fault);
        Assert.Contains("does not resolve", asked.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_TLS_handshake_with_a_plain_HTTP_server_is_a_TLS_failure_with_its_fix()
    {
        await using var engine = await FakeEngine.StartAsync(c => FakeEngine.JsonAsync(c, 200, new { @object = "list", data = Array.Empty<object>() }));
        var endpoint = new UriBuilder(engine.Endpoint) { Scheme = Uri.UriSchemeHttps }.Uri;
        var e = Assert.Throws<RemoteEngineException>(() => LocalQaLibrary.Open(Options(endpoint) with { ContextSize = null }, LibraryModels.Both));
        Assert.Equal(RemoteFault.Unreachable, e.Fault);
        Assert.Contains($"The TLS connection to the engine at {endpoint} failed", e.Message, StringComparison.Ordinal);
        Assert.Contains("http://", e.Fix, StringComparison.Ordinal);
        Assert.Equal(HostErrorKind.Engine, HostErrors.Classify(e));
        var asked = await AskFailsAsync(endpoint);
        Assert.Equal(RemoteFault.Unreachable, asked.Fault);
        Assert.Contains("TLS connection", asked.Message, StringComparison.Ordinal);
        // No request was ever read as HTTP: the handshake failed first.
        Assert.Equal(0, engine.Requests);
    }

    [Fact]
    public async Task A_refused_key_is_the_users_setting_to_fix()
    {
        await using var engine = await FakeEngine.StartAsync(c => FakeEngine.JsonAsync(c, 401, FakeEngine.Error("Invalid API key")));
        var e = await AskFailsAsync(engine.Endpoint);
        Assert.Equal(RemoteFault.Unauthorized, e.Fault);
        Assert.Contains("Invalid API key", e.Message, StringComparison.Ordinal);
        Assert.Equal(SettingKeys.ApiKey, e.Setting);
        Assert.True(e.IsConfiguration);
        Assert.Equal(1, engine.Requests);
    }

    [Fact]
    public async Task An_unknown_model_names_the_model_and_its_setting()
    {
        await using var engine = await FakeEngine.StartAsync(c => FakeEngine.JsonAsync(c, 404, new { error = "model 'm' not found" }));
        var e = await AskFailsAsync(engine.Endpoint);
        Assert.Equal(RemoteFault.ModelNotFound, e.Fault);
        Assert.Contains("'m'", e.Message, StringComparison.Ordinal);
        Assert.Contains("not found", e.Message, StringComparison.Ordinal);
        Assert.Equal(SettingKeys.ChatModel, e.Setting);
    }

    [Fact]
    public async Task Too_many_requests_are_retried_as_Retry_After_says_and_boundedly()
    {
        await using var engine = await FakeEngine.StartAsync(c =>
        {
            c.Response.Headers.RetryAfter = "0";
            return FakeEngine.JsonAsync(c, 429, FakeEngine.Error("slow down", "rate_limit_error"));
        });
        var e = await AskFailsAsync(engine.Endpoint);
        Assert.Equal(RemoteFault.RateLimited, e.Fault);
        Assert.Equal(1 + RemoteEngine.Retries, engine.Requests);
    }

    [Fact]
    public async Task A_Retry_After_beyond_the_bound_is_not_waited_for()
    {
        await using var engine = await FakeEngine.StartAsync(c =>
        {
            c.Response.Headers.RetryAfter = "3600";
            return FakeEngine.JsonAsync(c, 429, FakeEngine.Error("come back in an hour", "rate_limit_error"));
        });
        var e = await AskFailsAsync(engine.Endpoint);
        Assert.Equal(RemoteFault.RateLimited, e.Fault);
        Assert.Contains("3600 s", e.Message, StringComparison.Ordinal);
        Assert.Equal(1, engine.Requests);
    }

    [Fact]
    public async Task Server_errors_are_retried_boundedly_then_reported()
    {
        await using var engine = await FakeEngine.StartAsync(c => FakeEngine.JsonAsync(c, 500, FakeEngine.Error("CUDA out of memory", "server_error")));
        var e = await AskFailsAsync(engine.Endpoint);
        Assert.Equal(RemoteFault.ServerError, e.Fault);
        Assert.Contains("CUDA out of memory", e.Message, StringComparison.Ordinal);
        Assert.Equal(1 + RemoteEngine.Retries, engine.Requests);
        Assert.False(e.IsConfiguration);
    }

    [Fact]
    public async Task A_stream_that_ends_without_finishing_is_a_cut_answer_carrying_what_was_shown()
    {
        await using var engine = await FakeEngine.StartAsync(c => FakeEngine.SseAsync(c, FakeEngine.Chunk("Yann "), FakeEngine.Chunk("Le")));
        using var lib = await OpenWithArticleAsync(engine.Endpoint);
        var shown = new System.Text.StringBuilder();
        var e = await Assert.ThrowsAsync<RemoteEngineException>(async () =>
        {
            await foreach (var update in lib.Qa.AskStreamingAsync("Who founded FAIR?", new AskOptions { MaxTokens = 8 }, TestContext.Current.CancellationToken))
            {
                Assert.Null(update.Result);   // never a whole answer
                shown.Append(update.Text);
            }
        });
        Assert.Equal(RemoteFault.Cut, e.Fault);
        Assert.Equal("Yann Le", e.PartialText);
        Assert.Equal("Yann Le", shown.ToString());
        Assert.Contains("not the whole answer", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_connection_dropped_mid_stream_is_a_cut_answer()
    {
        // The engine drops the connection once the client has the first words: a signal, not a time.
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        await using var engine = await FakeEngine.StartAsync(async c =>
        {
            await FakeEngine.SseAsync(c, FakeEngine.Chunk("Yann "));
            await received.Task;
            c.Abort();
        });
        using var lib = await OpenWithArticleAsync(engine.Endpoint);
        var e = await Assert.ThrowsAsync<RemoteEngineException>(async () =>
        {
            await foreach (var update in lib.Qa.AskStreamingAsync("Who founded FAIR?", new AskOptions { MaxTokens = 8 }, TestContext.Current.CancellationToken))
            {
                Assert.Null(update.Result);
                if (update.Text.Length > 0) received.TrySetResult();
            }
        });
        Assert.Equal(RemoteFault.Cut, e.Fault);
        Assert.Equal("Yann ", e.PartialText);
    }

    [Fact]
    public async Task Malformed_JSON_in_the_stream_is_reported_as_not_the_OpenAI_API()
    {
        await using var engine = await FakeEngine.StartAsync(c => FakeEngine.SseAsync(c, "data: {\"choices\": [{\"delta\": \n\n"));
        var e = await AskFailsAsync(engine.Endpoint);
        Assert.Equal(RemoteFault.Malformed, e.Fault);
        Assert.Equal(SettingKeys.Endpoint, e.Setting);
    }

    [Fact]
    public async Task A_response_held_past_the_timeout_setting_is_a_timeout()
    {
        // The engine holds every response until the client hangs up; the client gives up at its timeout.
        await using var engine = await FakeEngine.StartAsync(async c =>
        {
            var gone = new TaskCompletionSource();
            using var _ = c.RequestAborted.Register(() => gone.TrySetResult());
            await gone.Task;
        });
        using var slow = await OpenWithArticleAsync(engine.Endpoint, TimeSpan.FromMilliseconds(100));
        var e = await Assert.ThrowsAsync<RemoteEngineException>(() => slow.Qa.AskAsync("Who founded FAIR?", new AskOptions { MaxTokens = 8 }, TestContext.Current.CancellationToken));
        Assert.Equal(RemoteFault.Timeout, e.Fault);
        Assert.Equal(SettingKeys.Timeout, e.Setting);
    }

    [Fact]
    public async Task Embeddings_of_two_lengths_are_refused_and_nothing_is_written()
    {
        await using var engine = await FakeEngine.StartAsync(c => FakeEngine.JsonAsync(c, 200, new
        {
            @object = "list",
            model = "e",
            data = new object[]
            {
                new { @object = "embedding", index = 0, embedding = new[] { 1f, 0f, 0f } },
                new { @object = "embedding", index = 1, embedding = new[] { 1f, 0f } },
            },
            usage = new { prompt_tokens = 2, total_tokens = 2 },
        }));
        using var lib = LocalQaLibrary.Open(Options(engine.Endpoint, embed: "e"), LibraryModels.Embedding);
        var e = await Assert.ThrowsAsync<RemoteEngineException>(() => lib.EmbeddingGenerator!.GenerateAsync(["a", "b"], cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(RemoteFault.WrongDimension, e.Fault);
        Assert.Contains("localqa ingest", e.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_ingest_stopped_by_a_failing_engine_resumes_on_the_next_run_with_every_vector()
    {
        var failing = 0;
        await using var engine = await FakeEngine.StartAsync(async c =>
        {
            using var body = await System.Text.Json.JsonDocument.ParseAsync(c.Request.Body);
            if (Volatile.Read(ref failing) == 1)
            {
                c.Response.Headers.RetryAfter = "0";
                await FakeEngine.JsonAsync(c, 503, FakeEngine.Error("overloaded", "server_error"));
                return;
            }
            var inputs = body.RootElement.GetProperty("input");
            var texts = inputs.ValueKind == System.Text.Json.JsonValueKind.Array ? inputs.EnumerateArray().Select(i => i.GetString()!).ToArray() : [inputs.GetString()!];
            // A vector made from the text itself: the same text always gets the same vector.
            await FakeEngine.JsonAsync(c, 200, new
            {
                @object = "list",
                model = "e",
                data = texts.Select((t, i) => new { @object = "embedding", index = i, embedding = new[] { t.Length % 7 + 1f, t.Count(char.IsUpper) + 1f, 1f, 0.5f } }).ToArray(),
                usage = new { prompt_tokens = texts.Length, total_tokens = texts.Length },
            });
        });
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "many")).FullName;
        File.WriteAllText(Path.Combine(folder, "a.txt"), "Alpha\n\nThe first article, about Alpha Centauri.\n");
        using var lib = LocalQaLibrary.Open(Options(engine.Endpoint, embed: "e"), LibraryModels.Embedding);
        Assert.Equal(1, (await lib.Qa.IngestAsync([folder], cancellationToken: TestContext.Current.CancellationToken)).Added);

        File.WriteAllText(Path.Combine(folder, "b.txt"), "Beta\n\nThe second article, about Beta Pictoris.\n");
        File.WriteAllText(Path.Combine(folder, "c.txt"), "Gamma\n\nThe third article, about Gamma rays.\n");
        Volatile.Write(ref failing, 1);
        var e = await Assert.ThrowsAsync<RemoteEngineException>(() => lib.Qa.IngestAsync([folder], cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(RemoteFault.ServerError, e.Fault);
        Assert.Equal(1, lib.Index.Stats().Documents);   // nothing half-written

        Volatile.Write(ref failing, 0);
        var resumed = await lib.Qa.IngestAsync([folder], cancellationToken: TestContext.Current.CancellationToken);
        Assert.Equal(2, resumed.Added);
        Assert.Equal(1, resumed.Unchanged);
        Assert.Equal(3, lib.Index.Stats().Documents);
        var hits = await lib.Qa.SearchAsync("Gamma rays", 3, TestContext.Current.CancellationToken);
        Assert.Contains(hits, h => h.DocumentPath.EndsWith("c.txt", StringComparison.Ordinal));
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
