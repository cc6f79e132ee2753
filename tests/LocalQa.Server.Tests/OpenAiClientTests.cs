using System.Text.Json;
using LocalQa.Core;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using OpenAiFinish = OpenAI.Chat.ChatFinishReason;

namespace LocalQa.Server.Tests;

/// <summary>The server as the official OpenAI .NET client (and Microsoft.Extensions.AI over it) sees it.</summary>
[Collection(ServerTests.Name)]
public sealed class OpenAiClientTests(ServerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] SourceKeys = ["rank", "document", "title", "chunk", "score", "text", "page"];

    [Fact]
    public async Task Localqa_answers_who_founded_FAIR_with_citations_and_its_sources_in_the_extension()
    {
        await using var server = await Servers.StartAsync(fixture.Extractive);
        var chat = Servers.OpenAi(server).GetChatClient("localqa");
        var result = await chat.CompleteChatAsync([new UserChatMessage("Who founded FAIR?")], cancellationToken: Ct);
        var text = result.Value.Content[0].Text;
        Assert.Contains("LeCun", text, StringComparison.Ordinal);
        Assert.Matches(@"\[\d+\]", text);
        Assert.Equal(OpenAiFinish.Stop, result.Value.FinishReason);
        Assert.Equal(ChatMessageRole.Assistant, result.Value.Role);

        var raw = JsonDocument.Parse(result.GetRawResponse().Content.ToString()).RootElement;
        var extension = raw.GetProperty("localqa");
        Assert.Equal("extractive", extension.GetProperty("mode").GetString());
        Assert.False(string.IsNullOrEmpty(extension.GetProperty("note").GetString()));
        var sources = extension.GetProperty("sources");
        Assert.NotEqual(0, sources.GetArrayLength());
        Assert.Equal(SourceKeys, Servers.Keys(sources[0]));
        // Every [n] in the text is a source in the extension.
        foreach (var cited in extension.GetProperty("cited").EnumerateArray())
            Assert.Contains(sources.EnumerateArray(), s => s.GetProperty("rank").GetInt32() == cited.GetInt32());
    }

    [Fact]
    public async Task Localqa_streams_the_same_answer_with_a_finish_and_usage()
    {
        await using var server = await Servers.StartAsync(fixture.Extractive);
        var chat = Servers.OpenAi(server).GetChatClient("localqa");
        var whole = (await chat.CompleteChatAsync([new UserChatMessage("Who founded FAIR?")], cancellationToken: Ct)).Value.Content[0].Text;

        var text = new System.Text.StringBuilder();
        OpenAiFinish? finish = null;
        ChatTokenUsage? usage = null;
        var updates = 0;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Who founded FAIR?")], cancellationToken: Ct))
        {
            updates++;
            foreach (var part in update.ContentUpdate) text.Append(part.Text);
            finish = update.FinishReason ?? finish;
            usage = update.Usage ?? usage;
        }
        Assert.Equal(whole, text.ToString());
        Assert.Equal(OpenAiFinish.Stop, finish);
        Assert.NotNull(usage);
        Assert.True(updates >= 3, $"{updates} updates: a role chunk, content and a finish are expected");
    }

    [Fact]
    public async Task Localqa_generates_through_the_chat_model_when_there_is_one()
    {
        await using var server = await Servers.StartAsync(fixture.Generative);
        var chat = Servers.OpenAi(server).GetChatClient("localqa");
        var options = new ChatCompletionOptions { MaxOutputTokenCount = 8 };
        var result = await chat.CompleteChatAsync([new UserChatMessage("Who founded FAIR?")], options, Ct);
        var extension = JsonDocument.Parse(result.GetRawResponse().Content.ToString()).RootElement.GetProperty("localqa");
        Assert.Equal("generative", extension.GetProperty("mode").GetString());
        Assert.NotEqual(0, extension.GetProperty("sources").GetArrayLength());
        Assert.True(result.Value.Usage.OutputTokenCount <= 8);
        Assert.True(result.Value.Usage.InputTokenCount > 0);

        OpenAiFinish? finish = null;
        await foreach (var update in chat.CompleteChatStreamingAsync([new UserChatMessage("Who founded FAIR?")], options, Ct))
            finish = update.FinishReason ?? finish;
        Assert.NotNull(finish);
    }

    [Fact]
    public async Task A_follow_up_is_made_standalone_from_the_earlier_user_messages()
    {
        await using var server = await Servers.StartAsync(fixture.Extractive);
        var chat = Servers.OpenAi(server).GetChatClient("localqa");
        var result = await chat.CompleteChatAsync(
        [
            new UserChatMessage("Who founded FAIR?"),
            new AssistantChatMessage("Yann LeCun founded FAIR [1]."),
            new UserChatMessage("When was it founded?"),
        ], cancellationToken: Ct);
        var extension = JsonDocument.Parse(result.GetRawResponse().Content.ToString()).RootElement.GetProperty("localqa");
        var standalone = extension.GetProperty("standalone_question").GetString()!;
        Assert.NotEqual("When was it founded?", standalone);
        Assert.Contains("FAIR", standalone, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_chat_models_own_name_is_plain_chat_through_Microsoft_Extensions_AI()
    {
        await using var server = await Servers.StartAsync(fixture.Generative);
        var model = server.ModelIds[1];
        using IChatClient chat = Servers.OpenAi(server).GetChatClient(model).AsIChatClient();
        var options = new ChatOptions { MaxOutputTokens = 6, Temperature = 0 };
        var response = await chat.GetResponseAsync([new(ChatRole.User, "Say hello.")], options, Ct);
        Assert.Equal(model, response.ModelId);
        Assert.NotNull(response.FinishReason);
        Assert.NotNull(response.Usage);
        Assert.True(response.Usage!.OutputTokenCount <= 6);
        Assert.True(response.Usage.InputTokenCount > 0);

        var updates = new List<ChatResponseUpdate>();
        await foreach (var update in chat.GetStreamingResponseAsync([new(ChatRole.User, "Say hello.")], options, Ct)) updates.Add(update);
        var streamed = updates.ToChatResponse();
        Assert.NotNull(streamed.FinishReason);
        // Greedy and from the same prompt: the stream says what the whole response said.
        Assert.Equal(response.Text, streamed.Text);
    }

    [Fact]
    public async Task Embeddings_arrive_as_base64_and_equal_the_librarys_own()
    {
        await using var server = await Servers.StartAsync(fixture.Generative);
        var model = server.ModelIds[2];
        string[] inputs = ["Who founded FAIR?", "LLaMA 3 was released in April 2024."];
        var expected = await fixture.Generative.EmbeddingGenerator!.GenerateAsync(inputs, cancellationToken: Ct);

        var official = await Servers.OpenAi(server).GetEmbeddingClient(model).GenerateEmbeddingsAsync(inputs, cancellationToken: Ct);
        Assert.Contains("\"embedding\":\"", official.GetRawResponse().Content.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, official.Value.Count);
        for (var i = 0; i < inputs.Length; i++)
            Assert.Equal(expected[i].Vector.ToArray(), official.Value[i].ToFloats().ToArray());

        using IEmbeddingGenerator<string, Embedding<float>> generator = Servers.OpenAi(server).GetEmbeddingClient(model).AsIEmbeddingGenerator();
        var viaMeai = await generator.GenerateAsync(inputs, cancellationToken: Ct);
        Assert.Equal(expected[1].Vector.ToArray(), viaMeai[1].Vector.ToArray());

        using var http = Servers.Http(server);
        // The same inputs in one batch: a batch of other texts may round the last bits differently.
        var (status, body, _) = await Servers.PostAsync(http, "/v1/embeddings", JsonSerializer.Serialize(new { model, input = inputs, encoding_format = "float" }));
        Assert.Equal(200, status);
        Assert.Equal(expected[0].Vector.ToArray(), body.GetProperty("data")[0].GetProperty("embedding").EnumerateArray().Select(e => e.GetSingle()).ToArray());
        var (oneStatus, one, _) = await Servers.PostAsync(http, "/v1/embeddings", JsonSerializer.Serialize(new { model, input = inputs[0] }));
        Assert.Equal(200, oneStatus);
        Assert.Equal(expected[0].Vector.Length, one.GetProperty("data")[0].GetProperty("embedding").GetArrayLength());
    }

    [Fact]
    public async Task Models_lists_localqa_and_the_loaded_models()
    {
        await using var server = await Servers.StartAsync(fixture.Generative);
        var models = await Servers.OpenAi(server).GetOpenAIModelClient().GetModelsAsync(Ct);
        Assert.Equal(["localqa", "tiny-chat", "tiny-embed"], models.Value.Select(m => m.Id).ToArray());
    }

    [Fact]
    public async Task A_question_over_the_limit_is_a_400_with_the_librarys_message()
    {
        await using var server = await Servers.StartAsync(fixture.Extractive);
        var chat = Servers.OpenAi(server).GetChatClient("localqa");
        var e = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(() => chat.CompleteChatAsync([new UserChatMessage(new string('a', new AskOptionsLimit().Chars + 1))], cancellationToken: Ct));
        Assert.Equal(400, e.Status);
        Assert.Contains("the limit is 4000", e.Message, StringComparison.Ordinal);
    }

    private sealed class AskOptionsLimit
    {
        public int Chars { get; } = new Core.Answering.AskOptions().MaxQuestionChars;
    }

    [Fact]
    public async Task An_unknown_model_is_a_404_and_a_missing_key_a_401()
    {
        await using var server = await Servers.StartAsync(fixture.Extractive, new ServerOptions { ApiKey = "s3cret-key" });
        var unknown = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(() =>
            Servers.OpenAi(server, "s3cret-key").GetChatClient("gpt-4o").CompleteChatAsync([new UserChatMessage("Hi")], cancellationToken: Ct));
        Assert.Equal(404, unknown.Status);
        Assert.Contains("model_not_found", unknown.GetRawResponse()!.Content.ToString(), StringComparison.Ordinal);

        var denied = await Assert.ThrowsAsync<System.ClientModel.ClientResultException>(() =>
            Servers.OpenAi(server, "wrong-key").GetChatClient("localqa").CompleteChatAsync([new UserChatMessage("Who founded FAIR?")], cancellationToken: Ct));
        Assert.Equal(401, denied.Status);

        using var http = Servers.Http(server);
        var (status, body) = await Servers.GetAsync(http, "/v1/models");
        Assert.Equal(401, status);
        Assert.Equal(["message", "type", "param", "code"], Servers.Keys(body.GetProperty("error")));

        var ok = await Servers.OpenAi(server, "s3cret-key").GetChatClient("localqa").CompleteChatAsync([new UserChatMessage("Who founded FAIR?")], cancellationToken: Ct);
        Assert.Contains("LeCun", ok.Value.Content[0].Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_non_loopback_address_without_a_key_is_refused_before_binding()
    {
        var e = await Assert.ThrowsAsync<InvalidInputException>(() => LocalQaServer.StartAsync(fixture.Extractive, new ServerOptions { Host = "0.0.0.0", Port = 0 }, Ct));
        Assert.Contains("API key", e.Fix, StringComparison.Ordinal);
    }
}
