using System.Text.Json;
using System.Text.RegularExpressions;
using LocalQa.Core.Gguf;
using LocalQa.Testing;

namespace LocalQa.Cli.Tests.Reliability;

/// <summary>
/// Offline by construction: the verbs that answer and summarize work with no network at all, and
/// the only code that can open a connection is the model downloader.
/// </summary>
public sealed class OfflineTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    [Trait("Category", "Reliability")]
    public void Ingest_ask_and_summarize_succeed_in_a_network_namespace_without_interfaces()
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("Network namespaces (unshare -n) are a Linux feature.");
        var probe = TryUnshare(["cat", "/proc/net/dev"]);
        if (probe is null || probe.ExitCode != 0)
            Assert.Skip($"unshare -n cannot create a network namespace here (needs root or unprivileged user namespaces): {probe?.Err.Trim() ?? "unshare not found"}");
        // /proc/net/dev lists two header lines and then one line per interface: only the loopback,
        // which a fresh namespace leaves down, so not even 127.0.0.1 answers.
        var interfaces = probe.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Skip(2).Select(l => l.Split(':')[0].Trim()).ToArray();
        Assert.Equal(["lo"], interfaces);

        var chat = Path.Combine(_cli.Home, "chat.gguf");
        var embed = Path.Combine(_cli.Home, "embed.gguf");
        SyntheticModel.WriteTiny(chat);
        SyntheticModel.WriteTiny(embed, TinyModelOptions.Embedding);
        var index = Path.Combine(_cli.Home, "offline.db");
        var seeds = Path.Combine(CliRunner.RepoRoot, "seeds");
        string[] offline = ["unshare", "-n"];

        var ingest = LocalQaProcess.Run(_cli.Home, ["ingest", seeds, "--index", index, "--embed-model", embed, "--json"], offline);
        Assert.True(ingest.ExitCode == 0, ingest.ToString());
        using (var report = JsonDocument.Parse(ingest.Out))
        {
            Assert.Equal(Directory.GetFiles(seeds).Length, report.RootElement.GetProperty("added").GetInt32());
            Assert.False(report.RootElement.GetProperty("lexical_only").GetBoolean());
        }

        // Random embedding weights would only blur the ranking: the extractive answer is asked lexically.
        var extractive = LocalQaProcess.Run(_cli.Home, ["ask", "When was LLaMA 3 released?", "--index", index, "--json"], offline);
        Assert.True(extractive.ExitCode == 0, extractive.ToString());
        Assert.Contains("April 2024", extractive.Out, StringComparison.Ordinal);

        var generative = LocalQaProcess.Run(_cli.Home,
            ["ask", "When was LLaMA 3 released?", "--index", index, "--embed-model", embed, "--model", chat, "--max-tokens", "8", "--json"], offline);
        Assert.True(generative.ExitCode == 0, generative.ToString());
        Assert.Contains("\"mode\": \"generative\"", generative.Out, StringComparison.Ordinal);

        var article = Directory.GetFiles(seeds).Order(StringComparer.Ordinal).First();
        var summary = LocalQaProcess.Run(_cli.Home, ["summarize", article, "--index", index, "--json"], offline);
        Assert.True(summary.ExitCode == 0, summary.ToString());
        using (var doc = JsonDocument.Parse(summary.Out))
        {
            Assert.False(string.IsNullOrWhiteSpace(doc.RootElement.GetProperty("summary").GetString()));
        }
    }

    private ChildResult? TryUnshare(string[] command)
    {
        try
        {
            return LocalQaProcess.RunCommand(_cli.Home, ["unshare", "-n", .. command]);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return null; // no unshare on this machine
        }
    }

    // Types that open connections or resolve names. SocketException and the like only describe failures.
    private static readonly Regex NetworkApi = new(
        @"\b(HttpClient|HttpClientHandler|SocketsHttpHandler|HttpMessageHandler|WinHttpHandler|Socket|TcpClient|TcpListener|UdpClient|" +
        @"WebRequest|HttpWebRequest|FtpWebRequest|WebClient|ClientWebSocket|HttpListener|NetworkStream|Dns|QuicConnection|QuicListener|SmtpClient|Ping)\b",
        RegexOptions.CultureInvariant);

    private const string Downloader = "src/LocalQa.Hosting/Models/ModelDownloader.cs";

    // An engine the user configured (engine: openai, endpoint) is the other place LocalQa may connect
    // to; it is built only when those settings ask for it (the unshared run above has none).
    private const string RemoteEngine = "src/LocalQa.Hosting/Remote/";

    // `bench --only serve` drives the server it starts itself, bound to 127.0.0.1 (checked below), or
    // the server the user names with --serve-endpoint: never anything else.
    private const string ServeBench = "src/LocalQa.Bench/ServeBench.cs";

    [Fact]
    [Trait("Category", "Reliability")]
    public void Only_the_model_downloader_and_a_configured_remote_engine_use_network_apis()
    {
        var src = Path.Combine(CliRunner.RepoRoot, "src");
        var uses = new List<string>();
        foreach (var file in Directory.EnumerateFiles(src, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(CliRunner.RepoRoot, file).Replace('\\', '/');
            if (relative.Split('/').Any(part => part is "bin" or "obj")) continue;
            var lineNumber = 0;
            foreach (var line in File.ReadLines(file))
            {
                lineNumber++;
                if (NetworkApi.Match(line) is { Success: true } m) uses.Add($"{relative}:{lineNumber}: {m.Value}: {line.Trim()}");
            }
        }
        // The pattern must find the downloader's own client, or it proves nothing.
        Assert.Contains(uses, u => u.StartsWith(Downloader + ":", StringComparison.Ordinal) && u.Contains("HttpClient", StringComparison.Ordinal));
        var elsewhere = uses.Where(u => !u.StartsWith(Downloader + ":", StringComparison.Ordinal) && !u.StartsWith(RemoteEngine, StringComparison.Ordinal)
            && !u.StartsWith(ServeBench + ":", StringComparison.Ordinal)).ToList();
        Assert.True(elsewhere.Count == 0, "Network APIs outside the model downloader, the remote engine and the serve bench's loopback clients:\n" + string.Join("\n", elsewhere));
        Assert.Contains("Host = \"127.0.0.1\"", File.ReadAllText(Path.Combine(CliRunner.RepoRoot, ServeBench)), StringComparison.Ordinal);
    }
}
