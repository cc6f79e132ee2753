using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Channels;
using LocalQa.Testing;

namespace LocalQa.Cli.Tests;

/// <summary>
/// <c>engine: openai</c> from the command line: <c>localqa ask</c>, <c>ingest</c>, <c>summarize</c>
/// and <c>doctor</c> against the real <c>localqa serve</c> in another process (real HTTP both ways),
/// compared with the same verbs in process; the exit code of an engine nobody runs; a key
/// <c>config show</c> never prints.
/// </summary>
public sealed partial class RemoteCliTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+/)")]
    private static partial Regex Listening();

    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    /// <summary>
    /// <c>localqa serve</c> as a child process: its stdout read line by line as it comes, its stderr
    /// drained all along (a child whose stderr pipe fills blocks), stopped and awaited on dispose.
    /// </summary>
    private sealed class ServeProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
        private readonly Task _pump;

        public ServeProcess(Process process)
        {
            _process = process;
            Stderr = process.StandardError.ReadToEndAsync();
            _pump = Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadLineAsync() is { } line) await _lines.Writer.WriteAsync(line);
                _lines.Writer.Complete();
            });
        }

        /// <summary>All of serve's stderr, once it has ended: only awaited after it is stopped (or has stopped by itself).</summary>
        public Task<string> Stderr { get; }

        /// <summary>The first stdout line that <paramref name="wanted"/> accepts, as soon as serve prints it.</summary>
        public async Task<string> LineAsync(Func<string, bool> wanted, CancellationToken ct)
        {
            while (true)
            {
                string line;
                try
                {
                    // A guard against a hang, not a measure of speed.
                    line = await _lines.Reader.ReadAsync(ct).AsTask().WaitAsync(CliRunner.HangGuard, ct);
                }
                catch (ChannelClosedException)
                {
                    Assert.Fail($"serve ended (exit code {(_process.HasExited ? _process.ExitCode : -1)}) before the expected line:\n{await Stderr}");
                    throw;
                }
                if (wanted(line)) return line;
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (!_process.HasExited) _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            await _pump;
            _process.Dispose();
        }
    }

    private static JsonElement Json(CliRunner.Result run)
    {
        Assert.True(run.ExitCode == 0, run.Out + run.Err);
        return JsonDocument.Parse(run.Out).RootElement.Clone();
    }

    private static (string Document, int Chunk)[] Sources(JsonElement ask) =>
        ask.GetProperty("sources").EnumerateArray().Select(s => (s.GetProperty("document").GetString()!, s.GetProperty("chunk").GetInt32())).ToArray();

    [Fact]
    public async Task Ask_ingest_summarize_and_doctor_through_a_running_serve_give_what_they_give_in_process()
    {
        var ct = TestContext.Current.CancellationToken;
        var chat = Path.Combine(_cli.Home, "tiny-chat.gguf");
        var embed = Path.Combine(_cli.Home, "tiny-embed.gguf");
        SyntheticModel.WriteTiny(chat, new TinyModelOptions());
        SyntheticModel.WriteTiny(embed, TinyModelOptions.Embedding);
        var seeds = Path.Combine(CliRunner.RepoRoot, "seeds");
        var article = Directory.GetFiles(seeds).Order(StringComparer.Ordinal).First();
        string[] question = ["ask", "Who founded FAIR?", "--max-tokens", "12", "--json"];
        string[] summary = ["summarize", article, "--max-words", "30", "--json"];

        // In process first, each verb in a process of its own (caches cold), into its own index.
        // ingest takes no chat model (nor its tokenizer): its flags are the others.
        string[] localIndex = ["--embed-model", embed, "--index", Path.Combine(_cli.Home, "local.db"), "--threads", "2"];
        string[] local = ["--model", chat, .. localIndex];
        var localIngest = _cli.Run(["ingest", seeds, .. localIndex]);
        Assert.True(localIngest.ExitCode == 0, localIngest.Out + localIngest.Err);
        var localAnswer = Json(_cli.Run([.. question, .. local]));
        var localSummary = Json(_cli.Run([.. summary, .. local]));

        await using var serve = new ServeProcess(_cli.Start(["serve", "--port", "0", "--model", chat, "--embed-model", embed,
            "--index", Path.Combine(_cli.Home, "served.db"), "--threads", "2"]));
        // Port 0: the address is the one serve prints, waited for as a line, never for a time.
        var address = Listening().Match(await serve.LineAsync(l => Listening().IsMatch(l), ct)).Groups[1].Value;
        var endpoint = address + "v1";
        string[] remoteIndex = ["--engine", "openai", "--endpoint", endpoint, "--embed-model", "tiny-embed",
            "--embed-tokenizer", embed, "--index", Path.Combine(_cli.Home, "remote.db")];
        string[] remote = ["--model", "tiny-chat", "--tokenizer", chat, .. remoteIndex];

        // Ingest embeds through serve; serve's chat model is not used by it.
        var ingest = _cli.Run(["ingest", seeds, .. remoteIndex]);
        Assert.True(ingest.ExitCode == 0, ingest.Out + ingest.Err);
        Assert.Contains($"{Directory.GetFiles(seeds).Length} added", ingest.Out + ingest.Err, StringComparison.Ordinal);

        // The answer first: serve's chat model has answered nothing yet, as the in-process one had not.
        var remoteAnswer = Json(_cli.Run([.. question, .. remote]));
        Assert.Equal("generative", remoteAnswer.GetProperty("mode").GetString(), ignoreCase: true);
        Assert.Equal(Sources(localAnswer), Sources(remoteAnswer));
        Assert.False(string.IsNullOrEmpty(localAnswer.GetProperty("answer").GetString()));
        Assert.Equal(localAnswer.GetProperty("answer").GetString(), remoteAnswer.GetProperty("answer").GetString());

        // Summarized through serve too. Not compared with the in-process summary: in process the
        // parts are sequences of one llama.cpp batch, through serve they are requests decoded one
        // after another, and llama.cpp's logits depend on how a decode is batched (RemoteEngineTests
        // compares a summary through serve with one over the same kind of chat client).
        var remoteSummary = Json(_cli.Run([.. summary, .. remote]));
        Assert.Equal("generative", remoteSummary.GetProperty("mode").GetString(), ignoreCase: true);
        Assert.False(string.IsNullOrWhiteSpace(remoteSummary.GetProperty("summary").GetString()));
        Assert.Equal(localSummary.GetProperty("title").GetString(), remoteSummary.GetProperty("title").GetString());

        // doctor last: it may talk to the chat model.
        var doctor = _cli.Run(["doctor", "--engine", "openai", "--endpoint", endpoint], null,
            new Dictionary<string, string?> { ["LOCALQA_MODEL"] = "tiny-chat", ["LOCALQA_EMBED_MODEL"] = "tiny-embed" });
        Assert.True(doctor.ExitCode == 0, doctor.Out + doctor.Err);
        Assert.Contains("reachable, round trip", doctor.Out, StringComparison.Ordinal);
        Assert.Contains("max_model_len", doctor.Out, StringComparison.Ordinal);
        Assert.Matches(@"embedding: tiny-embed, \d+ dimensions", doctor.Out);

        // The text output says which engine answered.
        var text = _cli.Run(["ask", "Who founded FAIR?", "--max-tokens", "4", .. remote]);
        Assert.True(text.ExitCode == 0, text.Out + text.Err);
        Assert.Contains("note: remote engine at " + endpoint, text.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void An_engine_nobody_runs_is_exit_code_5_with_the_endpoint_and_the_flag_to_fix()
    {
        var endpoint = $"http://127.0.0.1:{ClosedPort()}/v1";
        var ask = _cli.Run("ask", "Who founded FAIR?", "--engine", "openai", "--endpoint", endpoint, "--model", "m");
        Assert.Equal(5, ask.ExitCode);
        Assert.Contains($"The engine at {endpoint} cannot be reached", ask.Err, StringComparison.Ordinal);
        Assert.Contains("(--endpoint URL)", ask.Err, StringComparison.Ordinal);

        var doctor = _cli.Run("doctor", "--engine", "openai", "--endpoint", endpoint);
        Assert.Equal(5, doctor.ExitCode);
        Assert.Contains("NOT AVAILABLE", doctor.Out, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_stream_cut_mid_answer_is_shown_as_cut_in_text_and_in_json_never_as_an_answer()
    {
        await using var engine = await LocalQa.Server.Tests.FakeEngine.StartAsync(c =>
            LocalQa.Server.Tests.FakeEngine.SseAsync(c, LocalQa.Server.Tests.FakeEngine.Chunk("Yann "), LocalQa.Server.Tests.FakeEngine.Chunk("Le")));
        // The bundled articles are ingested lexically on first use, so the question reaches the engine.
        string[] remote = ["--engine", "openai", "--endpoint", engine.Endpoint.ToString(), "--model", "m", "--context", "2048", "--max-tokens", "8"];

        var json = _cli.Run(["ask", "Who founded FAIR?", "--json", .. remote]);
        Assert.Equal(5, json.ExitCode);
        var cut = JsonDocument.Parse(json.Out).RootElement;
        Assert.Equal("Yann Le", cut.GetProperty("answer").GetString());
        Assert.True(cut.GetProperty("cut").GetBoolean());
        Assert.Contains("not the whole answer", cut.GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.False(cut.TryGetProperty("sources", out _));   // not an answer's record
        Assert.Contains("cut the answer off after 7 characters", json.Err, StringComparison.Ordinal);

        var text = _cli.Run(["ask", "Who founded FAIR?", .. remote]);
        Assert.Equal(5, text.ExitCode);
        Assert.StartsWith("Yann Le", text.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("Sources:", text.Out, StringComparison.Ordinal);
        Assert.Contains("cut the answer off after 7 characters", text.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Config_show_says_the_key_is_set_and_never_prints_it()
    {
        const string Key = "sk-very-secret-0123456789";
        var shown = _cli.Run(["config", "show"], null, new Dictionary<string, string?> { ["LOCALQA_API_KEY"] = Key, ["LOCALQA_ENGINE"] = "openai" });
        var json = _cli.Run(["config", "show", "--json"], null, new Dictionary<string, string?> { ["LOCALQA_API_KEY"] = Key });
        Assert.Equal(0, shown.ExitCode);
        Assert.DoesNotContain(Key, shown.Out + shown.Err + json.Out + json.Err, StringComparison.Ordinal);
        Assert.Contains("(set, not shown)", shown.Out, StringComparison.Ordinal);
        Assert.Contains("env LOCALQA_API_KEY", shown.Out, StringComparison.Ordinal);
        Assert.Matches(@"engine\s+openai", shown.Out);

        var wrong = _cli.Run(["config", "show"], null, new Dictionary<string, string?> { ["LOCALQA_ENGINE"] = "vllm" });
        Assert.Equal(2, wrong.ExitCode);
        Assert.Contains("local, openai", wrong.Err, StringComparison.Ordinal);
    }
}
