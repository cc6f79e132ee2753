using System.Text;
using LocalQa.Core;
using LocalQa.Core.Ai;
using LocalQa.Core.Answering;
using Microsoft.Extensions.AI;
using OpenAI.Chat;

namespace LocalQa.Server.Tests;

/// <summary>
/// What goes through the server is what the library answers in process: the same greedy text for
/// the same question, and each of several concurrent streams carries its own question's answer.
/// </summary>
[Collection(ServerTests.Name)]
public sealed class ConsistencyTests(ServerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task A_greedy_answer_through_the_server_is_the_one_asked_in_process()
    {
        const string question = "Who founded FAIR?";
        var library = fixture.Generative;
        var cache = library.ChatClient!.GetService<IPromptCache>()!;
        // Both start from an empty cache, so both evaluate the whole prompt the same way.
        cache.ResetCache();
        var inProcess = await library.Qa.AskAsync(question, new AskOptions { MaxTokens = 24 }, Ct);
        Assert.Equal(AnswerMode.Generative, inProcess.Mode);

        cache.ResetCache();
        await using var server = await Servers.StartAsync(library);
        var chat = Servers.OpenAi(server).GetChatClient("localqa");
        var reply = await chat.CompleteChatAsync([new UserChatMessage(question)], new ChatCompletionOptions { MaxOutputTokenCount = 24 }, Ct);

        Assert.Equal(inProcess.Answer, reply.Value.Content[0].Text);
    }

    [Fact]
    public async Task Concurrent_streams_each_carry_their_own_answer()
    {
        string[] questions = ["Who founded FAIR?", "Which company did Meta acquire about 49% of?", "Why did Yann LeCun leave Meta?", "What does the new startup build?"];
        var expected = new Dictionary<string, string>();
        foreach (var q in questions) expected[q] = (await fixture.Extractive.Qa.AskAsync(q, cancellationToken: Ct)).Answer;

        await using var server = await Servers.StartAsync(fixture.Extractive);
        var client = Servers.OpenAi(server);
        var streams = questions.Select(async q =>
        {
            var text = new StringBuilder();
            await foreach (var update in client.GetChatClient("localqa").CompleteChatStreamingAsync([new UserChatMessage(q)], cancellationToken: Ct))
                foreach (var part in update.ContentUpdate) text.Append(part.Text);
            return (Question: q, Text: text.ToString());
        }).ToArray();

        foreach (var (q, text) in await Task.WhenAll(streams))
            Assert.Equal(expected[q], text);
        Assert.Equal(questions.Length, expected.Values.Distinct().Count());
    }
}
