using LocalQa.Hosting;
using LocalQa.Testing;

namespace LocalQa.Server.Tests;

/// <summary>
/// Two libraries over the bundled seeds/, each in its own temporary index: one with generated tiny
/// chat and embedding models (random weights: generated text is noise, the wire format is not), one
/// without a chat model, whose answers are extractive and so say who founded FAIR.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public string Dir { get; } = Directory.CreateTempSubdirectory("localqa-server-tests-").FullName;

    public LocalQaLibrary Generative { get; private set; } = null!;

    /// <summary>The generated chat model's file (its tokenizer is what a remote engine's counts are checked with).</summary>
    public string ChatModelPath => Path.Combine(Dir, "tiny-chat.gguf");
    public LocalQaLibrary Extractive { get; private set; } = null!;

    /// <summary>The generative models as serve loads them: four slots of one context, decoded together
    /// (at full precision, so an answer decoded beside others is the one it gets alone).</summary>
    public LocalQaLibrary Slotted { get; private set; } = null!;

    public async ValueTask InitializeAsync()
    {
        var chat = Path.Combine(Dir, "tiny-chat.gguf");
        var embed = Path.Combine(Dir, "tiny-embed.gguf");
        SyntheticModel.WriteTiny(chat, new TinyModelOptions());
        SyntheticModel.WriteTiny(embed, TinyModelOptions.Embedding);
        Generative = LocalQaLibrary.Open(new LibraryOptions
        {
            Home = Dir,
            IndexPath = Path.Combine(Dir, "generative.db"),
            ChatModel = chat,
            EmbedModel = embed,
            Threads = 2,
        }, LibraryModels.Both);
        Extractive = LocalQaLibrary.Open(new LibraryOptions { Home = Dir, IndexPath = Path.Combine(Dir, "extractive.db"), Threads = 2 }, LibraryModels.Both);
        Slotted = LocalQaLibrary.Open(new LibraryOptions
        {
            Home = Dir,
            IndexPath = Path.Combine(Dir, "slotted.db"),
            ChatModel = chat,
            EmbedModel = embed,
            Threads = 2,
            Slots = 4,
            // Concurrent answers are compared with lone ones: decoded bit-identically to them.
            ExactSlots = true,
        }, LibraryModels.Both);
        Assert.NotNull(await Slotted.EnsureSeededAsync());
        Assert.NotNull(await Generative.EnsureSeededAsync());
        Assert.NotNull(await Extractive.EnsureSeededAsync());
    }

    public ValueTask DisposeAsync()
    {
        Generative?.Dispose();
        Extractive?.Dispose();
        Slotted?.Dispose();
        try { Directory.Delete(Dir, recursive: true); }
        catch (IOException) { }
        return ValueTask.CompletedTask;
    }
}

[CollectionDefinition(Name)]
public sealed class ServerTests : ICollectionFixture<ServerFixture>
{
    public const string Name = "server";
}
