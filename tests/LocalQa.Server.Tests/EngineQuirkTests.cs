using System.Text.Json;
using LocalQa.Core;
using LocalQa.Core.Answering;
using LocalQa.Core.Documents;
using LocalQa.Core.Summarizing;
using LocalQa.Hosting;
using LocalQa.Hosting.Configuration;
using LocalQa.Hosting.Remote;
using Microsoft.AspNetCore.Http;

namespace LocalQa.Server.Tests;

/// <summary>The servers LocalQa is pointed at, each with the shapes its documentation and source give.</summary>
public enum EngineKind
{
    /// <summary>llama.cpp's llama-server: <c>/props</c> with <c>default_generation_settings.n_ctx</c>; usage and <c>timings</c> on the finishing chunk; errors as <c>{"error":{"code","message","type"}}</c>.</summary>
    LlamaServer,

    /// <summary>vLLM: <c>max_model_len</c> in <c>/v1/models</c>; usage in a last chunk without choices when <c>stream_options.include_usage</c>; errors as <c>{"object":"error","message","type","param","code"}</c>.</summary>
    Vllm,

    /// <summary>Ollama's <c>/v1</c>: no context anywhere; a finishing chunk with an empty delta, then <c>[DONE]</c>; errors as <c>{"error":{"message","type","param","code"}}</c>; no <c>/props</c>.</summary>
    Ollama,
}

/// <summary>
/// A loopback server that answers as <see cref="EngineKind"/> does: its model list, its context
/// endpoint or none, its streaming chunks (role chunk, deltas, finish, usage where that engine puts
/// it, <c>[DONE]</c>), its non-streaming completion, its embeddings, and its error bodies. The chat
/// answer and the embedding vectors are the test's; everything around them is the engine's.
/// </summary>
internal static class QuirkEngine
{
    public const string ChatModel = "chat-model";
    public const string EmbedModel = "embed-model";

    /// <summary>The context each engine reports (none for Ollama).</summary>
    public static int? Context(EngineKind kind) => kind switch
    {
        EngineKind.LlamaServer => 8192,
        EngineKind.Vllm => 32768,
        _ => null,
    };

    /// <summary>An error body in the engine's own shape.</summary>
    public static object Error(EngineKind kind, int status, string message, string type) => kind switch
    {
        EngineKind.LlamaServer => new { error = new { code = status, message, type } },
        EngineKind.Vllm => new { @object = "error", message, type, param = (string?)null, code = status },
        _ => new { error = new { message, type, param = (string?)null, code = (string?)null } },
    };

    /// <param name="answer">The chat answer for a request's body, streamed a word at a time.</param>
    /// <param name="refuse">An error (status and body) to answer a chat request with instead, or null.</param>
    public static Task<FakeEngine> StartAsync(EngineKind kind, Func<JsonElement, string> answer, Func<JsonElement, (int Status, object Body)?>? refuse = null) =>
        FakeEngine.StartAsync(async c =>
        {
            var path = c.Request.Path.Value ?? "";
            if (HttpMethods.IsGet(c.Request.Method) && path == "/v1/models")
            {
                await FakeEngine.JsonAsync(c, 200, Models(kind));
                return;
            }
            if (HttpMethods.IsGet(c.Request.Method) && path == "/props")
            {
                if (kind == EngineKind.LlamaServer)
                {
                    await FakeEngine.JsonAsync(c, 200, new
                    {
                        default_generation_settings = new { n_ctx = Context(kind), @params = new { temperature = 0.8, top_k = 40, n_predict = -1 } },
                        total_slots = 4,
                        model_path = "/models/" + ChatModel + ".gguf",
                        chat_template = "{{ messages }}",
                        build_info = "b6000-0000000",
                    });
                }
                else if (kind == EngineKind.Vllm)
                {
                    await FakeEngine.JsonAsync(c, 404, new { detail = "Not Found" });   // FastAPI's own 404
                }
                else
                {
                    c.Response.StatusCode = 404;
                    c.Response.ContentType = "text/plain";
                    await c.Response.WriteAsync("404 page not found");           // Go's net/http 404
                }
                return;
            }
            using var body = await JsonDocument.ParseAsync(c.Request.Body);
            var request = body.RootElement;
            if (path == "/v1/embeddings")
            {
                await EmbeddingsAsync(kind, c, request);
                return;
            }
            if (path != "/v1/chat/completions")
            {
                await FakeEngine.JsonAsync(c, 404, Error(kind, 404, $"File Not Found: {path}", "not_found_error"));
                return;
            }
            if (request.GetProperty("model").GetString() != ChatModel)
            {
                var model = request.GetProperty("model").GetString();
                await FakeEngine.JsonAsync(c, 404, kind switch
                {
                    EngineKind.Vllm => Error(kind, 404, $"The model `{model}` does not exist.", "NotFoundError"),
                    EngineKind.Ollama => Error(kind, 404, $"model \"{model}\" not found, try pulling it first", "api_error"),
                    _ => Error(kind, 404, $"model '{model}' not found", "not_found_error"),
                });
                return;
            }
            if (refuse?.Invoke(request) is { } refusal)
            {
                await FakeEngine.JsonAsync(c, refusal.Status, refusal.Body);
                return;
            }
            var text = answer(request);
            if (request.TryGetProperty("stream", out var stream) && stream.ValueKind == JsonValueKind.True)
                await StreamAsync(kind, c, request, text);
            else
                await FakeEngine.JsonAsync(c, 200, Completion(kind, text));
        });

    private static object Models(EngineKind kind) => kind switch
    {
        EngineKind.LlamaServer => new
        {
            @object = "list",
            data = new[] { new { id = ChatModel, @object = "model", created = 1_735_000_000, owned_by = "llamacpp", meta = new { vocab_type = 2, n_vocab = 151_936, n_ctx_train = 32_768, n_embd = 3584, n_params = 7_615_616_512L, size = 4_677_120_000L } } },
        },
        EngineKind.Vllm => new
        {
            @object = "list",
            data = new object[]
            {
                new { id = ChatModel, @object = "model", created = 1_735_000_000, owned_by = "vllm", root = "Qwen/" + ChatModel, parent = (string?)null, max_model_len = Context(kind), permission = new[] { new { id = "modelperm-0", @object = "model_permission", allow_sampling = true } } },
                new { id = EmbedModel, @object = "model", created = 1_735_000_000, owned_by = "vllm", root = "BAAI/" + EmbedModel, parent = (string?)null, max_model_len = 512, permission = new[] { new { id = "modelperm-1", @object = "model_permission", allow_sampling = true } } },
            },
        },
        _ => new
        {
            @object = "list",
            data = new[]
            {
                new { id = ChatModel, @object = "model", created = 1_735_000_000, owned_by = "library" },
                new { id = EmbedModel, @object = "model", created = 1_735_000_000, owned_by = "library" },
            },
        },
    };

    private static object Usage => new { prompt_tokens = 50, completion_tokens = 7, total_tokens = 57 };

    private static object Timings => new
    {
        prompt_n = 50, prompt_ms = 12.5, prompt_per_token_ms = 0.25, prompt_per_second = 4000.0,
        predicted_n = 7, predicted_ms = 70.0, predicted_per_token_ms = 10.0, predicted_per_second = 100.0,
    };

    private static object Completion(EngineKind kind, string text) => kind switch
    {
        EngineKind.LlamaServer => new
        {
            choices = new[] { new { finish_reason = "stop", index = 0, message = new { role = "assistant", content = text } } },
            created = 1_735_000_000, model = ChatModel, system_fingerprint = "b6000-0000000", @object = "chat.completion",
            usage = Usage, id = "chatcmpl-llama", timings = Timings,
        },
        EngineKind.Vllm => new
        {
            id = "chatcmpl-vllm", @object = "chat.completion", created = 1_735_000_000, model = ChatModel,
            choices = new[] { new { index = 0, message = new { role = "assistant", content = text, tool_calls = Array.Empty<object>() }, logprobs = (object?)null, finish_reason = "stop", stop_reason = (object?)null } },
            usage = Usage, prompt_logprobs = (object?)null,
        },
        _ => new
        {
            id = "chatcmpl-123", @object = "chat.completion", created = 1_735_000_000, model = ChatModel, system_fingerprint = "fp_ollama",
            choices = new[] { new { index = 0, message = new { role = "assistant", content = text }, finish_reason = "stop" } },
            usage = Usage,
        },
    };

    private static string Event(object chunk) => "data: " + JsonSerializer.Serialize(chunk) + "\n\n";

    private static async Task StreamAsync(EngineKind kind, HttpContext c, JsonElement request, string text)
    {
        var wantsUsage = request.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object
            && so.TryGetProperty("include_usage", out var iu) && iu.ValueKind == JsonValueKind.True;
        var words = System.Text.RegularExpressions.Regex.Split(text, @"(?<= )");
        var events = new List<string>();
        switch (kind)
        {
            case EngineKind.LlamaServer:
                events.Add(Event(new { choices = new[] { new { finish_reason = (string?)null, index = 0, delta = new { role = "assistant", content = (string?)null } } }, created = 1_735_000_000, id = "chatcmpl-llama", model = ChatModel, system_fingerprint = "b6000-0000000", @object = "chat.completion.chunk" }));
                foreach (var w in words.Where(w => w.Length > 0))
                    events.Add(Event(new { choices = new[] { new { finish_reason = (string?)null, index = 0, delta = new { content = w } } }, created = 1_735_000_000, id = "chatcmpl-llama", model = ChatModel, system_fingerprint = "b6000-0000000", @object = "chat.completion.chunk" }));
                // llama-server puts usage and its timings on the finishing chunk itself.
                events.Add(Event(new { choices = new[] { new { finish_reason = "stop", index = 0, delta = new { } } }, created = 1_735_000_000, id = "chatcmpl-llama", model = ChatModel, system_fingerprint = "b6000-0000000", @object = "chat.completion.chunk", usage = Usage, timings = Timings }));
                break;
            case EngineKind.Vllm:
                events.Add(Event(new { id = "chatcmpl-vllm", @object = "chat.completion.chunk", created = 1_735_000_000, model = ChatModel, choices = new[] { new { index = 0, delta = new { role = "assistant", content = "" }, logprobs = (object?)null, finish_reason = (string?)null } } }));
                foreach (var w in words.Where(w => w.Length > 0))
                    events.Add(Event(new { id = "chatcmpl-vllm", @object = "chat.completion.chunk", created = 1_735_000_000, model = ChatModel, choices = new[] { new { index = 0, delta = new { content = w }, logprobs = (object?)null, finish_reason = (string?)null } } }));
                events.Add(Event(new { id = "chatcmpl-vllm", @object = "chat.completion.chunk", created = 1_735_000_000, model = ChatModel, choices = new[] { new { index = 0, delta = new { content = "" }, logprobs = (object?)null, finish_reason = "stop", stop_reason = (object?)null } } }));
                // Usage only when asked, in a last chunk with no choices.
                if (wantsUsage)
                    events.Add(Event(new { id = "chatcmpl-vllm", @object = "chat.completion.chunk", created = 1_735_000_000, model = ChatModel, choices = Array.Empty<object>(), usage = Usage }));
                break;
            default:
                foreach (var w in words.Where(w => w.Length > 0))
                    events.Add(Event(new { id = "chatcmpl-123", @object = "chat.completion.chunk", created = 1_735_000_000, model = ChatModel, system_fingerprint = "fp_ollama", choices = new[] { new { index = 0, delta = new { role = "assistant", content = w }, finish_reason = (string?)null } } }));
                events.Add(Event(new { id = "chatcmpl-123", @object = "chat.completion.chunk", created = 1_735_000_000, model = ChatModel, system_fingerprint = "fp_ollama", choices = new[] { new { index = 0, delta = new { role = "assistant", content = "" }, finish_reason = "stop" } } }));
                if (wantsUsage)
                    events.Add(Event(new { id = "chatcmpl-123", @object = "chat.completion.chunk", created = 1_735_000_000, model = ChatModel, system_fingerprint = "fp_ollama", choices = Array.Empty<object>(), usage = Usage }));
                break;
        }
        events.Add("data: [DONE]\n\n");
        await FakeEngine.SseAsync(c, [.. events]);
    }

    /// <summary>A vector made from the text itself (the same text, the same vector), in the encoding asked for where the engine honours it.</summary>
    private static async Task EmbeddingsAsync(EngineKind kind, HttpContext c, JsonElement request)
    {
        if (request.GetProperty("model").GetString() != EmbedModel)
        {
            await FakeEngine.JsonAsync(c, 404, Error(kind, 404, "model not found", "not_found_error"));
            return;
        }
        var input = request.GetProperty("input");
        var texts = input.ValueKind == JsonValueKind.Array ? input.EnumerateArray().Select(i => i.GetString()!).ToArray() : [input.GetString()!];
        var base64 = kind != EngineKind.Ollama && request.TryGetProperty("encoding_format", out var f) && f.GetString() == "base64";
        var data = texts.Select((t, i) =>
        {
            float[] v = [t.Length % 7 + 1f, t.Count(char.IsUpper) + 1f, t.Count(char.IsDigit) + 1f, 0.5f];
            return new { @object = "embedding", index = i, embedding = base64 ? (object)Convert.ToBase64String(System.Runtime.InteropServices.MemoryMarshal.AsBytes(v.AsSpan())) : v };
        }).ToArray();
        await FakeEngine.JsonAsync(c, 200, new { @object = "list", data, model = EmbedModel, usage = new { prompt_tokens = texts.Length * 8, total_tokens = texts.Length * 8 } });
    }
}

/// <summary>
/// LocalQa against each engine's own shapes: it asks (streaming), summarizes, embeds, reads the
/// context where that engine says it, and turns that engine's error body into the right fault.
/// </summary>
public sealed class EngineQuirkTests : IDisposable
{
    private const string Answer = "FAIR was founded by Yann LeCun in 2013 [1].";

    private readonly string _dir = Directory.CreateTempSubdirectory("localqa-quirks-").FullName;

    private LibraryOptions Options(Uri endpoint) => new()
    {
        Home = _dir,
        IndexPath = Path.Combine(_dir, "index.db"),
        Engine = LocalQaSettings.OpenAiEngine,
        Endpoint = endpoint.ToString(),
        ChatModel = QuirkEngine.ChatModel,
        EmbedModel = QuirkEngine.EmbedModel,
    };

    private string Folder()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "articles")).FullName;
        File.WriteAllText(Path.Combine(folder, "fair.txt"), "Meta AI\n\nFAIR was founded by Yann LeCun in 2013 as Facebook AI Research.\n\nIts labs are in Paris, New York and Menlo Park.\n");
        return folder;
    }

    public static TheoryData<EngineKind> Kinds() => [EngineKind.LlamaServer, EngineKind.Vllm, EngineKind.Ollama];

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task Ask_summarize_embed_and_context_work_in_each_engines_shapes(EngineKind kind)
    {
        var ct = TestContext.Current.CancellationToken;
        var requests = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await using var engine = await QuirkEngine.StartAsync(kind, r =>
        {
            requests.Enqueue(r.GetRawText());
            return Answer;
        });
        using var lib = LocalQaLibrary.Open(Options(engine.Endpoint), LibraryModels.Both);

        // The context as the engine says it (llama-server's /props, vLLM's max_model_len), or the assumption Ollama leaves.
        Assert.Equal(QuirkEngine.Context(kind) ?? RemoteEngine.AssumedContext, lib.ChatContextTokens);
        Assert.Contains(kind switch
        {
            EngineKind.LlamaServer => "n_ctx in the server's /props",
            EngineKind.Vllm => "max_model_len in the server's /models",
            _ => "assumed: the server does not say",
        }, lib.EngineNote, StringComparison.Ordinal);

        var report = await lib.Qa.IngestAsync([Folder()], cancellationToken: ct);
        Assert.Equal(1, report.Added);
        Assert.True(report.Embedded > 0);
        Assert.Equal(4, lib.Index.EmbeddingDimensions(RemoteEngine.EmbedModelId(RemoteEngine.EndpointOf(lib.Options), QuirkEngine.EmbedModel)));

        var shown = new System.Text.StringBuilder();
        AskResult? result = null;
        await foreach (var update in lib.Qa.AskStreamingAsync("Who founded FAIR?", new AskOptions { MaxTokens = 32 }, ct))
        {
            shown.Append(update.Text);
            result ??= update.Result;
        }
        Assert.NotNull(result);
        Assert.Equal(Answer, shown.ToString());
        Assert.Equal(Answer, result.Answer);
        Assert.Equal(AnswerMode.Generative, result.Mode);
        Assert.Equal([1], result.Cited);
        // Usage where the engine sends it: on the finishing chunk (llama-server), in a chunk of its own (vLLM, Ollama).
        Assert.Equal(7, result.Timings.GeneratedTokens);
        Assert.Contains(requests, r => r.Contains("\"stream\":true", StringComparison.Ordinal));

        var article = DocumentLoader.Load(Path.Combine(_dir, "articles", "fair.txt")).Document!;
        var summary = (await lib.Qa.SummarizeAsync([article], new SummarizeOptions { MaxWords = 40 }, cancellationToken: ct))[0];
        Assert.Equal(AnswerMode.Generative, summary.Mode);
        Assert.Contains("Yann LeCun", summary.Summary, StringComparison.Ordinal);
        Assert.Contains(requests, r => !r.Contains("\"stream\":true", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Kinds))]
    public async Task A_model_the_engine_lacks_is_reported_with_the_engines_own_words(EngineKind kind)
    {
        await using var engine = await QuirkEngine.StartAsync(kind, _ => Answer);
        using var lib = LocalQaLibrary.Open(Options(engine.Endpoint) with { ChatModel = "no-such-model", ContextSize = 2048 }, LibraryModels.Chat);
        var e = await Assert.ThrowsAsync<RemoteEngineException>(() =>
            lib.Qa.SummarizeAsync([new Document("a.txt", "A", "FAIR was founded by Yann LeCun in 2013 as Facebook AI Research. It has labs in Paris.", "", 0, default)],
                new SummarizeOptions { MaxWords = 40 }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(RemoteFault.ModelNotFound, e.Fault);
        Assert.Equal(HostErrorKind.Input, HostErrors.Classify(e));   // the user's setting: exit code 2
        Assert.Equal(SettingKeys.ChatModel, e.Setting);
        Assert.Contains("'no-such-model'", e.Message, StringComparison.Ordinal);
        Assert.Contains(kind switch
        {
            EngineKind.Vllm => "The model `no-such-model` does not exist.",
            EngineKind.Ollama => "model \"no-such-model\" not found, try pulling it first",
            _ => "model 'no-such-model' not found",
        }, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task llama_servers_prompt_over_its_context_is_the_context_setting_to_change()
    {
        const string Said = "the request exceeds the available context size, try increasing it";
        await using var engine = await QuirkEngine.StartAsync(EngineKind.LlamaServer, _ => Answer,
            _ => (400, new { error = new { code = 400, message = Said, type = "exceed_context_size_error", n_prompt_tokens = 9000, n_ctx = 8192 } }));
        using var lib = LocalQaLibrary.Open(Options(engine.Endpoint), LibraryModels.Both);
        await lib.Qa.IngestAsync([Folder()], cancellationToken: TestContext.Current.CancellationToken);
        var e = await Assert.ThrowsAsync<RemoteEngineException>(() => lib.Qa.AskAsync("Who founded FAIR?", new AskOptions { MaxTokens = 8 }, TestContext.Current.CancellationToken));
        Assert.Equal(RemoteFault.Refused, e.Fault);
        Assert.Equal(HostErrorKind.Input, HostErrors.Classify(e));
        Assert.Equal(SettingKeys.ContextSize, e.Setting);
        Assert.Contains(Said, e.Message, StringComparison.Ordinal);
        Assert.Contains("tokenizer", e.Fix, StringComparison.Ordinal);
    }

    [Fact]
    public async Task vLLMs_server_error_is_retried_then_reported_with_its_message()
    {
        await using var engine = await QuirkEngine.StartAsync(EngineKind.Vllm, _ => Answer,
            _ => (500, QuirkEngine.Error(EngineKind.Vllm, 500, "EngineCore encountered an issue.", "InternalServerError")));
        using var lib = LocalQaLibrary.Open(Options(engine.Endpoint) with { EmbedModel = null }, LibraryModels.Chat);
        var article = new Document("a.txt", "A", "FAIR was founded by Yann LeCun in 2013 as Facebook AI Research. It has labs in Paris.", "", 0, default);
        var e = await Assert.ThrowsAsync<RemoteEngineException>(() => lib.Qa.SummarizeAsync([article], new SummarizeOptions { MaxWords = 40 }, cancellationToken: TestContext.Current.CancellationToken));
        Assert.Equal(RemoteFault.ServerError, e.Fault);
        Assert.Equal(HostErrorKind.Engine, HostErrors.Classify(e));   // exit code 5
        Assert.Contains("EngineCore encountered an issue.", e.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
