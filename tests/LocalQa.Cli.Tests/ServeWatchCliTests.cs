using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using System.Threading.Channels;

namespace LocalQa.Cli.Tests;

/// <summary>
/// <c>localqa serve --watch</c>: the server keeps the index equal to a folder while it answers, each
/// sync taking the server's turn. The test waits for the server's lines (its address, the catch-up,
/// the sync of the new file), then asks the server itself; it never waits for a time.
/// </summary>
public sealed partial class ServeWatchCliTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [GeneratedRegex(@"listening on (http://127\.0\.0\.1:\d+/)")]
    private static partial Regex Listening();

    [Fact]
    public async Task A_file_dropped_into_a_watched_folder_is_searchable_through_the_server()
    {
        var ct = TestContext.Current.CancellationToken;
        var dir = Directory.CreateDirectory(Path.Combine(_cli.Home, "inbox")).FullName;
        File.WriteAllText(Path.Combine(dir, "first.txt"), "The Tarnby ferry runs twice a day between the harbour and the island.");
        var process = _cli.Start(["serve", "--port", "0", "--index", Path.Combine(_cli.Home, "served.db"), "--watch", dir, "--debounce", "20"], interruptible: true);
        var lines = Channel.CreateUnbounded<string>();
        _ = Task.Run(async () =>
        {
            while (await process.StandardOutput.ReadLineAsync(ct) is { } line) await lines.Writer.WriteAsync(line, ct);
            lines.Writer.Complete();
        }, ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);

        async Task<string> LineAsync(Func<string, bool> wanted)
        {
            while (true)
            {
                string line;
                try
                {
                    // A guard against a hang, not a measure of speed.
                    line = await lines.Reader.ReadAsync(ct).AsTask().WaitAsync(CliRunner.HangGuard, ct);
                }
                catch (ChannelClosedException)
                {
                    Assert.Fail($"serve ended before the expected line:\n{await stderr}");
                    throw;
                }
                if (wanted(line)) return line;
            }
        }

        var address = Listening().Match(await LineAsync(l => Listening().IsMatch(l))).Groups[1].Value;
        Assert.StartsWith("caught up", await LineAsync(l => l.StartsWith("caught up", StringComparison.Ordinal)), StringComparison.Ordinal);

        var dropped = Path.Combine(dir, "dropped.txt");
        File.WriteAllText(dropped, "The Kelmsby lighthouse keeper logs every passing schooner in a green ledger.");
        await LineAsync(l => l.StartsWith("synced:", StringComparison.Ordinal) && l.Contains("1 added", StringComparison.Ordinal));

        using var http = new HttpClient { BaseAddress = new Uri(address) };
        using var response = await http.PostAsJsonAsync("/api/search", new { query = "lighthouse keeper schooner ledger", top = 1 }, ct);
        Assert.True(response.IsSuccessStatusCode, await response.Content.ReadAsStringAsync(ct));
        var hits = JsonDocument.Parse(await response.Content.ReadAsStringAsync(ct)).RootElement;
        Assert.Contains(dropped, hits.GetRawText(), StringComparison.Ordinal);
    }
}
