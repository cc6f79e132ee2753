using System.CommandLine;
using System.Net;
using System.Security.Cryptography;
using System.Text.Json.Nodes;
using LocalQa.Cli;
using LocalQa.Cli.Commands;
using LocalQa.Core;
using LocalQa.Core.Tests;
using LocalQa.Core.Tests.Models;
using LocalQa.Hosting.Configuration;
using LocalQa.Hosting.Models;

namespace LocalQa.Cli.Tests;

public sealed class ModelsCommandTests : IDisposable
{
    private static readonly byte[] Content = MakeContent();
    private static readonly string Sha = Convert.ToHexStringLower(SHA256.HashData(Content));

    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    private static byte[] MakeContent()
    {
        var bytes = new byte[200_000];
        new Random(99).NextBytes(bytes);
        return bytes;
    }

    private static async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var code = await CliApp.RunAsync(args, output, error, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    /// <summary>Runs the models verb over a settings environment that never reads the real one.</summary>
    internal static async Task<(int Code, string Out, string Err)> RunIsolated(Func<CliContext, Command> create, params string[] args)
    {
        using var output = new StringWriter();
        using var error = new StringWriter();
        var root = new RootCommand();
        root.Subcommands.Add(create(new CliContext(output, error)));
        var parse = root.Parse(args);
        Assert.Empty(parse.Errors);
        var code = await parse.InvokeAsync(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false }, TestContext.Current.CancellationToken);
        return (code, output.ToString(), error.ToString());
    }

    internal static SettingsResolver Isolated(TempFolder dir, IReadOnlyDictionary<string, string>? env = null) => new(new SettingsEnvironment
    {
        GetVariable = name => env?.GetValueOrDefault(name),
        CurrentDirectory = dir.Sub("cwd"),
        UserConfigDirectory = dir.Sub("config"),
        DefaultHome = dir["home"],
        BundledModelFolders = [],
        Catalog = ModelCatalog.LoadDefault(),
    });

    // Facts from ../shared/models/README.md.
    [Theory]
    [InlineData("stories260K.gguf", 5L, 64L, 512L, "F32")]
    [InlineData("llama-2-tiny-random.gguf", 1L, 8L, 32000L, "F16")]
    public async Task Inspect_json_shows_the_facts_the_shared_models_README_states(string file, long layers, long width, long vocab, string type)
    {
        var path = Repo.Shared("models", file);

        var (code, stdout, stderr) = await Run("models", "inspect", path, "--json");

        Assert.True(code == 0, stderr);
        var json = JsonNode.Parse(stdout)!.AsObject();
        Assert.Equal(["architecture", "parameters", "file_type", "context_length", "embedding_length", "block_count", "vocab_size", "chat_template", "tokenizer", "metadata"],
            json.Select(p => p.Key));
        Assert.Equal("llama", (string?)json["tokenizer"]!["model"]);
        Assert.Equal("SentencePiece BPE", (string?)json["tokenizer"]!["algorithm"]);
        Assert.Equal(vocab, (long?)json["tokenizer"]!["vocab_size"]);
        Assert.Equal("managed", (string?)json["tokenizer"]!["engine"]);
        Assert.Equal("llama", (string?)json["architecture"]);
        Assert.Equal(layers, (long?)json["block_count"]);
        Assert.Equal(width, (long?)json["embedding_length"]);
        Assert.Equal(vocab, (long?)json["vocab_size"]);
        Assert.Contains(type, (string?)json["file_type"], StringComparison.Ordinal);
        Assert.False((bool?)json["chat_template"]);
        Assert.Equal("llama", (string?)json["metadata"]!["general.architecture"]);
        Assert.Equal($"[array of {vocab} string]", (string?)json["metadata"]!["tokenizer.ggml.tokens"]);
        if (file == "stories260K.gguf") Assert.Equal(292_800L, (long?)json["parameters"]);
    }

    [Fact]
    public async Task Inspect_prints_a_readable_summary()
    {
        var path = Repo.Shared("models", "stories260K.gguf");

        var (code, stdout, _) = await Run("models", "inspect", path);

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("architecture:     llama", stdout, StringComparison.Ordinal);
        Assert.Contains("parameters:       292,800", stdout, StringComparison.Ordinal);
        Assert.Contains("chat template:    no", stdout, StringComparison.Ordinal);
        Assert.Contains("tokenizer:        llama (SentencePiece BPE), 512 tokens, managed", stdout, StringComparison.Ordinal);
        Assert.Contains("llama.block_count = 5", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Inspect_of_a_missing_or_invalid_file_is_bad_input()
    {
        var junk = _dir["junk.gguf"];
        await File.WriteAllTextAsync(junk, "not a model", TestContext.Current.CancellationToken);

        var (code, _, stderr) = await Run("models", "inspect", junk);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("not a valid GGUF file", stderr, StringComparison.Ordinal);

        (code, _, stderr) = await Run("models", "inspect", _dir["missing/none.gguf"]);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("none.gguf", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Download_by_url_verifies_the_file_and_a_second_run_finds_it_in_place()
    {
        await using var server = new TestHttpServer(Content);
        var to = _dir["models"];

        var (code, stdout, stderr) = await Run("models", "download", "--url", server.Url.ToString(), "--sha256", Sha, "--to", to);

        Assert.True(code == 0, stderr);
        Assert.Contains("SHA-256 verified", stdout, StringComparison.Ordinal);
        Assert.Equal(Content, await File.ReadAllBytesAsync(Path.Combine(to, "model.gguf"), TestContext.Current.CancellationToken));

        (code, stdout, _) = await Run("models", "download", "--url", server.Url.ToString(), "--sha256", Sha, "--to", to, "--json");
        Assert.Equal(ExitCodes.Ok, code);
        var result = JsonNode.Parse(stdout)!.AsArray().Single()!;
        Assert.Equal("already_present", (string?)result["outcome"]);
        Assert.Equal(Sha, (string?)result["sha256"]);
        Assert.Equal(1, server.RequestCount);
    }

    [Fact]
    public async Task A_wrong_checksum_exits_4_naming_both_digests()
    {
        await using var server = new TestHttpServer(Content);
        var wrong = new string('f', 64);

        var (code, _, stderr) = await Run("models", "download", "--url", server.Url.ToString(), "--sha256", wrong, "--to", _dir.Path);

        Assert.Equal(ExitCodes.DownloadFailed, code);
        Assert.Contains(wrong, stderr, StringComparison.Ordinal);
        Assert.Contains(Sha, stderr, StringComparison.Ordinal);
        Assert.Empty(Directory.GetFiles(_dir.Path));
    }

    [Fact]
    public async Task An_http_error_exits_4_naming_the_status()
    {
        await using var server = new TestHttpServer(Content) { Status = HttpStatusCode.NotFound };

        var (code, _, stderr) = await Run("models", "download", "--url", server.Url.ToString(), "--sha256", Sha, "--to", _dir.Path);

        Assert.Equal(ExitCodes.DownloadFailed, code);
        Assert.Contains("HTTP 404", stderr, StringComparison.Ordinal);
        Assert.Contains("fix:", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(new[] { "models", "download" }, "Say what to download")]
    [InlineData(new[] { "models", "download", "--url", "https://h/m.gguf" }, "--url needs --sha256")]
    [InlineData(new[] { "models", "download", "qwen2.5-1.5b-instruct", "--sha256", "00" }, "--sha256 goes with --url")]
    [InlineData(new[] { "models", "download", "no-such-model", "--to", "." }, "qwen2.5-1.5b-instruct")]
    [InlineData(new[] { "models", "download", "--url", "https://h/m.gguf", "--sha256", "xyz", "--to", "." }, "not a SHA-256")]
    public async Task Download_usage_mistakes_exit_2_with_a_message(string[] args, string expected)
    {
        var (code, _, stderr) = await Run(args);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains(expected, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_interrupted_download_exits_130_and_keeps_the_partial_file()
    {
        // The server sends part of the file and then holds the connection open, so the download
        // cannot finish before the interrupt however fast the machine is; the interrupt comes once
        // the downloader, having written the first bytes, asks for more, not after a guessed delay.
        await using var server = new TestHttpServer(Content) { StallAfter = _ => 64 * 1024 };
        using var watcher = new BodyReadWatcher(new SocketsHttpHandler { UseProxy = false });
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        using var output = new StringWriter();
        using var error = new StringWriter();

        var run = CliApp.RunAsync(["models", "download", "--url", server.Url.ToString(), "--sha256", Sha, "--to", _dir.Path],
            output, error, () => new ModelDownloader(watcher, disposeHandler: false), cts.Token);
        await watcher.AskedForMoreAfterBytes.Task.WaitAsync(TestContext.Current.CancellationToken);
        await cts.CancelAsync();
        var code = await run;

        var stderr = error.ToString();
        Assert.True(code == ExitCodes.Interrupted, stderr);
        Assert.Contains("Run the same command again to resume", stderr, StringComparison.Ordinal);
        Assert.InRange(new FileInfo(_dir["model.gguf.partial"]).Length, 1, 64 * 1024);
        Assert.False(File.Exists(_dir["model.gguf"]));
    }

    /// <summary>
    /// Passes every response through and completes <see cref="AskedForMoreAfterBytes"/> when the
    /// reader of a body, having been given some bytes, asks for more: the downloader reads, writes
    /// what it read to the partial file, and only then reads again.
    /// </summary>
    private sealed class BodyReadWatcher(HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        public TaskCompletionSource AskedForMoreAfterBytes { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            var body = new WatchedStream(await response.Content.ReadAsStreamAsync(cancellationToken), AskedForMoreAfterBytes);
            var content = new StreamContent(body);
            foreach (var (name, values) in response.Content.Headers) content.Headers.TryAddWithoutValidation(name, values);
            response.Content = content;
            return response;
        }

        private sealed class WatchedStream(Stream inner, TaskCompletionSource askedForMore) : Stream
        {
            private long _given;

            public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
            {
                if (_given > 0) askedForMore.TrySetResult();
                var n = await inner.ReadAsync(buffer, cancellationToken);
                _given += n;
                return n;
            }

            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

            public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();

            public override bool CanRead => true;
            public override bool CanSeek => false;
            public override bool CanWrite => false;
            public override long Length => throw new NotSupportedException();
            public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }
            public override void Flush() { }
            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
            public override void SetLength(long value) => throw new NotSupportedException();
            public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            protected override void Dispose(bool disposing)
            {
                if (disposing) inner.Dispose();
                base.Dispose(disposing);
            }
        }
    }

    [Fact]
    public async Task List_shows_the_models_in_the_folders_which_are_in_use_and_the_catalog_models_not_downloaded()
    {
        var shared = Path.GetDirectoryName(Repo.Shared("models", "stories260K.gguf"))!;
        var resolver = Isolated(_dir);

        var (code, stdout, stderr) = await RunIsolated(cli => ModelsCommand.Create(cli, () => resolver, () => throw new InvalidOperationException("no downloads here")),
            "models", "list", "--json", "--models-dir", shared, "--model", "stories260K.gguf");

        Assert.True(code == 0, stderr);
        var json = JsonNode.Parse(stdout)!.AsObject();
        Assert.Equal(shared, (string?)json["folders"]![0]);
        var models = json["models"]!.AsArray();
        var stories = models.Single(m => (string?)m!["file"] == "stories260K.gguf")!;
        Assert.Equal("llama", (string?)stories["architecture"]);
        Assert.Equal(292_800L, (long?)stories["parameters"]);
        Assert.Equal(Path.Combine(shared, "stories260K.gguf"), (string?)stories["path"]);
        Assert.False((bool?)stories["chat_template"]);
        Assert.Equal(["chat"], stories["in_use"]!.AsArray().Select(n => (string?)n));
        var tiny = models.Single(m => (string?)m!["file"] == "llama-2-tiny-random.gguf")!;
        Assert.Empty(tiny["in_use"]!.AsArray());
        var missing = json["not_downloaded"]!.AsArray().Select(n => (string?)n!["name"]).ToArray();
        Assert.Contains("qwen2.5-1.5b-instruct", missing);
        Assert.Contains("bge-small-en-v1.5", missing);

        (code, stdout, _) = await RunIsolated(cli => ModelsCommand.Create(cli, () => resolver, () => throw new InvalidOperationException()),
            "models", "list", "--models-dir", shared, "--model", "stories260K.gguf");
        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("stories260K.gguf", stdout, StringComparison.Ordinal);
        Assert.Contains("not downloaded (localqa models download NAME):", stdout, StringComparison.Ordinal);
        Assert.Matches(@"stories260K\.gguf\s+llama\s+293K\s+F32\s.*\schat", stdout);
    }

    [Fact]
    public async Task Download_by_catalog_name_targets_the_models_folder_in_home_and_never_overwrites_a_different_file()
    {
        // A different file already holds the name, so the downloader stops before any request:
        // no test ever contacts the catalog's real addresses.
        var resolver = Isolated(_dir);
        var target = Directory.CreateDirectory(Path.Combine(_dir["home"], "models")).FullName;
        var entry = ModelCatalog.LoadDefault().DefaultEmbedding;
        var path = Path.Combine(target, entry.File);
        await File.WriteAllTextAsync(path, "not the model", TestContext.Current.CancellationToken);

        var e = await Assert.ThrowsAsync<InvalidInputException>(() => RunIsolated(
            cli => ModelsCommand.Create(cli, () => resolver, () => new ModelDownloader(new SocketsHttpHandler { UseProxy = false })),
            "models", "download", entry.Name));

        Assert.Contains($"'{path}' already exists", e.Message, StringComparison.Ordinal);
        Assert.Equal("not the model", await File.ReadAllTextAsync(path, TestContext.Current.CancellationToken));
    }
}
