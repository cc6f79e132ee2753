using LocalQa.Core.Gguf;
using LocalQa.Llama;
using LocalQa.Testing;

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
        _longChat = new Lazy<LlamaModel>(() =>
        {
            var path = Path.Combine(Dir, "tiny-chat-8k.gguf");
            SyntheticModel.WriteTiny(path, new TinyModelOptions { Shape = ModelShape.Tiny with { ContextLength = 8192 } });
            return LlamaModel.Load(path);
        });
    }

    private readonly Lazy<LlamaModel> _longChat;

    /// <summary>The tiny chat model trained for 8,192 positions: its small vocabulary spends several
    /// tokens a word, so a conversation over real passages needs the room.</summary>
    public LlamaModel LongChat => _longChat.Value;

    public string Dir { get; }
    public string ChatPath { get; }
    public string EmbedPath { get; }
    public LlamaModel Chat { get; }

    public string NewIndexPath() => Path.Combine(Dir, $"index-{Guid.NewGuid():N}.db");

    public void Dispose()
    {
        Chat.Dispose();
        if (_longChat.IsValueCreated) _longChat.Value.Dispose();
        try { Directory.Delete(Dir, recursive: true); }
        catch (IOException) { }
    }
}
