using System.Collections.Concurrent;
using System.Text.Json;
using LocalQa.Core.Answering;
using LocalQa.Hosting;
using LocalQa.Hosting.Configuration;

namespace LocalQa.Server.Tests;

/// <summary>
/// A conversation through a remote engine sends each turn so that the server's prefix cache hits
/// (llama-server's cache_prompt, vLLM's automatic prefix caching): every request starts with the
/// messages of the turn before, byte for byte and in the same order, then that turn's answer as
/// the engine streamed it. A loopback engine records what it is sent.
/// </summary>
public sealed class RemoteConversationTests : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("localqa-remote-chat-").FullName;

    private sealed record Sent(bool Stream, string[] Messages);

    [Fact]
    public async Task Each_turn_resends_the_earlier_turns_unchanged_and_in_order()
    {
        var ct = TestContext.Current.CancellationToken;
        var sent = new ConcurrentQueue<Sent>();
        var answered = 0;
        await using var engine = await FakeEngine.StartAsync(async c =>
        {
            using var body = await JsonDocument.ParseAsync(c.Request.Body, cancellationToken: ct);
            var stream = body.RootElement.TryGetProperty("stream", out var s) && s.ValueKind == JsonValueKind.True;
            sent.Enqueue(new Sent(stream, body.RootElement.GetProperty("messages").EnumerateArray().Select(m => m.GetRawText()).ToArray()));
            if (!stream)
            {
                // The condensing request: a standalone question.
                await FakeEngine.JsonAsync(c, 200, new
                {
                    id = "chatcmpl-condense", @object = "chat.completion", created = 0, model = "m",
                    choices = new[] { new { index = 0, message = new { role = "assistant", content = "When was FAIR founded?" }, finish_reason = "stop" } },
                    usage = new { prompt_tokens = 10, completion_tokens = 5, total_tokens = 15 },
                });
                return;
            }
            var n = Interlocked.Increment(ref answered);
            // Untrimmed, with a trailing space: what goes back must be what was streamed.
            await FakeEngine.SseAsync(c, FakeEngine.Chunk($"Answer {n}: FAIR, "), FakeEngine.Chunk("by Yann LeCun [1]. "), FakeEngine.Chunk(null, "stop"), "data: [DONE]\n\n");
        });
        var folder = Directory.CreateDirectory(Path.Combine(_dir, "articles")).FullName;
        await File.WriteAllTextAsync(Path.Combine(folder, "fair.txt"), "Meta AI\n\nFAIR was founded by Yann LeCun in 2013 as Facebook AI Research.\n\nIts labs are in Paris, New York and Menlo Park.\n", ct);
        using var lib = LocalQaLibrary.Open(new LibraryOptions
        {
            Home = _dir,
            IndexPath = Path.Combine(_dir, "index.db"),
            Engine = LocalQaSettings.OpenAiEngine,
            Endpoint = engine.Endpoint.ToString(),
            ChatModel = "m",
            ContextSize = 4096,
        }, LibraryModels.Both);
        await lib.Qa.IngestAsync([folder], cancellationToken: ct);

        var conversation = lib.Qa.StartConversation();
        foreach (var question in new[] { "Who founded FAIR?", "When was it founded?", "Where are its labs?" })
            await conversation.AskAsync(question, new AskOptions { MaxTokens = 32 }, ct);

        var requests = sent.ToArray();
        var answers = requests.Where(r => r.Stream).ToArray();
        Assert.Equal(3, answers.Length);
        for (var i = 1; i < answers.Length; i++)
        {
            var before = answers[i - 1].Messages;
            var now = answers[i].Messages;
            Assert.True(now.Length > before.Length + 1, $"turn {i + 1} sent {now.Length} messages after {before.Length}");
            // Turn N's messages, byte for byte, then turn N's answer exactly as streamed.
            Assert.Equal(before, now[..before.Length]);
            using var reply = JsonDocument.Parse(now[before.Length]);
            Assert.Equal("assistant", reply.RootElement.GetProperty("role").GetString());
            Assert.Equal($"Answer {i}: FAIR, by Yann LeCun [1]. ", TextOf(reply.RootElement.GetProperty("content")));
        }
        // A condensing request (if the conversation makes one) is the next answer's prefix with the
        // condensing prompt last: it warms the cache for the answer rather than displacing it.
        foreach (var condense in requests.Where(r => !r.Stream))
            Assert.Contains(answers, a => a.Messages.AsSpan(0, a.Messages.Length - 1).SequenceEqual(condense.Messages.AsSpan(0, condense.Messages.Length - 1)));
    }

    /// <summary>A message's content as text: a string, or the text parts of an array.</summary>
    private static string TextOf(JsonElement content) => content.ValueKind == JsonValueKind.String
        ? content.GetString()!
        : string.Concat(content.EnumerateArray().Select(p => p.GetProperty("text").GetString()));

    public void Dispose()
    {
        try { Directory.Delete(_dir, recursive: true); }
        catch (IOException) { }
    }
}
