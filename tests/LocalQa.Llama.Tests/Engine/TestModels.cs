using LocalQa.Core.Gguf;
using LocalQa.Testing;

namespace LocalQa.Llama.Tests.Engine;

/// <summary>Models shared by the engine tests, loaded once per test run.</summary>
public sealed class TinyModelFixture : IDisposable
{
    public TinyModelFixture()
    {
        Path = TestModelFiles.Tiny();
        Model = LlamaModel.Load(Path);
    }

    public string Path { get; }

    public LlamaModel Model { get; }

    public void Dispose() => Model.Dispose();
}

/// <summary>Generated once per test run with the project's own GGUF writer: random weights, its own
/// byte-fallback vocabulary and a chatml template, so every test runs without ../shared.</summary>
internal static class TestModelFiles
{
    private static readonly string Dir = Directory.CreateTempSubdirectory("localqa-llama-tests-").FullName;
    private static readonly Lazy<string> TinyPath = new(() => Write("tiny.gguf", new TinyModelOptions()));
    private static readonly Lazy<string> EmbedPath = new(() => Write("tiny-embed.gguf", TinyModelOptions.Embedding));

    internal static string Tiny() => TinyPath.Value;

    internal static string TinyEmbedding() => EmbedPath.Value;

    internal static string TempFile(string name) => Path.Combine(Dir, name);

    private static string Write(string name, TinyModelOptions options)
    {
        var path = Path.Combine(Dir, name);
        SyntheticModel.WriteTiny(path, options);
        return path;
    }
}
