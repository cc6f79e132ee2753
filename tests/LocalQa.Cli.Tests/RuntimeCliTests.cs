using System.Text.Json;

namespace LocalQa.Cli.Tests;

public sealed class RuntimeCliTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Doctor_reports_the_bundled_runtime_version_and_cpu_build()
    {
        var r = _cli.Run("doctor", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var rt = doc.RootElement.GetProperty("runtime");
        Assert.True(rt.GetProperty("loaded").GetBoolean());
        Assert.StartsWith("0.5.0", rt.GetProperty("version").GetString(), StringComparison.Ordinal);
        Assert.Contains("CPU", rt.GetProperty("system_info").GetString(), StringComparison.Ordinal);
        Assert.False(string.IsNullOrEmpty(rt.GetProperty("cpu_variant").GetString()));
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("model").ValueKind);
    }

    [Fact]
    public void A_missing_runtime_is_reported_with_the_fix_and_extractive_answers_still_work()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_cli.Home, "no-runtime")).FullName;
        var env = new Dictionary<string, string?> { ["LOCALQA_NATIVE_DIR"] = empty };
        var doctor = _cli.Run(["doctor"], null, env);
        Assert.Equal(2, doctor.ExitCode);
        Assert.Contains("NOT LOADED", doctor.Out, StringComparison.Ordinal);
        Assert.Contains("npm", doctor.Out, StringComparison.Ordinal);

        var ask = _cli.Run(["ask", "Which company did Meta acquire about 49% of?"], null, env);
        Assert.True(ask.ExitCode == 0, ask.Err);
        Assert.Contains("Scale AI", ask.Out, StringComparison.Ordinal);

        var bench = _cli.Run(["bench", "--synthetic", "tiny", "--prompt", "8", "--gen", "2"], null, env);
        Assert.Equal(2, bench.ExitCode);
        Assert.Contains("LOCALQA_NATIVE_DIR", bench.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Bench_measures_the_shared_stories_model()
    {
        var model = Path.GetFullPath(Path.Combine(CliRunner.RepoRoot, "..", "shared", "models", "stories260K.gguf"));
        if (!File.Exists(model)) Assert.Skip($"../shared/models/stories260K.gguf is absent ({model}).");
        var r = _cli.Run("bench", "--model", model, "--prompt", "32", "--gen", "8", "--repeat", "1", "--only", "prefill,decode", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        Assert.True(doc.RootElement.GetProperty("prefill_tps").GetDouble() > 0);
        Assert.True(doc.RootElement.GetProperty("decode_tps").GetDouble() > 0);
        Assert.Equal(32, doc.RootElement.GetProperty("prefill_tokens").GetInt32());
    }

    [Fact]
    public void Doctor_says_what_an_f16_model_costs_on_the_bundled_runtime_and_says_nothing_for_a_quantized_one()
    {
        var f16 = Path.Combine(_cli.Home, "tiny-f16.gguf");
        var q8 = Path.Combine(_cli.Home, "tiny-q8_0.gguf");
        LocalQa.Llama.Gguf.SyntheticModel.WriteTiny(f16, new LocalQa.Llama.Gguf.TinyModelOptions { TensorType = LocalQa.Llama.Gguf.GgufTensorType.F16 });
        LocalQa.Llama.Gguf.SyntheticModel.WriteTiny(q8, new LocalQa.Llama.Gguf.TinyModelOptions { TensorType = LocalQa.Llama.Gguf.GgufTensorType.Q8_0 });

        var slow = _cli.Run("doctor", "--model", f16);
        Assert.True(slow.ExitCode == 0, slow.Err);
        Assert.Contains("note:", slow.Out, StringComparison.Ordinal);
        Assert.Contains("LOCALQA_NATIVE_DIR", slow.Out, StringComparison.Ordinal);
        var quantized = _cli.Run("doctor", "--model", q8, "--json");
        Assert.True(quantized.ExitCode == 0, quantized.Err);
        using var doc = JsonDocument.Parse(quantized.Out);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("note").ValueKind);
    }

    [Fact]
    public void Doctor_gives_no_f16_note_for_a_runtime_named_by_LOCALQA_NATIVE_DIR()
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("The stand-in runtime folder links the bundled .so files (Linux).");
        var f16 = Path.Combine(_cli.Home, "tiny-f16.gguf");
        LocalQa.Llama.Gguf.SyntheticModel.WriteTiny(f16, new LocalQa.Llama.Gguf.TinyModelOptions { TensorType = LocalQa.Llama.Gguf.GgufTensorType.F16 });
        // Another build of the release, stood in for by links to the bundled libraries from another folder.
        var native = Directory.CreateDirectory(Path.Combine(_cli.Home, "native")).FullName;
        foreach (var lib in Directory.GetFiles(AppContext.BaseDirectory, "lib*.so"))
            File.CreateSymbolicLink(Path.Combine(native, Path.GetFileName(lib)), lib);

        var r = _cli.Run(["doctor", "--model", f16], null, new Dictionary<string, string?> { ["LOCALQA_NATIVE_DIR"] = native });

        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains(native, r.Out, StringComparison.Ordinal);
        Assert.DoesNotContain("note:", r.Out, StringComparison.Ordinal);
    }

    [Fact]
    public void Gpu_layers_are_accepted_on_a_cpu_only_runtime_and_reported_by_doctor()
    {
        var model = Path.Combine(_cli.Home, "gpu-tiny.gguf");
        LocalQa.Llama.Gguf.SyntheticModel.WriteTiny(model);
        var env = new Dictionary<string, string?> { ["LOCALQA_GPU_LAYERS"] = "99" };
        var doctor = _cli.Run(["doctor", "--json"], null, env);
        Assert.True(doctor.ExitCode == 0, doctor.Err);
        using var doc = JsonDocument.Parse(doctor.Out);
        var rt = doc.RootElement.GetProperty("runtime");
        Assert.Equal("99", rt.GetProperty("gpu_layers").GetString());
        Assert.False(rt.GetProperty("gpu_offload").GetBoolean());

        var ask = _cli.Run(["ask", "Which company did Meta acquire about 49% of?", "--model", model, "--gpu-layers", "-1", "--max-tokens", "3", "--json"], null);
        Assert.True(ask.ExitCode == 0, ask.Err);
        Assert.Contains("\"generative\"", ask.Out, StringComparison.Ordinal);
    }
}
