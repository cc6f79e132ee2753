using LocalQa.Core.Gguf;
using LocalQa.Testing;

namespace LocalQa.Cli.Tests.Reliability;

/// <summary>
/// Model files that used to abort the process inside llama.cpp (exit code 134), through the real
/// command line: now exit code 2 with a message naming the file and the bad value. The full
/// catalogue and the fuzz that found them are in LocalQa.Llama.Tests/Reliability.
/// </summary>
public sealed class NativeCrashCliTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    /// <summary>The tiny test model with one metadata value replaced, tensors copied as they are.</summary>
    private string TinyWith(string name, string key, GgufValue value)
    {
        var source = Path.Combine(_cli.Home, "source.gguf");
        if (!File.Exists(source)) SyntheticModel.WriteTiny(source);
        var file = GgufReader.Read(source);
        var bytes = File.ReadAllBytes(source);
        var path = Path.Combine(_cli.Home, name);
        using var w = new GgufWriter(path, file.Alignment);
        foreach (var (k, v) in file.Metadata)
        {
            if (k != "general.alignment") w.AddMetadata(k, k == key ? value : v);
        }
        foreach (var t in file.Tensors) w.AddTensor(t.Name, t.Type, [.. t.Dimensions]);
        foreach (var t in file.Tensors) w.WriteTensorBytes(bytes.AsSpan((int)t.FilePosition, (int)t.ByteSize));
        w.Complete();
        return path;
    }

    private static void AssertRefused(CliRunner.Result r, string file, string key)
    {
        Assert.True(r.ExitCode == 2, $"exit {r.ExitCode}\n{r.Err}");
        Assert.Contains(file, r.Err, StringComparison.Ordinal);
        Assert.Contains(key, r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("GGML_ASSERT", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    [Trait("Category", "Reliability")]
    public void A_model_that_aborted_loading_is_exit_2_for_doctor()
    {
        // Was: llama-model.cpp:1260: GGML_ASSERT(hparams.n_layer_all > 0 && ...) failed, exit 134.
        var model = TinyWith("no-layers.gguf", "llama.block_count", GgufValue.FromUInt32(0));
        AssertRefused(_cli.Run("doctor", "--model", model, "--json"), "no-layers.gguf", "llama.block_count");
    }

    [Fact]
    [Trait("Category", "Reliability")]
    public void A_model_that_aborted_the_first_decode_is_exit_2_for_ask()
    {
        // Was: ggml-cpu/ops.cpp:3949: GGML_ASSERT(eps >= 0.0f) failed at the first decode, exit 134.
        var model = TinyWith("bad-epsilon.gguf", "llama.attention.layer_norm_rms_epsilon", GgufValue.FromFloat32(-1));
        AssertRefused(_cli.Run("ask", "When was LLaMA 3 released?", "--model", model, "--max-tokens", "4"), "bad-epsilon.gguf", "layer_norm_rms_epsilon");
    }
}
