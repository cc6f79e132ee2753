using System.Net;
using System.Text;
using LocalQa.Core.Ai;
using LocalQa.Core.Answering;
using LocalQa.Llama;
using Microsoft.Extensions.AI;
using OpenAI.Chat;
using ChatMessage = OpenAI.Chat.ChatMessage;
using ChatFinishReason = OpenAI.Chat.ChatFinishReason;

namespace LocalQa.Server.Tests;

/// <summary>
/// Serve as it runs: the chat model's slots shared by the clients. Concurrent answers are decoded in
/// the same batches and each is still the answer its question gets alone in process; a client that
/// hangs up frees its slot. Requests are held together with the slots' own hooks, never with time.
/// </summary>
[Collection(ServerTests.Name)]
public sealed class SlotServerTests(ServerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly string[] Questions = ["Who founded FAIR?", "Which company did Meta acquire about 49% of?", "Why did Yann LeCun leave Meta?", "What does the new startup build?"];

    private async Task<Dictionary<string, string>> InProcessAsync(int maxTokens)
    {
        // The same library asked in process, one question at a time: each decoded alone.
        var answers = new Dictionary<string, string>();
        foreach (var q in Questions)
            answers[q] = (await fixture.Slotted.Qa.AskAsync(q, new AskOptions { MaxTokens = maxTokens }, Ct)).Answer;
        return answers;
    }

    [Fact]
    public async Task Four_clients_are_decoded_together_and_each_gets_its_own_in_process_answer()
    {
        var expected = await InProcessAsync(24);
        Assert.Equal(AnswerMode.Generative, (await fixture.Slotted.Qa.AskAsync(Questions[0], new AskOptions { MaxTokens = 4 }, Ct)).Mode);
        var slots = fixture.Slotted.Slots!;
        Assert.Equal(4, slots.Count);

        // The first request's first step waits until all four have reached the slots: they must then
        // share the steps that follow.
        var submitted = 0;
        using var allIn = new ManualResetEventSlim();
        slots.OnSubmitted = () => { if (Interlocked.Increment(ref submitted) == Questions.Length) allIn.Set(); };
        var held = 0;
        slots.AfterStep = _ => { if (Interlocked.Exchange(ref held, 1) == 0) allIn.Wait(Ct); };
        var peakBefore = slots.PeakParallel;
        try
        {
            await using var server = await Servers.StartAsync(fixture.Slotted);
            var client = Servers.OpenAi(server);
            var streams = Questions.Select(async q =>
            {
                var text = new StringBuilder();
                await foreach (var update in client.GetChatClient("localqa").CompleteChatStreamingAsync([new UserChatMessage(q)], new ChatCompletionOptions { MaxOutputTokenCount = 24 }, Ct))
                    foreach (var part in update.ContentUpdate) text.Append(part.Text);
                return (Question: q, Text: text.ToString());
            }).ToArray();
            foreach (var (q, text) in await Task.WhenAll(streams))
                Assert.Equal(expected[q], text.Trim());
        }
        finally
        {
            slots.OnSubmitted = null;
            slots.AfterStep = null;
        }
        Assert.Equal(4, Math.Max(peakBefore, slots.PeakParallel));
        Assert.Equal(Questions.Length, expected.Values.Distinct().Count());
    }

    [Fact]
    public async Task A_client_that_hangs_up_mid_stream_frees_its_slot_at_once()
    {
        var slots = fixture.Slotted.Slots!;
        // The decode thread stops after the answer's first step until the server has seen the hang-up,
        // so the answer is still in its slot when the client goes, however fast the model is.
        var stepped = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var hangUpSeen = new ManualResetEventSlim();
        var released = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        slots.AfterStep = _ =>
        {
            if (stepped.TrySetResult()) hangUpSeen.Wait(Ct);
        };
        slots.OnCancelRequested = hangUpSeen.Set;
        slots.OnReleased = (_, cancelled) => released.TrySetResult(cancelled);
        try
        {
            await using var server = await Servers.StartAsync(fixture.Slotted);
            using var http = Servers.Http(server);
            var body = Servers.ChatBody(server.ModelIds[1], "Tell me a very long story.", stream: true).Replace("\"stream\":true", "\"stream\":true,\"max_tokens\":4000", StringComparison.Ordinal);
            using (var request = new HttpRequestMessage(HttpMethod.Post, "/v1/chat/completions") { Content = new StringContent(body, Encoding.UTF8, "application/json") })
            using (var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct))
            {
                Assert.Equal(HttpStatusCode.OK, response.StatusCode);
                await stepped.Task.WaitAsync(Ct);
                Assert.Equal(1, slots.Active);
            }
            // Hung up with thousands of tokens to go: the slot is given back at the next step, as cancelled.
            Assert.True(await released.Task.WaitAsync(Ct));
            slots.AfterStep = null;
            Assert.Equal(0, slots.Active);
            var next = await Servers.OpenAi(server).GetChatClient(server.ModelIds[1]).CompleteChatAsync([new UserChatMessage("Hello")], new ChatCompletionOptions { MaxOutputTokenCount = 4 }, Ct);
            Assert.Equal(ChatFinishReason.Length, next.Value.FinishReason);
        }
        finally
        {
            slots.AfterStep = null;
            slots.OnCancelRequested = null;
            slots.OnReleased = null;
        }
    }

    [Fact]
    public async Task Serve_reports_its_slots_and_reuses_a_conversations_prefix()
    {
        await using var server = await Servers.StartAsync(fixture.Slotted);
        var chat = Servers.OpenAi(server).GetChatClient(server.ModelIds[1]);
        List<ChatMessage> messages = [new SystemChatMessage("You answer questions about boats."), new UserChatMessage("Tell me about the harbour.")];
        var first = await chat.CompleteChatAsync(messages, new ChatCompletionOptions { MaxOutputTokenCount = 16 }, Ct);
        messages.Add(new AssistantChatMessage(first.Value.Content[0].Text));
        messages.Add(new UserChatMessage("And the lighthouse?"));
        var second = await chat.CompleteChatAsync(messages, new ChatCompletionOptions { MaxOutputTokenCount = 16 }, Ct);
        // The follow-up's prompt starts with the first one, which its slot still holds.
        var firstPrompt = first.Value.Usage.InputTokenCount;
        Assert.True(second.Value.Usage.InputTokenDetails.CachedTokenCount >= firstPrompt - 1,
            $"cached {second.Value.Usage.InputTokenDetails.CachedTokenCount} of the first prompt's {firstPrompt}");
    }
}
