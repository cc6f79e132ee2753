using System.Text.Json.Nodes;
using LocalQa.Hosting.Models;
using LocalQa.Llama;

namespace LocalQa.Core.Tests.Models;

public sealed class ModelCatalogTests
{
    private static string ShippedPath => Path.Combine(Repo.Root, "models", "catalog.json");

    [Fact]
    public void The_shipped_catalog_is_well_formed_with_one_default_chat_and_one_default_embedding_model()
    {
        var catalog = ModelCatalog.Load(ShippedPath);

        Assert.Equal("qwen2.5-1.5b-instruct", catalog.DefaultChat.Name);
        Assert.Equal("bge-small-en-v1.5", catalog.DefaultEmbedding.Name);
        Assert.True(catalog.OfKind(ModelKind.Chat).Count() >= 3, "a smaller and a larger chat alternative");
        Assert.True(catalog.OfKind(ModelKind.Embedding).Count() >= 2, "an embedding alternative");
        Assert.Contains(catalog.OfKind(ModelKind.Chat), m => m.Bytes < catalog.DefaultChat.Bytes);
        Assert.Contains(catalog.OfKind(ModelKind.Chat), m => m.Bytes > catalog.DefaultChat.Bytes);
        foreach (var m in catalog.Models)
        {
            Assert.Equal("https", m.Url.Scheme);
            Assert.Matches("^[0-9a-f]{64}$", m.Sha256);
            Assert.True(m.Bytes > 0);
            Assert.EndsWith(".gguf", m.File, StringComparison.Ordinal);
            Assert.EndsWith("/" + m.File, m.Url.AbsolutePath, StringComparison.Ordinal);
            Assert.False(string.IsNullOrWhiteSpace(m.License), $"{m.Name} names its licence");
        }
        Assert.Equal("search_query: ", catalog.Get("nomic-embed-text-v1.5").QueryPrefix);
    }

    [Fact]
    public void The_shipped_catalog_has_exactly_the_facts_of_the_shared_catalog()
    {
        var shared = ModelCatalog.Load(Repo.Shared("models", "catalog.json"));
        var shipped = ModelCatalog.Load(ShippedPath);

        Assert.Equal(shared.Models, shipped.Models);

        // Field by field as well, so a key the parser ignores cannot drift unnoticed.
        var a = JsonNode.Parse(File.ReadAllText(Repo.Shared("models", "catalog.json")))!.AsObject();
        var b = JsonNode.Parse(File.ReadAllText(ShippedPath))!.AsObject();
        foreach (var kind in new[] { "chat", "embedding" })
            Assert.True(JsonNode.DeepEquals(a[kind], b[kind]), $"\"{kind}\" differs from ../shared/models/catalog.json");
    }

    [Fact]
    public void The_default_catalog_is_found_from_the_test_binaries()
    {
        Assert.NotNull(ModelCatalog.DefaultPath);
        Assert.Equal(ModelCatalog.Load(ShippedPath).Models, ModelCatalog.LoadDefault().Models);
    }

    [Fact]
    public void Names_and_files_are_found_case_insensitively_and_an_unknown_name_lists_the_known_ones()
    {
        var catalog = ModelCatalog.Load(ShippedPath);
        Assert.Equal("qwen2.5-0.5b-instruct", catalog.Get("Qwen2.5-0.5B-Instruct").Name);
        Assert.Equal("all-minilm-l6-v2", catalog.FindByFile("all-minilm-l6-v2-q8_0.gguf")?.Name);

        var e = Assert.Throws<InvalidInputException>(() => catalog.Get("gpt-5"));
        Assert.Contains("'gpt-5'", e.Message, StringComparison.Ordinal);
        Assert.Contains("qwen2.5-1.5b-instruct", e.Fix, StringComparison.Ordinal);
        Assert.DoesNotContain("--", e.Fix, StringComparison.Ordinal);
        Assert.Equal(nameof(DownloadRequest.Url), e.Setting);
    }

    public static TheoryData<string, string> Malformed => new()
    {
        { """{"chat": [{"name": "a", "default": true, "file": "a.gguf", "url": "http://h/a.gguf", "sha256": "%SHA%", "bytes": 1}], "embedding": [%E%]}""", "https" },
        { """{"chat": [{"name": "a", "default": true, "file": "a.gguf", "url": "https://h/a.gguf", "sha256": "abc", "bytes": 1}], "embedding": [%E%]}""", "64 hex" },
        { """{"chat": [{"name": "a", "default": true, "file": "a.gguf", "url": "https://h/a.gguf", "sha256": "%SHA%", "bytes": 0}], "embedding": [%E%]}""", "\"bytes\"" },
        { """{"chat": [{"name": "a", "default": true, "file": "../a.gguf", "url": "https://h/a.gguf", "sha256": "%SHA%", "bytes": 1}], "embedding": [%E%]}""", "plain .gguf file name" },
        { """{"chat": [{"name": "a", "file": "a.gguf", "url": "https://h/a.gguf", "sha256": "%SHA%", "bytes": 1}], "embedding": [%E%]}""", "no chat model is marked" },
        { """{"chat": [%C%, {"name": "b", "default": true, "file": "b.gguf", "url": "https://h/b.gguf", "sha256": "%SHA%", "bytes": 1}], "embedding": [%E%]}""", "2 chat models are marked default" },
        { """{"chat": [%C%], "embedding": [%E%], "vision": []}""", "\"vision\" is not a kind" },
        { """{"chat": [%C%, %C%], "embedding": [%E%]}""", "appears twice" },
        { """{"chat": [{"name": "a", "default": true, "file": "a.gguf", "url": "https://h/a.gguf", "sha265": "%SHA%", "bytes": 1}], "embedding": [%E%]}""", "unknown field \"sha265\"" },
        { """{"chat": [%C%], "embedding": [%E%]""", "not valid JSON" },
        { """{"chat": [%C%]}""", "no embedding model is marked" },
    };

    [Theory]
    [MemberData(nameof(Malformed))]
    public void A_malformed_catalog_is_refused_with_the_problem_named(string json, string expected)
    {
        var sha = new string('a', 64);
        var chat = $$"""{"name": "a", "default": true, "file": "a.gguf", "url": "https://h/a.gguf", "sha256": "{{sha}}", "bytes": 1}""";
        var embed = $$"""{"name": "e", "default": true, "file": "e.gguf", "url": "https://h/e.gguf", "sha256": "{{sha}}", "bytes": 1}""";
        json = json.Replace("%SHA%", sha, StringComparison.Ordinal).Replace("%C%", chat, StringComparison.Ordinal).Replace("%E%", embed, StringComparison.Ordinal);

        var e = Assert.Throws<InvalidInputException>(() => ModelCatalog.Parse(json, "test-catalog.json"));
        Assert.Contains("test-catalog.json", e.Message, StringComparison.Ordinal);
        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_minimal_catalog_parses_and_digests_are_normalized_to_lowercase()
    {
        var sha = new string('A', 64);
        var catalog = ModelCatalog.Parse($$"""
            // comments are allowed
            {"chat": [{"name": "c", "default": true, "file": "c.gguf", "url": "https://h/c.gguf", "sha256": "{{sha}}", "bytes": 5, "context": 2048}],
             "embedding": [{"name": "e", "default": true, "file": "e.gguf", "url": "https://h/e.gguf", "sha256": "{{sha}}", "bytes": 7, "dimensions": 384}]}
            """, "mini");
        Assert.Equal(new string('a', 64), catalog.DefaultChat.Sha256);
        Assert.Equal(2048, catalog.DefaultChat.Context);
        Assert.Equal(384, catalog.DefaultEmbedding.Dimensions);
        Assert.Equal(ModelKind.Embedding, catalog.DefaultOf(ModelKind.Embedding).Kind);
    }
}
