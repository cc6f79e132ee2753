using LocalQa.Core.Gguf;
using LocalQa.Hosting.Models;
using LocalQa.Testing;

namespace LocalQa.Core.Tests.Models;

public sealed class ModelInventoryTests
{
    private static readonly ModelCatalog Catalog = ModelCatalog.Parse($$"""
        {"chat": [{"name": "tiny-chat", "default": true, "file": "tiny-chat.gguf", "url": "https://h/tiny-chat.gguf", "sha256": "{{new string('a', 64)}}", "bytes": 1}],
         "embedding": [{"name": "tiny-embed", "default": true, "file": "tiny-embed.gguf", "url": "https://h/tiny-embed.gguf", "sha256": "{{new string('b', 64)}}", "bytes": 1}]}
        """, "inline");

    [Fact]
    public void Scan_describes_every_gguf_file_from_its_header_and_lists_broken_ones_with_the_reason()
    {
        using var dir = new TempFolder();
        SyntheticModel.WriteTiny(dir["tiny-chat.gguf"]);
        var nested = dir.Sub(Path.Combine("publisher", "repo"));
        SyntheticModel.WriteTiny(Path.Combine(nested, "embed.gguf"), TinyModelOptions.Embedding);
        File.WriteAllText(dir["broken.gguf"], "this is not a model");
        File.WriteAllBytes(dir["half.gguf.partial"], [1, 2, 3]);

        var found = ModelInventory.Scan([dir.Path, dir.Path, dir["absent"]], Catalog);

        Assert.Equal(["broken.gguf", "embed.gguf", "tiny-chat.gguf"], found.Select(m => m.FileName).Order(StringComparer.Ordinal));
        var chat = found.Single(m => m.FileName == "tiny-chat.gguf");
        Assert.Null(chat.Error);
        Assert.Equal("llama", chat.Architecture);
        Assert.True(chat.HasChatTemplate);
        Assert.False(chat.IsEmbeddingCapable);
        Assert.Equal("ALL_F32", chat.Quantization);
        Assert.Equal(new FileInfo(dir["tiny-chat.gguf"]).Length, chat.SizeBytes);
        Assert.True(chat.Parameters > 0);
        Assert.Equal(64, chat.EmbeddingLength);
        Assert.Equal("tiny-chat", chat.Catalog?.Name);

        var embed = found.Single(m => m.FileName == "embed.gguf");
        Assert.True(embed.IsEmbeddingCapable);
        Assert.False(embed.HasChatTemplate);
        Assert.Null(embed.Catalog);

        var broken = found.Single(m => m.FileName == "broken.gguf");
        Assert.NotNull(broken.Error);
        Assert.Contains("broken.gguf", broken.Error, StringComparison.Ordinal);
        Assert.Null(broken.Architecture);
    }

    [Fact]
    public void Catalog_entries_without_a_valid_file_are_not_downloaded()
    {
        using var dir = new TempFolder();
        SyntheticModel.WriteTiny(dir["tiny-chat.gguf"]);
        File.WriteAllText(dir["tiny-embed.gguf"], "truncated download");

        var missing = ModelInventory.NotDownloaded(Catalog, ModelInventory.Scan([dir.Path], Catalog));

        Assert.Equal(["tiny-embed"], missing.Select(m => m.Name));
    }

    [Fact]
    public void Bert_like_architectures_and_declared_pooling_make_a_file_embedding_capable()
    {
        using var dir = new TempFolder();
        var path = dir["bert.gguf"];
        using (var w = new GgufWriter(path))
        {
            w.AddMetadata("general.architecture", GgufValue.FromString("bert"));
            w.AddTensor("t", GgufTensorType.F32, 4);
            w.WriteTensorData([1f, 2f, 3f, 4f]);
            w.Complete();
        }
        Assert.True(ModelInventory.Describe(path).IsEmbeddingCapable);
        Assert.True(ModelInventory.IsEmbeddingCapable(GgufReader.Read(path)));
    }

    [Fact]
    public void A_model_reached_through_a_symbolic_link_shows_the_size_of_the_file_it_points_to()
    {
        // Download caches (Hugging Face's among them) hand out links to blobs.
        using var dir = new TempFolder();
        var blob = dir["blob"];
        using (var w = new GgufWriter(blob))
        {
            w.AddMetadata("general.architecture", GgufValue.FromString("llama"));
            w.AddTensor("t", GgufTensorType.F32, 1024);
            w.WriteTensorData(new float[1024]);
            w.Complete();
        }
        var link = dir["model.gguf"];
        File.CreateSymbolicLink(link, blob);

        Assert.Equal(new FileInfo(blob).Length, ModelInventory.Describe(link).SizeBytes);
    }

    [Fact]
    public void Locate_finds_a_model_by_path_by_file_name_and_by_catalog_name()
    {
        using var dir = new TempFolder();
        var models = dir.Sub("models");
        SyntheticModel.WriteTiny(Path.Combine(models, "tiny-chat.gguf"));
        var expected = Path.Combine(models, "tiny-chat.gguf");

        Assert.Equal(expected, ModelInventory.Locate(expected, [], Catalog, "/"));
        Assert.Equal(expected, ModelInventory.Locate("models/tiny-chat.gguf", [], Catalog, dir.Path));
        Assert.Equal(expected, ModelInventory.Locate("tiny-chat.gguf", [models], Catalog, dir.Path));
        Assert.Equal(expected, ModelInventory.Locate("tiny-chat", [models], null, dir.Path));
        Assert.Equal(expected, ModelInventory.Locate("TINY-CHAT", [models], Catalog, dir.Path));
        Assert.Null(ModelInventory.Locate("tiny-embed", [models], Catalog, dir.Path));
        Assert.Null(ModelInventory.Locate("elsewhere/tiny-chat.gguf", [models], Catalog, dir.Path));
    }
}
