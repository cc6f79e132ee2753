using LocalQa.Core;
using LocalQa.Core.Answering;
using LocalQa.Core.Documents;
using LocalQa.Hosting;
using LocalQa.Hosting.Configuration;
using LocalQa.Hosting.Remote;

namespace LocalQa.Server.Tests;

/// <summary>
/// LocalQa with <c>engine: openai</c> pointed at a running LocalQa <c>serve</c> (real Kestrel on
/// 127.0.0.1, the generated tiny models behind it): the library Hosting composes over the OpenAI
/// client ingests, answers and summarizes through HTTP exactly as the same models do in process.
/// Both sides count tokens with the chat model's managed tokenizer (the remote side because the
/// tokenizer setting names the GGUF), so they lay out the same prompts and only the engine's path differs.
/// </summary>
[Collection(ServerTests.Name)]
public sealed class RemoteEngineTests(ServerFixture fixture) : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("localqa-remote-").FullName;

    private static string Id(string fileName) => fileName.EndsWith(".gguf", StringComparison.Ordinal) ? fileName[..^5] : fileName;

    private LibraryOptions RemoteOptions(LocalQaServer server, string index) => new()
    {
        Home = _dir,
        IndexPath = Path.Combine(_dir, index),
        Engine = LocalQaSettings.OpenAiEngine,
        Endpoint = new Uri(server.Address, "v1").ToString(),
        ChatModel = Id(fixture.Generative.ChatModelName!),
        EmbedModel = Id(fixture.Generative.EmbedModelName!),
        Concurrency = 4,
        Tokenizer = fixture.ChatModelPath,
    };

    /// <summary>The same models in process, behind the face as a foreign client is: estimated token counts, the same context.</summary>
    private ILocalQa InProcess(string index) => new LocalQaBuilder()
        .WithIndex(Path.Combine(_dir, index))
        .WithPrompts(LocalQaPaths.PromptsDirectory)
        .WithChatClient(fixture.Generative.ChatClient!, fixture.Generative.ChatContextTokens!.Value,
            LocalQa.Core.Tokenization.GgufTokenizer.TryCreate(LocalQa.Core.Gguf.GgufReader.Read(fixture.ChatModelPath), out _), concurrency: 1)
        .WithEmbeddingGenerator(fixture.Generative.EmbeddingGenerator!, "in-process")
        .Build();

    [Fact]
    public async Task Ask_through_serve_gives_the_in_process_greedy_answer_after_ingesting_through_it()
    {
        var ct = TestContext.Current.CancellationToken;
        var seeds = LocalQaPaths.SeedsDirectory!;
        var ask = new AskOptions { MaxTokens = 12 };
        AskResult local;
        using (var qa = InProcess("local.db"))
        {
            await qa.IngestAsync([seeds], cancellationToken: ct);
            local = await qa.AskAsync("Who founded FAIR?", ask, ct);
        }

        await using var server = await Servers.StartAsync(fixture.Generative);
        using var remote = LocalQaLibrary.Open(RemoteOptions(server, "remote.db"), LibraryModels.Both);
        // The context came from the server: serve lists its chat model's max_model_len, as vLLM does.
        Assert.Equal(fixture.Generative.ChatContextTokens, remote.ChatContextTokens);
        Assert.Contains("max_model_len", remote.EngineNote, StringComparison.Ordinal);
        Assert.Contains("token counts by the tokenizer of tiny-chat.gguf", remote.EngineNote, StringComparison.Ordinal);

        var report = await remote.Qa.IngestAsync([seeds], cancellationToken: ct);
        Assert.Equal(Directory.GetFiles(seeds).Length, report.Added);
        Assert.True(report.Embedded > 0);
        var endpoint = RemoteEngine.EndpointOf(remote.Options);
        Assert.NotNull(remote.Index.EmbeddingDimensions(RemoteEngine.EmbedModelId(endpoint, remote.Options.EmbedModel!)));

        var answer = await remote.Qa.AskAsync("Who founded FAIR?", ask, ct);
        Assert.Equal(AnswerMode.Generative, local.Mode);
        Assert.False(string.IsNullOrEmpty(local.Answer));
        Assert.Equal(AnswerMode.Generative, answer.Mode);
        Assert.Equal(local.Sources.Select(s => (s.Document, s.Chunk)), answer.Sources.Select(s => (s.Document, s.Chunk)));
        Assert.Equal(local.Answer, answer.Answer);
    }

    /// <summary>A library of its own over the fixture's chat model file, never used: its chat client's cache is cold.</summary>
    private LocalQaLibrary ColdChat(string index) => LocalQaLibrary.Open(new LibraryOptions
    {
        Home = _dir,
        IndexPath = Path.Combine(_dir, index),
        ChatModel = fixture.ChatModelPath,
        Threads = 2,
    }, LibraryModels.Chat);

    /// <summary>
    /// Through serve a summary's parts are requests that serve's chat client decodes one after
    /// another, each reusing the cached prefix of the one before. The same chat client in process,
    /// sent the same requests in the same order (one at a time), both caches cold, gives the same
    /// greedy text. (Compared with a warm client, or with parts decoded as sequences of one batch,
    /// the random model's text differs: llama.cpp's logits depend on how a decode is batched, by up
    /// to 1e-2 here, while a reused prefix is bit-exact; see docs/remote.md.)
    /// </summary>
    [Fact]
    public async Task A_summary_through_serve_equals_the_in_process_one_over_the_same_chat_client_both_cold()
    {
        var ct = TestContext.Current.CancellationToken;
        // The longest article: its summary has a map step of several parts, then a reduce.
        var article = DocumentLoader.Load(Directory.GetFiles(LocalQaPaths.SeedsDirectory!).OrderByDescending(f => new FileInfo(f).Length).First()).Document!;
        var options = new LocalQa.Core.Summarizing.SummarizeOptions { MaxWords = 40 };

        using var local = ColdChat("local-chat.db");
        using var inProcess = new LocalQaBuilder()
            .WithIndex(Path.Combine(_dir, "in-process-summary.db"))
            .WithPrompts(LocalQaPaths.PromptsDirectory)
            .WithChatClient(local.ChatClient!, local.ChatContextTokens!.Value,
                LocalQa.Core.Tokenization.GgufTokenizer.TryCreate(LocalQa.Core.Gguf.GgufReader.Read(fixture.ChatModelPath), out _), concurrency: 1)
            .Build();
        var expected = (await inProcess.SummarizeAsync([article], options, cancellationToken: ct))[0];

        using var served = ColdChat("served-chat.db");
        await using var server = await Servers.StartAsync(served, new ServerOptions { Queue = 16 });
        using var remote = LocalQaLibrary.Open(RemoteOptions(server, "remote-summary.db") with { Concurrency = 1, EmbedModel = null }, LibraryModels.Chat);
        var summary = (await remote.Qa.SummarizeAsync([article], options, cancellationToken: ct))[0];

        Assert.True(expected.MapSequences > 1, $"{expected.MapSequences} part(s)");
        Assert.Equal(AnswerMode.Generative, expected.Mode);
        Assert.Equal(AnswerMode.Generative, summary.Mode);
        Assert.False(string.IsNullOrWhiteSpace(expected.Summary));
        Assert.Equal(expected.Summary, summary.Summary);
        Assert.Equal(expected.KeyPoints, summary.KeyPoints);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
