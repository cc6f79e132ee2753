using System.Net;
using System.Net.Sockets;

namespace LocalQa.Cli.Tests;

/// <summary>
/// <c>engine: openai</c> from the command line: the exit code and fix of an engine nobody runs (ask
/// and doctor), and a key <c>config show</c> never prints. Ask, ingest and summarize through a
/// running serve are tested at the library's face in LocalQa.Server.Tests (RemoteEngineTests).
/// </summary>
public sealed class RemoteCliTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
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
