using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using LocalQa.Core;
using LocalQa.Hosting;
using LocalQa.Llama;
using LocalQa.Server;
using Microsoft.Extensions.AI;

namespace LocalQa.Bench;

/// <summary>
/// One count of concurrent clients of <c>localqa serve</c>: their aggregate speed while all of them
/// were decoding, and each request's time to first token.
/// </summary>
/// <param name="Clients">Streaming requests sent at once, one per client.</param>
/// <param name="DecodeTokensPerSecond">Tokens all clients received per second while every one of them was receiving (median of the rounds).</param>
/// <param name="EndToEndTokensPerSecond">All tokens of a round over the round's wall time, prompts included.</param>
/// <param name="FirstToken">Time to the first content chunk, from sending the request, over every request of every round.</param>
/// <param name="FirstTokenP99Ms">The 99th percentile of <paramref name="FirstToken"/>.</param>
/// <param name="Tokens">Tokens one request generated (median); greedy, up to the requested count.</param>
public sealed record ServeClientsResult(int Clients, Rate DecodeTokensPerSecond, Rate EndToEndTokensPerSecond, Latency FirstToken, double FirstTokenP99Ms, int Tokens);

/// <summary>
/// <c>localqa bench --only serve</c>: <see cref="ServeClientsResult"/> for each client count, and the
/// time to first token of the same prompt asked in process (the single-context chat client a console
/// uses), to compare one client's with.
/// </summary>
/// <param name="Endpoint">The server driven when it was not LocalQa's own (<see cref="BenchOptions.ServeEndpoint"/>); null for the serve the bench started.</param>
/// <param name="Slots">The slots of LocalQa's serve; the server's own business (0) for another.</param>
public sealed record ServeBenchResult(int Slots, int PromptTokens, int GenTokens, IReadOnlyList<ServeClientsResult> Clients, Latency InProcessFirstToken, string? Endpoint = null);

/// <summary>
/// Serves the model with slots over loopback and drives it with streaming clients of the OpenAI
/// chat API (plain chat, so retrieval is not in the figures), 1, 4 and 8 at once: each asks for
/// <see cref="BenchOptions.BatchedGenTokens"/> greedy tokens after a prompt of about
/// <see cref="BenchOptions.BatchedPromptTokens"/>, the shapes of <c>bench batched</c>, so the two
/// sections' aggregate decode speeds compare directly.
/// </summary>
public static class ServeBench
{
    public static async Task<ServeBenchResult> RunAsync(string work, BenchOptions options, Action<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var slots = options.ServeClients.Max();
        var perSlot = options.BatchedPromptTokens + options.BatchedGenTokens + 64;
        if (options.ServeEndpoint is { } endpoint) return await RunAgainstAsync(new Uri(endpoint.TrimEnd('/') + "/"), options, perSlot, progress, ct).ConfigureAwait(false);
        var (runtime, _) = LlamaRuntime.TryLoad();
        using var library = LocalQaLibrary.Open(new LibraryOptions
        {
            Home = work,
            IndexPath = Path.Combine(work, "serve.db"),
            NativeDirectory = runtime is { IsBundled: false } ? runtime.Directory : null,
            ChatModel = options.ModelPath,
            ContextSize = perSlot,
            Threads = EngineBench.ResolveThreads(options),
            GpuLayers = options.GpuLayers,
            Slots = slots,
        }, LibraryModels.Chat);
        var chat = library.ChatClient!;
        var model = chat.GetService<LlamaModel>()!;
        if (perSlot > model.TrainingContextLength)
            throw new InvalidInputException($"A slot of {perSlot} tokens is more than '{Path.GetFileName(model.Path)}' holds ({model.TrainingContextLength}).", "Use smaller --batched-prompt and --batched-gen.");
        // Each client its own text, so no request finds another's prompt in a slot.
        var prompts = EmbeddingBench.MakeTexts(model, new SyntheticCorpus(seed: 11), slots * options.Repeat + 1, options.BatchedPromptTokens - 24);

        await using var server = await LocalQaServer.StartAsync(library, new ServerOptions { Host = "127.0.0.1", Port = 0, Parallel = slots, Queue = slots }, ct).ConfigureAwait(false);
        using var http = new HttpClient { BaseAddress = new Uri(server.Address, "v1/"), Timeout = Timeout.InfiniteTimeSpan };
        progress?.Invoke($"serve: {slots} slots of {perSlot} tokens at {server.Address}");
        var results = await DriveAsync(http, library.ChatModelName!, prompts, options, progress, ct).ConfigureAwait(false);
        return new ServeBenchResult(slots, options.BatchedPromptTokens, options.BatchedGenTokens, results, await InProcessFirstTokenAsync(model, prompts, options, perSlot, ct).ConfigureAwait(false));
    }

    /// <summary>The same clients against a server the user runs (llama-server as the anchor); the model file is loaded here only to size the prompts and time the in-process first token.</summary>
    private static async Task<ServeBenchResult> RunAgainstAsync(Uri endpoint, BenchOptions options, int perSlot, Action<string>? progress, CancellationToken ct)
    {
        using var model = LlamaModel.Load(options.ModelPath!, new LlamaModelOptions { GpuLayers = options.GpuLayers });
        var prompts = EmbeddingBench.MakeTexts(model, new SyntheticCorpus(seed: 11), options.ServeClients.Max() * options.Repeat + 1, options.BatchedPromptTokens - 24);
        using var http = new HttpClient { BaseAddress = endpoint, Timeout = Timeout.InfiniteTimeSpan };
        // The served model named like --model's file (LocalQa's serve names it so, without .gguf, beside its 'localqa'),
        // else the server's first: llama-server serves one, named as it likes.
        using var models = JsonDocument.Parse(await http.GetStringAsync("models", ct).ConfigureAwait(false));
        var ids = models.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToList();
        if (ids.Count == 0) throw new InvalidInputException($"The server at {endpoint} lists no models.", "Check --serve-endpoint: it is the server's /v1 address.");
        var modelId = ids.FirstOrDefault(id => id == Path.GetFileName(options.ModelPath) || id == Path.GetFileNameWithoutExtension(options.ModelPath)) ?? ids[0];
        progress?.Invoke($"serve: driving {endpoint} (model '{modelId}')");
        var results = await DriveAsync(http, modelId, prompts, options, progress, ct).ConfigureAwait(false);
        return new ServeBenchResult(0, options.BatchedPromptTokens, options.BatchedGenTokens, results, await InProcessFirstTokenAsync(model, prompts, options, perSlot, ct).ConfigureAwait(false), endpoint.ToString());
    }

    private static async Task<List<ServeClientsResult>> DriveAsync(HttpClient http, string modelId, IReadOnlyList<string> prompts, BenchOptions options, Action<string>? progress, CancellationToken ct)
    {
        var counts = options.ServeClients;
        // One untimed request warms the weights and the server's paths.
        await StreamAsync(http, modelId, prompts[^1], 4, ct).ConfigureAwait(false);

        var results = new List<ServeClientsResult>();
        var next = 0;
        foreach (var n in counts)
        {
            var decode = new List<double>();
            var endToEnd = new List<double>();
            var firsts = new List<double>();
            var tokens = new List<double>();
            for (var r = 0; r < options.Repeat; r++)
            {
                ct.ThrowIfCancellationRequested();
                var round = Stopwatch.StartNew();
                var streams = await Task.WhenAll(Enumerable.Range(0, n).Select(i => StreamAsync(http, modelId, prompts[(next + i) % (prompts.Count - 1)], options.BatchedGenTokens, ct))).ConfigureAwait(false);
                var wall = round.Elapsed.TotalSeconds;
                next += n;
                // The window in which every client was receiving: after the last first chunk, before the first last one.
                var from = streams.Max(s => s.Chunks[0]);
                var to = streams.Min(s => s.Chunks[^1]);
                var inWindow = streams.Sum(s => s.Chunks.Count(t => t > from && t <= to));
                if (to > from && inWindow > 0) decode.Add(inWindow / Stopwatch.GetElapsedTime(from, to).TotalSeconds);
                endToEnd.Add(streams.Sum(s => s.Tokens) / wall);
                firsts.AddRange(streams.Select(s => s.FirstTokenMs));
                tokens.AddRange(streams.Select(s => (double)s.Tokens));
            }
            var result = new ServeClientsResult(n, decode.Count > 0 ? BenchStatistics.Summarize(decode) : new Rate(0, 0, 0), BenchStatistics.Summarize(endToEnd),
                BenchStatistics.Latencies(firsts), BenchStatistics.Percentile(firsts, 99), (int)BenchStatistics.Percentile(tokens, 50));
            results.Add(result);
            progress?.Invoke($"serve {n} clients: decode {result.DecodeTokensPerSecond.Median:F1} t/s aggregate, first token p50 {result.FirstToken.P50Ms:F0} ms");
        }
        return results;
    }

    private static async Task<Latency> InProcessFirstTokenAsync(LlamaModel model, IReadOnlyList<string> prompts, BenchOptions options, int perSlot, CancellationToken ct)
    {
        // The same prompts in process, on the single context a console's chat uses, for one client's time to first token.
        var inProcess = new List<double>();
        using (var single = new LlamaChatClient(model, EngineBench.ContextOptions(options, perSlot, new LlamaContextOptions().BatchSize)))
        {
            var once = new ChatOptions { MaxOutputTokens = 1, Temperature = 0 };
            await single.GetResponseAsync([new ChatMessage(ChatRole.User, prompts[^1])], once, ct).ConfigureAwait(false);
            for (var r = 0; r < options.Repeat; r++)
            {
                single.ResetCache();
                var sw = Stopwatch.StartNew();
                await foreach (var update in single.GetStreamingResponseAsync([new ChatMessage(ChatRole.User, prompts[r % (prompts.Count - 1)])], once, ct).ConfigureAwait(false))
                {
                    if (update.Text.Length == 0) continue;
                    inProcess.Add(sw.Elapsed.TotalMilliseconds);
                    break;
                }
            }
        }
        return BenchStatistics.Latencies(inProcess);
    }

    private sealed record Stream(double FirstTokenMs, long[] Chunks, int Tokens);

    /// <summary>One streaming chat request as an OpenAI client sends it; the arrival time of each content chunk, and the tokens the usage chunk counts.</summary>
    private static async Task<Stream> StreamAsync(HttpClient http, string model, string prompt, int maxTokens, CancellationToken ct)
    {
        var body = JsonSerializer.Serialize(new
        {
            model,
            stream = true,
            max_tokens = maxTokens,
            temperature = 0,
            stream_options = new { include_usage = true },
            messages = new[] { new { role = "user", content = prompt } },
        });
        var sent = Stopwatch.GetTimestamp();
        using var request = new HttpRequestMessage(HttpMethod.Post, "chat/completions") { Content = new StringContent(body, Encoding.UTF8, new MediaTypeHeaderValue("application/json")) };
        using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false));
        var chunks = new List<long>();
        var tokens = 0;
        while (await reader.ReadLineAsync(ct).ConfigureAwait(false) is { } line)
        {
            if (!line.StartsWith("data: {", StringComparison.Ordinal)) continue;
            var now = Stopwatch.GetTimestamp();
            using var json = JsonDocument.Parse(line.AsMemory(6));
            var root = json.RootElement;
            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
                tokens = usage.GetProperty("completion_tokens").GetInt32();
            if (root.GetProperty("choices") is { ValueKind: JsonValueKind.Array } choices && choices.GetArrayLength() > 0
                && choices[0].GetProperty("delta").TryGetProperty("content", out var content) && content.GetString() is { Length: > 0 })
                chunks.Add(now);
        }
        if (chunks.Count == 0) throw new InvalidOperationException("The server streamed no content.");
        return new Stream(Stopwatch.GetElapsedTime(sent, chunks[0]).TotalMilliseconds, [.. chunks], tokens);
    }
}
