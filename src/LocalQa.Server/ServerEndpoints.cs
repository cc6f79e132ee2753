using System.Globalization;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using LocalQa.Core;
using LocalQa.Core.Answering;
using LocalQa.Core.Documents;
using LocalQa.Core.Summarizing;
using LocalQa.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.AI;

namespace LocalQa.Server;

/// <summary>The endpoints: OpenAI's (<c>/v1</c>), LocalQa's own (<c>/api</c>) and <c>/health</c>, all through the library's face.</summary>
internal sealed class ServerEndpoints
{
    /// <summary>The model that answers from the library (retrieval, citations, sources).</summary>
    public const string LibraryModel = "localqa";

    /// <summary>Generated tokens of a <c>localqa</c> answer when the request names no limit (the CLI's --max-tokens default).</summary>
    private const int DefaultAnswerTokens = 256;

    private readonly LocalQaLibrary _library;
    private readonly ServerOptions _options;
    private readonly Admission _admission;
    private readonly CancellationToken _stopping;
    private readonly long _created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();

    public ServerEndpoints(LocalQaLibrary library, ServerOptions options, Admission admission, CancellationToken stopping)
    {
        _library = library;
        _options = options;
        _admission = admission;
        _stopping = stopping;
        ChatModelId = ModelId(library.ChatModelName);
        EmbedModelId = ModelId(library.EmbedModelName);
        ModelIds = [LibraryModel, .. new[] { ChatModelId, EmbedModelId }.OfType<string>()];
    }

    public string? ChatModelId { get; }
    public string? EmbedModelId { get; }
    public IReadOnlyList<string> ModelIds { get; }

    /// <summary>A model's id: its file name without <c>.gguf</c> (the file name itself is accepted too).</summary>
    private static string? ModelId(string? fileName) =>
        fileName is null ? null : fileName.EndsWith(".gguf", StringComparison.OrdinalIgnoreCase) ? fileName[..^5] : fileName;

    private static bool Names(string? id, string requested) =>
        id is not null && (string.Equals(requested, id, StringComparison.Ordinal) || string.Equals(requested, id + ".gguf", StringComparison.Ordinal));

    public void Map(WebApplication app)
    {
        app.MapGet("/v1/models", ListModelsAsync);
        app.MapPost("/v1/chat/completions", ChatAsync);
        app.MapPost("/v1/embeddings", EmbeddingsAsync);
        app.MapPost("/api/search", SearchAsync);
        app.MapPost("/api/ask", AskAsync);
        app.MapPost("/api/summarize", SummarizeAsync);
        app.MapGet("/api/documents", DocumentsAsync);
        app.MapGet("/health", HealthAsync);
    }

    /// <summary>The request's work: cancelled when the client hangs up or the server stops.</summary>
    private CancellationTokenSource Work(HttpContext context) => CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping);

    private async Task<Admission.Lease> TurnAsync(CancellationToken ct) => await _admission.EnterAsync(ct).ConfigureAwait(false) ?? throw ApiError.Busy();

    private static Task WriteJsonAsync(HttpContext context, string json)
    {
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(json, context.RequestAborted);
    }

    /// <summary>The list leaves out what an entry does not have (the context of a model that is not the chat model).</summary>
    private static readonly JsonSerializerOptions ModelListJson = new() { DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull };

    // The chat model's context as vLLM says it (max_model_len), so a LocalQa pointed at this server reads it.
    private Task ListModelsAsync(HttpContext context) =>
        WriteJsonAsync(context, JsonSerializer.Serialize(new
        {
            @object = "list",
            data = ModelIds.Select(id => new { id, @object = "model", created = _created, owned_by = "localqa", max_model_len = id == ChatModelId ? _library.ChatContextTokens : null }),
        }, ModelListJson));

    // ---- /v1/chat/completions ----

    private async Task ChatAsync(HttpContext context)
    {
        using var work = Work(context);
        var request = ChatRequest.Parse(await RequestBody.ReadAsync(context.Request, _options.MaxBodyBytes, work.Token).ConfigureAwait(false), _options.MaxMessages);
        if (request.Model == LibraryModel) await LibraryChatAsync(context, request, work.Token).ConfigureAwait(false);
        else if (Names(ChatModelId, request.Model)) await PlainChatAsync(context, request, work.Token).ConfigureAwait(false);
        else throw ApiError.UnknownModel(request.Model, ModelIds.Where(id => id != EmbedModelId));
    }

    /// <summary>
    /// Model <c>localqa</c>: the last user message answered from the library, the earlier user
    /// messages (with the assistant's replies) as the conversation it follows, so a follow-up is made
    /// standalone before retrieval, as <c>localqa chat</c> does.
    /// </summary>
    private async Task LibraryChatAsync(HttpContext context, ChatRequest request, CancellationToken ct)
    {
        var last = request.Messages[^1];
        if (last.Role != "user") throw ApiError.BadRequest("The last message must be the user's question.", "messages");
        var conversation = _library.Qa.StartConversation();
        for (var i = 0; i < request.Messages.Count - 1; i++)
        {
            if (request.Messages[i].Role != "user") continue;
            var reply = i + 1 < request.Messages.Count - 1 && request.Messages[i + 1].Role == "assistant" ? request.Messages[i + 1].Content : "";
            conversation.Remember(request.Messages[i].Content, reply);
        }
        var options = new AskOptions { MaxTokens = request.MaxTokens ?? DefaultAnswerTokens };
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var turn = await TurnAsync(ct).ConfigureAwait(false);
        var updates = conversation.AskStreamingAsync(last.Content, options, ct).GetAsyncEnumerator(ct);
        await using (updates.ConfigureAwait(false))
        {
            // The first update is awaited before anything is written, so a refused question (too
            // long, say) is still a 400 and not a stream that breaks off.
            var more = await updates.MoveNextAsync().ConfigureAwait(false);
            if (!request.Stream)
            {
                var text = new StringBuilder();
                ConversationAnswer? answer = null;
                for (; more; more = await updates.MoveNextAsync().ConfigureAwait(false))
                {
                    text.Append(updates.Current.Text);
                    answer = updates.Current.Turn ?? answer;
                }
                var result = answer?.Result ?? throw new InvalidOperationException("The answer ended without its result.");
                await WriteJsonAsync(context, Wire.Serialize(new WireCompletion(id, created, LibraryModel,
                    [new WireChoice(0, new WireAnswer("assistant", result.Answer), FinishReason(result, options))],
                    Usage(result), Extension(answer!)))).ConfigureAwait(false);
                return;
            }
            await TypedResults.ServerSentEvents(LibraryFrames(updates, more, id, created, request, options, ct)).ExecuteAsync(context).ConfigureAwait(false);
        }
    }

    private static async IAsyncEnumerable<string> LibraryFrames(IAsyncEnumerator<AnswerUpdate> updates, bool more, string id, long created,
        ChatRequest request, AskOptions options, [EnumeratorCancellation] CancellationToken ct)
    {
        yield return Wire.Serialize(new WireChunk(id, created, LibraryModel, [new WireChunkChoice(0, new WireDelta("assistant", ""), null)]));
        var streamed = false;
        ConversationAnswer? answer = null;
        for (; more; more = await updates.MoveNextAsync().ConfigureAwait(false))
        {
            ct.ThrowIfCancellationRequested();
            answer = updates.Current.Turn ?? answer;
            if (updates.Current.Text.Length == 0) continue;
            streamed = true;
            yield return Wire.Serialize(new WireChunk(id, created, LibraryModel, [new WireChunkChoice(0, new WireDelta(Content: updates.Current.Text), null)]));
        }
        var result = answer?.Result ?? throw new InvalidOperationException("The answer ended without its result.");
        // An extractive answer is composed whole, not generated: it arrives as one piece.
        if (!streamed && result.Answer.Length > 0)
            yield return Wire.Serialize(new WireChunk(id, created, LibraryModel, [new WireChunkChoice(0, new WireDelta(Content: result.Answer), null)]));
        yield return Wire.Serialize(new WireChunk(id, created, LibraryModel, [new WireChunkChoice(0, new WireDelta(), FinishReason(result, options))], Localqa: Extension(answer!)));
        if (request.IncludeUsage) yield return Wire.Serialize(new WireChunk(id, created, LibraryModel, [], Usage(result)));
        yield return "[DONE]";
    }

    private static string FinishReason(AskResult result, AskOptions options) =>
        result.Mode == AnswerMode.Generative && result.Timings.GeneratedTokens >= options.MaxTokens ? "length" : "stop";

    private static WireUsage Usage(AskResult result) =>
        new(result.Timings.PromptTokens, result.Timings.GeneratedTokens, result.Timings.PromptTokens + result.Timings.GeneratedTokens);

    /// <summary>The extension field <c>localqa</c>: how the answer was made and the passages its [n] cite, which OpenAI's clients ignore.</summary>
    private static JsonObject Extension(ConversationAnswer answer)
    {
        var result = answer.Result;
        return new JsonObject
        {
            ["mode"] = result.Mode == AnswerMode.Generative ? "generative" : "extractive",
            ["note"] = result.Note,
            ["abstained"] = result.Abstained,
            ["standalone_question"] = answer.StandaloneQuestion,
            ["standalone_by"] = answer.StandaloneBy,
            ["cited"] = JsonSerializer.SerializeToNode(result.Cited, LocalQaJson.OneLine),
            ["invalid_citations"] = JsonSerializer.SerializeToNode(result.InvalidCitations, LocalQaJson.OneLine),
            ["sources"] = JsonSerializer.SerializeToNode(result.Sources, LocalQaJson.OneLine),
        };
    }

    /// <summary>Model = the chat model's own name: the messages go to the model as they are, no retrieval.</summary>
    private async Task PlainChatAsync(HttpContext context, ChatRequest request, CancellationToken ct)
    {
        var chat = _library.ChatClient ?? throw ApiError.UnknownModel(request.Model, ModelIds);
        var messages = request.Messages.Select(m => new ChatMessage(m.Role switch
        {
            "system" or "developer" => ChatRole.System,
            "assistant" => ChatRole.Assistant,
            _ => ChatRole.User,
        }, m.Content)).ToList();
        var options = new ChatOptions
        {
            MaxOutputTokens = request.MaxTokens,
            Temperature = request.Temperature,
            TopP = request.TopP,
            StopSequences = request.Stop?.ToList(),
            Seed = request.Seed,
        };
        var model = ChatModelId!;
        var id = "chatcmpl-" + Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        using var turn = await TurnAsync(ct).ConfigureAwait(false);
        if (!request.Stream)
        {
            var response = await chat.GetResponseAsync(messages, options, ct).ConfigureAwait(false);
            await WriteJsonAsync(context, Wire.Serialize(new WireCompletion(id, created, model,
                [new WireChoice(0, new WireAnswer("assistant", response.Text), FinishReason(response.FinishReason))], Usage(response.Usage)))).ConfigureAwait(false);
            return;
        }
        var updates = chat.GetStreamingResponseAsync(messages, options, ct).GetAsyncEnumerator(ct);
        await using (updates.ConfigureAwait(false))
        {
            var more = await updates.MoveNextAsync().ConfigureAwait(false);
            await TypedResults.ServerSentEvents(PlainFrames(updates, more, id, created, model, request.IncludeUsage, ct)).ExecuteAsync(context).ConfigureAwait(false);
        }
    }

    private static async IAsyncEnumerable<string> PlainFrames(IAsyncEnumerator<ChatResponseUpdate> updates, bool more, string id, long created,
        string model, bool includeUsage, [EnumeratorCancellation] CancellationToken ct)
    {
        yield return Wire.Serialize(new WireChunk(id, created, model, [new WireChunkChoice(0, new WireDelta("assistant", ""), null)]));
        UsageDetails? usage = null;
        ChatFinishReason? finish = null;
        for (; more; more = await updates.MoveNextAsync().ConfigureAwait(false))
        {
            ct.ThrowIfCancellationRequested();
            var update = updates.Current;
            finish = update.FinishReason ?? finish;
            foreach (var content in update.Contents)
                if (content is UsageContent u) usage = u.Details;
            if (update.Text.Length > 0)
                yield return Wire.Serialize(new WireChunk(id, created, model, [new WireChunkChoice(0, new WireDelta(Content: update.Text), null)]));
        }
        yield return Wire.Serialize(new WireChunk(id, created, model, [new WireChunkChoice(0, new WireDelta(), FinishReason(finish))]));
        if (includeUsage) yield return Wire.Serialize(new WireChunk(id, created, model, [], Usage(usage)));
        yield return "[DONE]";
    }

    private static string FinishReason(ChatFinishReason? reason) => reason == ChatFinishReason.Length ? "length" : "stop";

    private static WireUsage Usage(UsageDetails? usage)
    {
        var prompt = (int)(usage?.InputTokenCount ?? 0);
        var completion = (int)(usage?.OutputTokenCount ?? 0);
        return new WireUsage(prompt, completion, prompt + completion,
            usage?.CachedInputTokenCount is { } cached ? new WirePromptTokensDetails((int)cached) : null);
    }

    // ---- /v1/embeddings ----

    private async Task EmbeddingsAsync(HttpContext context)
    {
        using var work = Work(context);
        var ct = work.Token;
        var body = await RequestBody.ReadAsync(context.Request, _options.MaxBodyBytes, ct).ConfigureAwait(false);
        var model = RequestBody.RequiredString(body, "model");
        var generator = _library.EmbeddingGenerator;
        if (generator is null || !(model == LibraryModel || Names(EmbedModelId, model)))
            throw ApiError.UnknownModel(model, EmbedModelId is null ? ["(no embedding model is loaded)"] : [EmbedModelId]);
        var inputs = RequestBody.OptionalStrings(body, "input", _options.MaxEmbeddingInputs)
            ?? throw ApiError.BadRequest("'input' is required: a string or an array of strings.", "input");
        if (inputs.Count == 0 || inputs.Any(string.IsNullOrEmpty)) throw ApiError.BadRequest("'input' must not be empty, nor hold an empty string.", "input");
        var format = RequestBody.OptionalString(body, "encoding_format") ?? "float";
        if (format is not ("float" or "base64")) throw ApiError.BadRequest($"'encoding_format' is '{format}'; it must be float or base64.", "encoding_format");
        if (body.TryGetProperty("dimensions", out var dimensions) && dimensions.ValueKind != JsonValueKind.Null)
            throw ApiError.BadRequest("'dimensions' is not supported: the model's own size is returned.", "dimensions");
        GeneratedEmbeddings<Embedding<float>> embeddings;
        using (await TurnAsync(ct).ConfigureAwait(false))
            embeddings = await generator.GenerateAsync(inputs, null, ct).ConfigureAwait(false);
        var tokens = (int)(embeddings.Usage?.InputTokenCount ?? 0);
        await WriteJsonAsync(context, JsonSerializer.Serialize(new
        {
            @object = "list",
            data = embeddings.Select((e, i) => new
            {
                @object = "embedding",
                index = i,
                // Little-endian float32, as OpenAI sends it and its clients decode it.
                embedding = format == "base64" ? (object)Convert.ToBase64String(MemoryMarshal.AsBytes(e.Vector.Span)) : e.Vector.ToArray(),
            }),
            model = EmbedModelId,
            usage = new { prompt_tokens = tokens, total_tokens = tokens },
        })).ConfigureAwait(false);
    }

    // ---- LocalQa's own: /api, /health ----

    private async Task SearchAsync(HttpContext context)
    {
        using var work = Work(context);
        var body = await RequestBody.ReadAsync(context.Request, _options.MaxBodyBytes, work.Token).ConfigureAwait(false);
        var query = RequestBody.RequiredString(body, "query");
        // The library's own bounds, so a request the library would refuse is refused here naming its field.
        var top = RequestBody.OptionalInt(body, "top", 1, AskOptions.MaxTopK) ?? 5;
        CheckQuestion(query, "query");
        using (await TurnAsync(work.Token).ConfigureAwait(false))
        {
            var passages = await _library.Qa.SearchAsync(query, top, work.Token).ConfigureAwait(false);
            await WriteJsonAsync(context, JsonSerializer.Serialize(passages, LocalQaJson.Options)).ConfigureAwait(false);
        }
    }

    private async Task AskAsync(HttpContext context)
    {
        using var work = Work(context);
        var body = await RequestBody.ReadAsync(context.Request, _options.MaxBodyBytes, work.Token).ConfigureAwait(false);
        var question = RequestBody.RequiredString(body, "question");
        var options = new AskOptions
        {
            TopK = RequestBody.OptionalInt(body, "top_k", 1, AskOptions.MaxTopK) ?? 5,
            MaxTokens = RequestBody.OptionalInt(body, "max_tokens", 1, AskOptions.MaxAnswerTokens) ?? DefaultAnswerTokens,
            Extractive = RequestBody.OptionalBool(body, "extractive"),
            NeighbourChunks = RequestBody.OptionalInt(body, "neighbours", 0, AskOptions.MaxNeighbourChunks) ?? 0,
        };
        using (await TurnAsync(work.Token).ConfigureAwait(false))
        {
            var result = await _library.Qa.AskAsync(question, options, work.Token).ConfigureAwait(false);
            await WriteJsonAsync(context, JsonSerializer.Serialize(result, LocalQaJson.Options)).ConfigureAwait(false);
        }
    }

    /// <summary>Summarizes the text in the body (never a path: the server reads no file a client names).</summary>
    private async Task SummarizeAsync(HttpContext context)
    {
        using var work = Work(context);
        var body = await RequestBody.ReadAsync(context.Request, _options.MaxBodyBytes, work.Token).ConfigureAwait(false);
        var text = RequestBody.RequiredString(body, "text");
        if (string.IsNullOrWhiteSpace(text)) throw ApiError.BadRequest("'text' is empty: send the article's text.", "text");
        var title = RequestBody.OptionalString(body, "title") ?? "request";
        var options = new SummarizeOptions { MaxWords = RequestBody.OptionalInt(body, "max_words", SummarizeOptions.MinWords, SummarizeOptions.MaxWordsLimit) ?? SummarizeOptions.DefaultMaxWords };
        var loaded = DocumentLoader.LoadText(text, title, LoadOptions.Summarizing);
        if (loaded.Document is null || string.IsNullOrWhiteSpace(loaded.Document.Text))
            throw ApiError.BadRequest($"There is no article text to summarize ({loaded.SkipReason ?? "empty after cleaning"}).", "text");
        using (await TurnAsync(work.Token).ConfigureAwait(false))
        {
            var results = await _library.Qa.SummarizeAsync([loaded.Document], options, null, work.Token).ConfigureAwait(false);
            await WriteJsonAsync(context, LocalQaJson.Summary(results[0]).ToJsonString(LocalQaJson.Options)).ConfigureAwait(false);
        }
    }

    private async Task DocumentsAsync(HttpContext context)
    {
        using var work = Work(context);
        using (await TurnAsync(work.Token).ConfigureAwait(false))
        {
            var documents = await _library.Qa.UseIndexAsync(index => index.ListDocuments(), cancellationToken: work.Token).ConfigureAwait(false);
            await WriteJsonAsync(context, JsonSerializer.Serialize(documents, LocalQaJson.Options)).ConfigureAwait(false);
        }
    }

    /// <summary>Answers at once, without waiting for a turn: a health check must not queue behind an answer.</summary>
    private Task HealthAsync(HttpContext context) =>
        WriteJsonAsync(context, JsonSerializer.Serialize(new
        {
            status = "ok",
            chat_model = ChatModelId,
            embed_model = EmbedModelId,
            generative = _library.Qa.CanGenerate,
            requests = _admission.Present,
            queue = _options.Queue,
        }, LocalQaJson.Options));

    private static void CheckQuestion(string text, string param)
    {
        if (string.IsNullOrWhiteSpace(text)) throw ApiError.BadRequest($"'{param}' is empty.", param);
        if (text.Length > new AskOptions().MaxQuestionChars)
            throw ApiError.BadRequest(string.Create(CultureInfo.InvariantCulture, $"'{param}' is {text.Length} characters long; the limit is {new AskOptions().MaxQuestionChars:N0}."), param);
    }
}
