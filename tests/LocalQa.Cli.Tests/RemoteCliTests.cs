using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.RegularExpressions;
using LocalQa.Testing;

namespace LocalQa.Cli.Tests;

/// <summary>
/// <c>engine: openai</c> from the command line: <c>localqa ask</c>, <c>ingest</c>, <c>summarize</c>
/// and <c>doctor</c> against the real <c>localqa serve</c> in another process (real HTTP both ways),
/// the exit code of an engine nobody runs, and a key <c>config show</c> never prints.
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

    [Fact]
    public void Ask_doctor_ingest_and_summarize_go_through_a_running_serve()
    {
        var chat = Path.Combine(_cli.Home, "tiny-chat.gguf");
        var embed = Path.Combine(_cli.Home, "tiny-embed.gguf");
        SyntheticModel.WriteTiny(chat, new TinyModelOptions());
        SyntheticModel.WriteTiny(embed, TinyModelOptions.Embedding);
        using var serve = _cli.Start(["serve", "--port", "0", "--model", chat, "--embed-model", embed, "--index", Path.Combine(_cli.Home, "served.db"), "--threads", "2"]);
        try
        {
            string? address = null;
            while (serve.StandardOutput.ReadLine() is { } line)
            {
                if (Listening().Match(line) is { Success: true } m) { address = m.Groups[1].Value; break; }
            }
            Assert.True(address is not null, "serve ended before listening: " + serve.StandardError.ReadToEnd());
            var remote = new[] { "--engine", "openai", "--endpoint", address + "v1", "--model", "tiny-chat", "--embed-model", "tiny-embed",
                "--tokenizer", chat, "--index", Path.Combine(_cli.Home, "remote.db") };

            var doctor = _cli.Run(["doctor", "--engine", "openai", "--endpoint", address + "v1"], null,
                new Dictionary<string, string?> { ["LOCALQA_MODEL"] = "tiny-chat", ["LOCALQA_EMBED_MODEL"] = "tiny-embed" });
            Assert.True(doctor.ExitCode == 0, doctor.Out + doctor.Err);
            Assert.Contains("reachable, round trip", doctor.Out, StringComparison.Ordinal);
            Assert.Contains("tiny-chat, context", doctor.Out, StringComparison.Ordinal);
            Assert.Contains("max_model_len", doctor.Out, StringComparison.Ordinal);
            Assert.Matches(@"embedding: tiny-embed, \d+ dimensions", doctor.Out);

            var ingest = _cli.Run("ingest", Path.Combine(CliRunner.RepoRoot, "seeds"), "--engine", "openai", "--endpoint", address + "v1",
                "--embed-model", "tiny-embed", "--index", Path.Combine(_cli.Home, "remote.db"));
            Assert.True(ingest.ExitCode == 0, ingest.Out + ingest.Err);
            Assert.Contains("5 added", ingest.Out + ingest.Err, StringComparison.Ordinal);

            var ask = _cli.Run([.. new[] { "ask", "Who founded FAIR?", "--max-tokens", "8" }, .. remote]);
            Assert.True(ask.ExitCode == 0, ask.Out + ask.Err);
            Assert.Contains("note: remote engine at " + address + "v1", ask.Err, StringComparison.Ordinal);
            Assert.Contains("(generative answer)", ask.Out, StringComparison.Ordinal);

            var summarize = _cli.Run([.. new[] { "summarize", Directory.GetFiles(Path.Combine(CliRunner.RepoRoot, "seeds")).Order(StringComparer.Ordinal).First(), "--max-words", "30" }, .. remote]);
            Assert.True(summarize.ExitCode == 0, summarize.Out + summarize.Err);
        }
        finally
        {
            serve.Kill(entireProcessTree: true);
            serve.WaitForExit();
        }
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
