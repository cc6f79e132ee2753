using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LocalQa.McpTesting;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace LocalQa.Cli.Tests;

/// <summary>
/// The real <c>localqa mcp</c> in a child process, driven by the MCP SDK's own client over its
/// stdin and stdout: no chat model (answers are extractive), the bundled seeds/ as the library.
/// </summary>
public sealed class McpStdioTests : IClassFixture<McpStdioTests.Home>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private readonly Home _home;

    public McpStdioTests(Home home) => _home = home;

    /// <summary>One LOCALQA_HOME for the class: the first server seeds its index, the others reuse it.</summary>
    public sealed class Home : IDisposable
    {
        internal CliRunner Runner { get; } = new();

        public void Dispose() => Runner.Dispose();
    }

    private Task<McpClient> ConnectAsync()
    {
        var env = new Dictionary<string, string?> { ["LOCALQA_HOME"] = _home.Runner.Home, ["LOCALQA_MODEL"] = null, ["LOCALQA_EMBED_MODEL"] = null, ["LOCALQA_INDEX"] = null };
        var transport = new StdioClientTransport(new StdioClientTransportOptions
        {
            Name = "localqa",
            Command = "dotnet",
            Arguments = [CliRunner.LocalQaDll, "mcp"],
            WorkingDirectory = _home.Runner.Home,
            EnvironmentVariables = env,
        });
        return McpClient.CreateAsync(transport, cancellationToken: Ct);
    }

    [Fact]
    public async Task Lists_the_tools_and_search_finds_who_founded_FAIR()
    {
        await using var client = await ConnectAsync();
        Assert.Equal("localqa", client.ServerInfo?.Name);
        await McpCalls.AssertToolsAsync(client, Ct);
        await McpCalls.AssertSearchFindsFairAsync(client, Ct);
    }

    [Fact]
    public async Task Ask_answers_with_citations_and_a_follow_up_continues_the_conversation()
    {
        await using var client = await ConnectAsync();
        var first = await McpCalls.AssertAskCitesAsync(client, Ct);
        Assert.Equal("extractive", first.GetProperty("mode").GetString());
        var id = first.GetProperty("conversation_id").GetString();

        var followUp = await McpCalls.CallOkAsync(client, "ask", new { question = "When was it founded?", conversation_id = id }, Ct);
        Assert.Equal(id, followUp.GetProperty("conversation_id").GetString());
        // The follow-up is made standalone from the earlier turn before retrieval.
        Assert.NotEqual("When was it founded?", followUp.GetProperty("standalone_question").GetString());

        var unknown = await McpCalls.CallAsync(client, "ask", new { question = "When was it founded?", conversation_id = "no-such-id" }, Ct);
        Assert.True(unknown.IsError);
        Assert.Contains("There is no conversation 'no-such-id'", unknown.Text, StringComparison.Ordinal);
        Assert.Contains("Leave conversation_id out", unknown.Text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Summarize_list_and_read_documents_as_tools_and_resources()
    {
        await using var client = await ConnectAsync();
        var article = await File.ReadAllTextAsync(Directory.GetFiles(Path.Combine(CliRunner.RepoRoot, "seeds")).Order(StringComparer.Ordinal).First(), Ct);
        var summary = await McpCalls.CallOkAsync(client, "summarize_text", new { text = article, max_words = 60 }, Ct);
        Assert.False(string.IsNullOrWhiteSpace(summary.GetProperty("summary").GetString()));
        Assert.True(summary.GetProperty("key_points").GetArrayLength() > 0);
        Assert.True(summary.GetProperty("words").GetInt32() <= 60);
        Assert.True(summary.GetProperty("related_documents").GetArrayLength() > 0, "the article is in the library, so something relates to it");

        var first = await McpCalls.CallOkAsync(client, "list_documents", new { offset = 0, limit = 2 }, Ct);
        Assert.Equal(5, first.GetProperty("total").GetInt32());
        Assert.Equal(2, first.GetProperty("documents").GetArrayLength());
        var rest = await McpCalls.CallOkAsync(client, "list_documents", new { offset = first.GetProperty("next_offset").GetInt32(), limit = 10 }, Ct);
        Assert.Equal(3, rest.GetProperty("documents").GetArrayLength());
        Assert.Equal(JsonValueKind.Null, rest.GetProperty("next_offset").ValueKind);

        // A document read a chunk at a time, following next_chunk, is the same text as read whole.
        var document = first.GetProperty("documents")[0];
        var id = document.GetProperty("id").GetInt64();
        var whole = await McpCalls.CallOkAsync(client, "get_document", new { id, chunks = 50 }, Ct);
        var pieces = new StringBuilder();
        int? next = 0;
        while (next is { } at)
        {
            var page = await McpCalls.CallOkAsync(client, "get_document", new { id, first_chunk = at, chunks = 1 }, Ct);
            pieces.Append(page.GetProperty("text").GetString());
            next = page.GetProperty("next_chunk").ValueKind == JsonValueKind.Null ? null : page.GetProperty("next_chunk").GetInt32();
        }
        var wholeText = whole.GetProperty("text").GetString()!;
        Assert.Equal(wholeText, pieces.ToString());
        Assert.Contains(document.GetProperty("title").GetString()!, wholeText, StringComparison.Ordinal);

        var templates = await client.ListResourceTemplatesAsync(cancellationToken: Ct);
        Assert.Contains(templates, t => t.UriTemplate == "localqa://documents/{id}");
        var resource = await client.ReadResourceAsync(document.GetProperty("uri").GetString()!, cancellationToken: Ct);
        Assert.Equal(wholeText, Assert.IsType<TextResourceContents>(Assert.Single(resource.Contents)).Text);
    }

    [Fact]
    public async Task Bad_arguments_are_tool_errors_with_the_fix_and_the_server_goes_on()
    {
        await using var client = await ConnectAsync();
        async Task<string> FailsAsync(string tool, object args)
        {
            var outcome = await McpCalls.CallAsync(client, tool, args, Ct);
            Assert.True(outcome.IsError, $"{tool} {JsonSerializer.Serialize(args)} should fail: {outcome.Text}");
            return outcome.Text;
        }

        Assert.Contains("'query' is required", await FailsAsync("search_articles", new { top_k = 3 }), StringComparison.Ordinal);
        Assert.Contains("'top_k' must be a whole number", await FailsAsync("search_articles", new { query = "FAIR", top_k = "three" }), StringComparison.Ordinal);
        Assert.Contains("there is no argument 'path'", await FailsAsync("summarize_text", new { path = "/etc/passwd" }), StringComparison.Ordinal);
        Assert.Contains("'top_k' is 0; it must be from 1 to 50. Pass a 'top_k' from 1 to 50.", await FailsAsync("search_articles", new { query = "FAIR", top_k = 0 }), StringComparison.Ordinal);
        Assert.Contains("'question' is 5,000 characters long; the limit is 4,000.", await FailsAsync("ask", new { question = new string('x', 5000) }), StringComparison.Ordinal);
        Assert.Contains("There is no document with id 987654 in the library. Call list_documents for the ids.", await FailsAsync("get_document", new { id = 987654 }), StringComparison.Ordinal);
        Assert.Contains("'text' is empty.", await FailsAsync("summarize_text", new { text = "  " }), StringComparison.Ordinal);
        await Assert.ThrowsAnyAsync<ModelContextProtocol.McpException>(() => client.CallToolAsync("delete_everything", cancellationToken: Ct).AsTask());

        // The same server still answers.
        await McpCalls.AssertSearchFindsFairAsync(client, Ct);
    }

    [Fact]
    public async Task A_client_that_goes_away_mid_call_ends_the_server_cleanly_and_stdout_held_only_protocol()
    {
        // Our own child, so the test sees its exit code and every byte of its stdout.
        using var child = _home.Runner.Start(["mcp"], stdin: null, keepStdinOpen: true);
        var stderr = child.StandardError.ReadToEndAsync(Ct);
        var input = new WatchedStream(child.StandardInput.BaseStream);
        var output = new WatchedStream(child.StandardOutput.BaseStream);
        var client = await McpClient.CreateAsync(new StreamClientTransport(input, output), cancellationToken: Ct);
        await McpCalls.AssertSearchFindsFairAsync(client, Ct);

        var call = McpCalls.CallAsync(client, "summarize_text", new { text = string.Join("\n\n", Enumerable.Repeat("FAIR was founded in 2013 by Facebook. Yann LeCun led it.", 200)) }, Ct);
        // The request is on the wire: now the client goes away, without waiting for the answer.
        await input.Sent("summarize_text").WaitAsync(Ct);
        await client.DisposeAsync();
        child.StandardInput.Close();
        // Whether the answer got back before the client left is a race the server must not care about.
        _ = await Record.ExceptionAsync(() => call);

        Assert.True(child.WaitForExit(CliRunner.HangGuard), "localqa mcp did not end when its client went away");
        var err = await stderr;
        Assert.True(child.ExitCode == 0, $"exit code {child.ExitCode}; stderr:\n{err}");
        Assert.DoesNotContain("internal error", err, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("Unhandled exception", err, StringComparison.Ordinal);
        Assert.Contains("localqa mcp: stopped.", err, StringComparison.Ordinal);
        foreach (var line in output.Received().Split('\n', StringSplitOptions.RemoveEmptyEntries))
        {
            using var message = JsonDocument.Parse(line);
            Assert.Equal("2.0", message.RootElement.GetProperty("jsonrpc").GetString());
        }

        // The index is intact: a new server answers from it.
        await using var again = await ConnectAsync();
        await McpCalls.AssertSearchFindsFairAsync(again, Ct);
    }

    /// <summary>A pipe end that records what passes and signals when a write carrying a given text has been flushed.</summary>
    private sealed class WatchedStream(Stream inner) : Stream
    {
        private readonly MemoryStream _seen = new();
        private readonly Lock _gate = new();
        private readonly List<(string Text, TaskCompletionSource Done)> _watches = [];

        public Task Sent(string text)
        {
            lock (_gate)
            {
                if (Encoding.UTF8.GetString(_seen.ToArray()).Contains(text, StringComparison.Ordinal)) return Task.CompletedTask;
                var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                _watches.Add((text, done));
                return done.Task;
            }
        }

        public string Received()
        {
            lock (_gate) return Encoding.UTF8.GetString(_seen.ToArray());
        }

        private void Saw(ReadOnlySpan<byte> bytes)
        {
            lock (_gate) _seen.Write(bytes);
        }

        private void Flushed()
        {
            lock (_gate)
            {
                var all = Encoding.UTF8.GetString(_seen.ToArray());
                foreach (var w in _watches.Where(w => all.Contains(w.Text, StringComparison.Ordinal))) w.Done.TrySetResult();
            }
        }

        public override bool CanRead => inner.CanRead;
        public override bool CanSeek => false;
        public override bool CanWrite => inner.CanWrite;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
        public override void Flush() { inner.Flush(); Flushed(); }
        public override async Task FlushAsync(CancellationToken cancellationToken) { await inner.FlushAsync(cancellationToken); Flushed(); }
        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));
        public override int Read(Span<byte> buffer) { var n = inner.Read(buffer); Saw(buffer[..n]); return n; }
        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            var n = await inner.ReadAsync(buffer, cancellationToken);
            Saw(buffer.Span[..n]);
            return n;
        }
        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        public override void Write(byte[] buffer, int offset, int count) => Write(buffer.AsSpan(offset, count));
        public override void Write(ReadOnlySpan<byte> buffer) { inner.Write(buffer); Saw(buffer); }
        public override async ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await inner.WriteAsync(buffer, cancellationToken);
            Saw(buffer.Span);
        }
        public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) => WriteAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing) _seen.Dispose();
            base.Dispose(disposing);
        }
    }
}
