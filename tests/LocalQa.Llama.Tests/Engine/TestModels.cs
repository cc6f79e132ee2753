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

internal static class TestModelFiles
{
    private static readonly Lazy<string> TinyPath = new(() => SharedModels.Require("stories260K.gguf"));

    internal static string Tiny() => TinyPath.Value;
}
