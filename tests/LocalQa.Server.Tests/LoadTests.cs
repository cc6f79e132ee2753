using System.Net;
using System.Text;
using System.Text.Json;

namespace LocalQa.Server.Tests;

/// <summary>
/// Many clients at once on loopback, bounded in count (64) and guarded against a hang: asks,
/// searches, embeddings and plain chats mixed, a quarter of them hanging up as soon as their answer
/// starts, against serve's slots. Every request is answered 200 (the queue holds them all), every
/// answer is its own question's, the server serves again afterwards with no request left holding or
/// awaiting a turn and no slot taken, and a second round leaves the managed heap where the first did.
/// </summary>
[Collection(ServerTests.Name)]
public sealed class LoadTests(ServerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private const int Clients = 64;

    // Turns a hang into a message; it never decides a pass.
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(5);

    [Fact]
    public async Task Sixty_four_mixed_clients_get_no_server_error_and_no_crossed_answer()
    {
        string[] questions = ["Who founded FAIR?", "Which company did Meta acquire about 49% of?", "Why did Yann LeCun leave Meta?", "What is Meta Superintelligence Labs?"];
        var library = fixture.Slotted;
        var expected = new Dictionary<string, string>();
        foreach (var q in questions)
            expected[q] = (await library.Qa.AskAsync(q, new Core.Answering.AskOptions { Extractive = true }, Ct)).Answer;

        // A queue for every client: each is served, so every kind is checked (the bounded queue's
        // 503 has its own test, with a held request).
        await using var server = await Servers.StartAsync(library, new ServerOptions { Queue = Clients });
        using var http = Servers.Http(server);
        var chatModel = server.ModelIds[1];
        var embedModel = server.ModelIds[2];

        async Task<(string Kind, int Status, string? Question, string Body)> Client(int i)
        {
            var question = questions[i % questions.Length];
            var hangUp = i % 4 == 3;
            var (kind, path, body) = (i % 4) switch
            {
                0 => ("ask", "/api/ask", JsonSerializer.Serialize(new { question, extractive = true })),
                1 => ("search", "/api/search", JsonSerializer.Serialize(new { query = question, top = 3 })),
                2 => ("embeddings", "/v1/embeddings", JsonSerializer.Serialize(new { model = embedModel, input = new[] { question, "harbour" } })),
                _ => ("chat", "/v1/chat/completions", JsonSerializer.Serialize(new { model = chatModel, stream = true, max_tokens = 64, messages = new[] { new { role = "user", content = question } } })),
            };
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new StringContent(body, Encoding.UTF8, "application/json") };
            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, Ct);
            if (hangUp && response.StatusCode == HttpStatusCode.OK)
            {
                // Hang up once the answer has started: read one line of the stream, then go.
                using var stream = await response.Content.ReadAsStreamAsync(Ct);
                using var reader = new StreamReader(stream);
                await reader.ReadLineAsync(Ct);
                return (kind, 200, null, "");
            }
            return (kind, (int)response.StatusCode, kind == "ask" ? question : null, await response.Content.ReadAsStringAsync(Ct));
        }

        async Task RoundAsync()
        {
            var results = await Task.WhenAll(Enumerable.Range(0, Clients).Select(Client)).WaitAsync(HangGuard, Ct);
            Assert.All(results, r => Assert.True(r.Status == 200, $"{r.Kind}: {r.Status} {r.Body}"));
            foreach (var (_, status, question, body) in results.Where(r => r.Question is not null && r.Status == 200))
                Assert.Equal(expected[question!], JsonDocument.Parse(body).RootElement.GetProperty("answer").GetString());

            // Served again; once the hung-up clients' requests have noticed (each ends at its next
            // step), nothing is left holding or awaiting a turn, nor in a slot.
            var (after, _, _) = await Servers.PostAsync(http, "/api/search", """{"query":"Who founded FAIR?"}""");
            Assert.Equal(200, after);
            await server.Admission.WhenIdleAsync().WaitAsync(HangGuard, Ct);
            Assert.Equal(0, library.Slots!.Active);
        }

        await RoundAsync();
        var first = GC.GetTotalMemory(forceFullCollection: true);
        await RoundAsync();
        var second = GC.GetTotalMemory(forceFullCollection: true);
        // What a round leaves behind (a conversation, a buffer, a channel per client) would grow the heap round by round.
        Assert.True(second - first < 16 << 20, $"the heap grew by {(second - first) >> 10} KiB in the second round ({first >> 10} KiB after the first)");
    }
}
