using System.Text.Json.Nodes;
using LocalQa.Bench;
using LocalQa.Core.Gguf;
using LocalQa.Core.Index;
using LocalQa.Llama;
using LocalQa.Testing;

namespace LocalQa.Core.Tests.Bench;

/// <summary>The tiny generated chat and embedding models, written once for the bench tests.</summary>
public sealed class BenchModelsFixture : IDisposable
{
    private readonly string _dir = Directory.CreateTempSubdirectory("localqa-bench-tests-").FullName;

    public BenchModelsFixture()
    {
        ModelPath = Path.Combine(_dir, "tiny.gguf");
        SyntheticModel.WriteTiny(ModelPath, new TinyModelOptions { TensorType = GgufTensorType.Q8_0 });
        var llamaEmbedding = Path.Combine(_dir, "tiny-embed-llama.gguf");
        SyntheticModel.WriteTiny(llamaEmbedding, TinyModelOptions.Embedding);
        EmbeddingModelPath = Path.Combine(_dir, "tiny-embed.gguf");
        SyntheticModels.WriteAsEmbeddingArchitecture(llamaEmbedding, EmbeddingModelPath);
    }

    public string ModelPath { get; }

    public string EmbeddingModelPath { get; }

    public string NewWorkFolder() => Directory.CreateDirectory(Path.Combine(_dir, "work-" + Guid.NewGuid().ToString("N"))).FullName;

    public void Dispose() => Directory.Delete(_dir, recursive: true);
}

/// <summary>
/// Every bench section end to end on tiny models and tiny sizes: the code paths run and report what
/// the JSON promises. No timing is asserted beyond "positive": speed is for the real runs.
/// </summary>
public sealed class BenchRunnerTests(BenchModelsFixture models) : IClassFixture<BenchModelsFixture>
{
    private BenchOptions TinyOptions(string work) => new()
    {
        ModelPath = models.ModelPath,
        EmbeddingModelPath = models.EmbeddingModelPath,
        // One thread: a tiny graph on a busy machine spends its time in thread barriers otherwise.
        Threads = 1,
        Repeat = 2,
        PromptTokens = 16,
        GenTokens = 4,
        Parallel = [1, 2],
        BatchedPromptTokens = 8,
        BatchedGenTokens = 4,
        ServeClients = [1, 2],
        TtftPromptTokens = 64,
        TtftChangedTokens = 8,
        ChatTurns = 3,
        ChatFirstTokens = 96,
        ChatFollowUpTokens = 24,
        ChatAnswerTokens = 6,
        EmbeddingTexts = 6,
        EmbeddingTextTokens = 24,
        DenseSizes = [1000, 1500],
        Dimensions = 32,
        Queries = 20,
        Articles = 12,
        EmbeddedArticles = 4,
        PdfPages = 20,
        WorkDirectory = work,
    };

    [Fact]
    public async Task All_sections_run_and_the_json_holds_every_field_with_positive_numbers()
    {
        var work = models.NewWorkFolder();
        try
        {
            var report = await BenchRunner.RunAsync(TinyOptions(work));
            var json = JsonNode.Parse(BenchJson.ToJson(report).ToJsonString())!.AsObject();

            Assert.Equal("tiny.gguf", (string?)json["model"]);
            Assert.Equal(models.ModelPath, (string?)json["model_path"]);
            Assert.Equal(1, (int)json["threads"]!);
            Assert.Equal(0, (int)json["gpu_layers"]!);
            Assert.Equal(16, (int)json["prefill_tokens"]!);
            Assert.Equal(4, (int)json["decode_tokens"]!);
            Positive(json, "prefill_tps", "decode_tps", "load_seconds", "peak_memory_mb");
            SpreadAround(json, "prefill");
            SpreadAround(json, "decode");

            var batched = json["batched"]!.AsArray();
            Assert.Equal([1, 2], batched.Select(b => (int)b!["sequences"]!));
            foreach (var b in batched)
            {
                Positive(b!.AsObject(), "decode_tps", "prefill_tps");
                SpreadAround(b.AsObject(), "decode");
            }

            var embedding = json["embedding"]!.AsObject();
            Positive(embedding, "batched_per_s", "single_per_s", "tokens_per_text", "load_seconds");
            Assert.Equal(6, (int)embedding["texts"]!);
            Assert.Equal(64, (int)embedding["dimensions"]!);
            // Six short texts fit one batch of the embedder: batching is what is being measured.
            Assert.Equal(1, (int)embedding["batched_decode_calls"]!);

            var retrieval = json["retrieval"]!.AsObject();
            Positive(retrieval, "dense_1k_p50_ms", "dense_1k_p95_ms", "dense_1500_p50_ms", "dense_1500_p95_ms", "bm25_p50_ms", "bm25_p95_ms", "bm25_chunks");
            Assert.True((double)retrieval["dense_1k_p95_ms"]! >= (double)retrieval["dense_1k_p50_ms"]!);
            Assert.Equal(20, (int)retrieval["queries"]!);

            var ttft = json["ttft"]!.AsObject();
            Positive(ttft, "cold_ms", "followup_ms");
            Assert.Equal(64 - 8, (int)ttft["reused_tokens"]!);

            var chat = json["chat"]!.AsObject();
            var turns = chat["turns"]!.AsArray().Select(t => t!.AsObject()).ToArray();
            Assert.Equal([1, 2, 3], turns.Select(t => (int)t["turn"]!));
            Assert.Equal((int)turns[0]["prompt_tokens"]!, (int)turns[0]["evaluated_tokens"]!);
            foreach (var t in turns)
                Positive(t, "ttft_ms", "cold_ttft_ms", "share_of_cold", "new_tokens");
            foreach (var t in turns[1..])
            {
                // A follow-up evaluates what the conversation grew by (and the last answer token, never decoded), not the conversation.
                Assert.InRange((int)t["evaluated_tokens"]!, (int)t["new_tokens"]!, (int)t["new_tokens"]! + 1);
                Assert.True((int)t["prompt_tokens"]! > (int)turns[0]["prompt_tokens"]!);
            }
            Assert.Equal(6, (int)chat["answer_tokens"]!);

            var ingest = json["ingest"]!.AsObject();
            Assert.Equal(12, (int)ingest["documents"]!);
            Assert.True((int)ingest["chunks"]! >= 12);
            Positive(ingest, "seconds", "documents_per_s", "chunks_per_s", "peak_memory_mb");
            var embedded = ingest["with_embeddings"]!.AsObject();
            Assert.Equal(4, (int)embedded["documents"]!);
            Assert.Equal("tiny-embed.gguf", (string?)embedded["embedding_model"]);
            Positive(embedded, "documents_per_s", "chunks_per_s", "peak_memory_mb");

            var pdf = json["pdf"]!.AsObject();
            Assert.Equal(20, (int)pdf["pages"]!);
            Assert.Equal(2, (int)pdf["small_pages"]!);
            Positive(pdf, "file_mb", "chunks", "seconds", "pages_per_s", "peak_memory_mb", "small_peak_memory_mb");
            Assert.NotNull(pdf["peak_kib_per_extra_page"]);

            // Streaming clients through a real server on loopback, as many slots as the most clients.
            var serve = json["serve"]!.AsObject();
            Assert.Equal(2, (int)serve["slots"]!);
            Positive(serve, "in_process_first_token_ms_p50");
            var clients = serve["clients"]!.AsArray();
            Assert.Equal([1, 2], clients.Select(c => (int)c!["clients"]!));
            foreach (var c in clients)
            {
                Positive(c!.AsObject(), "end_to_end_tps", "first_token_ms_p50", "first_token_ms_p99", "tokens");
                Assert.InRange((int)c!["tokens"]!, 1, 4);
                Assert.True((double)c["first_token_ms_p99"]! >= (double)c["first_token_ms_p50"]!);
            }

            using var index = LocalQaIndex.Open(Path.Combine(work, "ingest-embedded.db"));
            var stats = index.Stats();
            Assert.Equal(4, stats.Documents);
            Assert.Equal(stats.Chunks, Assert.Single(stats.Embeddings).EmbeddedChunks);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task Gpu_layers_reach_the_models_and_the_json_says_whether_the_runtime_could_offload()
    {
        var work = models.NewWorkFolder();
        try
        {
            var options = TinyOptions(work) with { Sections = BenchSections.Prefill | BenchSections.Decode | BenchSections.Embedding, GpuLayers = -1 };

            var json = BenchJson.ToJson(await BenchRunner.RunAsync(options));

            Assert.Equal(-1, (int)json["gpu_layers"]!);
            // The bundled runtime is CPU-only: all layers asked for, none offloaded, and the JSON says so
            // (a CUDA build in LOCALQA_NATIVE_DIR reports true).
            Assert.Equal(LlamaRuntime.Load().SupportsGpuOffload, (bool)json["gpu_offload"]!);
            Positive(json, "prefill_tps", "decode_tps");
            Positive(json["embedding"]!.AsObject(), "batched_per_s");
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task Only_the_chosen_sections_run_and_the_others_are_null()
    {
        var work = models.NewWorkFolder();
        try
        {
            var options = TinyOptions(work) with { Sections = BenchSections.Retrieval, ModelPath = null, EmbeddingModelPath = null };

            var json = BenchJson.ToJson(await BenchRunner.RunAsync(options));

            Assert.Equal("retrieval", (string?)json["sections"]);
            Assert.NotNull(json["retrieval"]);
            foreach (var key in new[] { "model", "prefill_tps", "decode_tps", "batched", "embedding", "ttft", "chat", "ingest", "pdf", "load_seconds" })
                Assert.Null(json[key]);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public async Task The_serve_measurement_drives_another_server_when_given_its_endpoint()
    {
        // Another OpenAI-compatible server (here a LocalQa serve the test starts) stands in for llama-server.
        var work = models.NewWorkFolder();
        try
        {
            using var library = LocalQa.Hosting.LocalQaLibrary.Open(new LocalQa.Hosting.LibraryOptions
            {
                Home = work,
                IndexPath = Path.Combine(work, "other.db"),
                ChatModel = models.ModelPath,
                ContextSize = 256,
                Threads = 1,
                Slots = 2,
            }, LocalQa.Hosting.LibraryModels.Chat);
            await using var server = await LocalQa.Server.LocalQaServer.StartAsync(library, new LocalQa.Server.ServerOptions { Host = "127.0.0.1", Port = 0 }, TestContext.Current.CancellationToken);
            var endpoint = new Uri(server.Address, "v1").ToString();
            var options = TinyOptions(work) with { Sections = BenchSections.Serve, ServeEndpoint = endpoint };
            var report = await BenchRunner.RunAsync(options);

            var serve = report.Serve!;
            Assert.Equal(endpoint + "/", serve.Endpoint);
            Assert.Equal([1, 2], serve.Clients.Select(c => c.Clients));
            Assert.All(serve.Clients, c => Assert.InRange(c.Tokens, 1, 4));
            // Its slots decoded the clients' requests: the bench started no server of its own. (Whether the
            // two clients overlapped depends on how fast the tiny model answers, so that is not asserted.)
            Assert.True(library.Slots!.DecodeCalls > 0);
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
    }

    [Fact]
    public void A_serve_endpoint_that_is_not_an_http_url_is_a_user_error()
    {
        var e = Assert.Throws<InvalidInputException>(new BenchOptions { ServeEndpoint = "localhost:8080" }.Validate);
        Assert.Contains("--serve-endpoint", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Too_many_parallel_sequences_for_the_context_is_a_user_error()
    {
        var options = TinyOptions(models.NewWorkFolder()) with { Sections = BenchSections.Batched, Parallel = [64], BatchedPromptTokens = 128, BatchedGenTokens = 64 };
        try
        {
            var e = await Assert.ThrowsAsync<InvalidInputException>(() => BenchRunner.RunAsync(options));
            Assert.Contains("--parallel 64", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            Directory.Delete(options.WorkDirectory!, recursive: true);
        }
    }

    [Fact]
    public void More_embedded_articles_than_generated_ones_is_a_user_error_naming_both_options()
    {
        var options = new BenchOptions { Articles = 50, EmbeddedArticles = 100 };
        var e = Assert.Throws<InvalidInputException>(options.Validate);
        Assert.Contains("--embed-articles 100", e.Message, StringComparison.Ordinal);
        Assert.Contains("--articles", e.Fix, StringComparison.Ordinal);
    }

    private static void Positive(JsonObject json, params string[] keys)
    {
        foreach (var key in keys)
        {
            Assert.True(json[key] is not null, $"{key} is missing or null");
            Assert.True((double)json[key]! > 0, $"{key} is {json[key]}");
        }
    }

    private static void SpreadAround(JsonObject json, string name)
    {
        var spread = json[name + "_spread"]!.AsArray();
        var median = (double)json[name + "_tps"]!;
        Assert.Equal(2, spread.Count);
        Assert.InRange(median, (double)spread[0]!, (double)spread[1]!);
    }
}
