using LocalQa.Llama;
using LocalQa.Llama.Gguf;

namespace LocalQa.Core.Tests;

/// <summary>Generated tiny models (random weights, own vocabulary, chatml template), one per run.</summary>
public sealed class CoreModelsFixture : IDisposable
{
    public CoreModelsFixture()
    {
        Dir = Directory.CreateTempSubdirectory("localqa-core-models-").FullName;
        ChatPath = Path.Combine(Dir, "tiny-chat.gguf");
        EmbedPath = Path.Combine(Dir, "tiny-embed.gguf");
        SyntheticModel.WriteTiny(ChatPath, new TinyModelOptions());
        SyntheticModel.WriteTiny(EmbedPath, TinyModelOptions.Embedding);
        Chat = LlamaModel.Load(ChatPath);
    }

    public string Dir { get; }
    public string ChatPath { get; }
    public string EmbedPath { get; }
    public LlamaModel Chat { get; }

    public string NewIndexPath() => Path.Combine(Dir, $"index-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        Chat.Dispose();
        try { Directory.Delete(Dir, recursive: true); }
        catch (IOException) { }
    }
}
