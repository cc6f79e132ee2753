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
        Assert.Equal("LLamaSharp 0.30.0", rt.GetProperty("binding").GetString());
        Assert.Equal("0.18.0", rt.GetProperty("version").GetString());
        Assert.StartsWith("815a2a591", rt.GetProperty("commit").GetString(), StringComparison.Ordinal);
        Assert.True(rt.GetProperty("bundled").GetBoolean());
        Assert.Contains("CPU", rt.GetProperty("system_info").GetString(), StringComparison.Ordinal);
        // LLamaSharp picks the build for this processor from the backend package's folders.
        Assert.Contains(rt.GetProperty("cpu_variant").GetString(), new[] { "noavx", "avx", "avx2", "avx512" });
        Assert.Contains(Path.Combine("runtimes", ""), rt.GetProperty("path").GetString(), StringComparison.Ordinal);
        Assert.Equal(JsonValueKind.Null, doc.RootElement.GetProperty("model").ValueKind);
    }

    [Fact]
    public void OpenMP_threads_wait_passively_unless_the_user_chose_otherwise()
    {
        // Spinning OpenMP threads cost 8x in decode speed when another program uses a core (docs/runtime.md).
        var byDefault = _cli.Run(["doctor", "--json"], null, new Dictionary<string, string?> { ["OMP_WAIT_POLICY"] = null });
        Assert.True(byDefault.ExitCode == 0, byDefault.Err);
        using (var doc = JsonDocument.Parse(byDefault.Out))
            Assert.Equal("PASSIVE", doc.RootElement.GetProperty("runtime").GetProperty("openmp_wait_policy").GetString());

        var chosen = _cli.Run(["doctor", "--json"], null, new Dictionary<string, string?> { ["OMP_WAIT_POLICY"] = "active" });
        Assert.True(chosen.ExitCode == 0, chosen.Err);
        using (var doc = JsonDocument.Parse(chosen.Out))
            Assert.Equal("active", doc.RootElement.GetProperty("runtime").GetProperty("openmp_wait_policy").GetString());
    }

    [Fact]
    public void A_missing_runtime_is_reported_with_the_fix_and_extractive_answers_still_work()
    {
        var empty = Directory.CreateDirectory(Path.Combine(_cli.Home, "no-runtime")).FullName;
        var env = new Dictionary<string, string?> { ["LOCALQA_NATIVE_DIR"] = empty };
        var doctor = _cli.Run(["doctor"], null, env);
        Assert.Equal(ExitCodes.RuntimeUnavailable, doctor.ExitCode);
        Assert.Contains("NOT LOADED", doctor.Out, StringComparison.Ordinal);
        Assert.Contains("LOCALQA_NATIVE_DIR", doctor.Out, StringComparison.Ordinal);
        Assert.Contains(empty, doctor.Out, StringComparison.Ordinal);

        var ask = _cli.Run(["ask", "Which company did Meta acquire about 49% of?"], null, env);
        Assert.True(ask.ExitCode == 0, ask.Err);
        Assert.Contains("Scale AI", ask.Out, StringComparison.Ordinal);

        var bench = _cli.Run(["bench", "--synthetic", "tiny", "--prompt", "8", "--gen", "2"], null, env);
        Assert.Equal(ExitCodes.RuntimeUnavailable, bench.ExitCode);
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
    public void Bench_chat_reports_each_turn_against_a_cold_prompt_and_the_tokens_evaluated()
    {
        // The tiny model's small vocabulary spends more tokens a word: a shorter first message fits its 2,048 positions.
        var r = _cli.Run("bench", "--synthetic", "tiny", "--threads", "1", "--only", "chat", "--chat-prompt", "400", "--repeat", "1", "--json");
        Assert.True(r.ExitCode == 0, r.Err);
        using var doc = JsonDocument.Parse(r.Out);
        var turns = doc.RootElement.GetProperty("chat").GetProperty("turns").EnumerateArray().ToArray();
        Assert.Equal(5, turns.Length);
        foreach (var t in turns[1..])
        {
            Assert.InRange(t.GetProperty("evaluated_tokens").GetInt32(), t.GetProperty("new_tokens").GetInt32(), t.GetProperty("new_tokens").GetInt32() + 1);
            Assert.True(t.GetProperty("cold_ttft_ms").GetDouble() > 0);
        }
        Assert.Equal("chat", doc.RootElement.GetProperty("sections").GetString());
        Assert.Contains("chat run 1/1, turn 5", r.Err, StringComparison.Ordinal);

        var table = _cli.Run("bench", "--synthetic", "tiny", "--threads", "1", "--only", "chat", "--chat-prompt", "400", "--repeat", "1");
        Assert.True(table.ExitCode == 0, table.Err);
        var tooLong = _cli.Run("bench", "--synthetic", "tiny", "--threads", "1", "--only", "chat", "--chat-prompt", "1900", "--repeat", "1");
        Assert.Equal(2, tooLong.ExitCode);
        Assert.Contains("--chat-prompt", tooLong.Err, StringComparison.Ordinal);
        Assert.Contains("chat turn 1", table.Out, StringComparison.Ordinal);
        Assert.Matches(@"chat turn 5 +\d+ ms  to first token = \d+ % of cold", table.Out);
    }

    [Fact]
    public void A_custom_build_of_the_same_commit_in_LOCALQA_NATIVE_DIR_is_used_and_named()
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("The stand-in build copies the bundled .so files (Linux).");
        var native = CopyBundledRuntime("same-commit", patchCommit: null);
        var rt = DoctorRuntimeThenAsk(native);
        Assert.StartsWith(native, rt.GetProperty("path").GetString(), StringComparison.Ordinal);
        Assert.False(rt.GetProperty("bundled").GetBoolean());
    }

    [Fact]
    public void Doctor_takes_the_runtime_folder_as_a_flag_like_the_other_verbs()
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("The stand-in build copies the bundled .so files (Linux).");
        var native = CopyBundledRuntime("by-flag", patchCommit: null);
        var doctor = _cli.Run("doctor", "--native-dir", native, "--json");
        Assert.True(doctor.ExitCode == 0, doctor.Err);
        using var doc = JsonDocument.Parse(doctor.Out);
        Assert.StartsWith(native, doc.RootElement.GetProperty("runtime").GetProperty("path").GetString(), StringComparison.Ordinal);
    }

    /// <summary>
    /// Runs doctor and a generative ask with <paramref name="native"/> as LOCALQA_NATIVE_DIR: the ask must
    /// answer with the model; returns doctor's "runtime" object for the caller's checks.
    /// </summary>
    private JsonElement DoctorRuntimeThenAsk(string native)
    {
        var model = Path.Combine(_cli.Home, $"tiny-{Path.GetFileName(native)}.gguf");
        LocalQa.Testing.SyntheticModel.WriteTiny(model);
        var env = new Dictionary<string, string?> { ["LOCALQA_NATIVE_DIR"] = native };
        var doctor = _cli.Run(["doctor", "--json"], null, env);
        Assert.True(doctor.ExitCode == 0, doctor.Err);
        var ask = _cli.Run(["ask", "Which company did Meta acquire about 49% of?", "--model", model, "--max-tokens", "3", "--json"], null, env);
        Assert.True(ask.ExitCode == 0, ask.Err);
        Assert.Contains("\"generative\"", ask.Out, StringComparison.Ordinal);
        using var doc = JsonDocument.Parse(doctor.Out);
        return doc.RootElement.GetProperty("runtime").Clone();
    }

    [Fact]
    public void A_cmake_build_whose_library_has_a_versioned_soname_is_found_and_runs()
    {
        // A real llama.cpp build was refused with "loaded, but it cannot be found again": LocalQa
        // looked the library up by name, which only matches a soname of plain libllama.so.
        if (!OperatingSystem.IsLinux()) Assert.Skip("The stand-in build patches ELF files (Linux).");
        var native = CopyBundledRuntime("cmake-layout", patchCommit: null, cmakeLayout: true);
        var rt = DoctorRuntimeThenAsk(native);
        Assert.True(rt.GetProperty("loaded").GetBoolean(), rt.GetProperty("error").GetString());
        Assert.Equal(Path.Combine(native, "libllama.so.0.0.0"), rt.GetProperty("path").GetString());
    }

    [Fact]
    public void A_build_of_another_commit_in_LOCALQA_NATIVE_DIR_is_refused_naming_both_commits()
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("The stand-in build copies the bundled .so files (Linux).");
        // The bundled libraries with the commit ggml reports rewritten: what a build of another
        // llama.cpp commit says about itself.
        var native = CopyBundledRuntime("other-commit", patchCommit: "0badc0de0");

        var doctor = _cli.Run(["doctor"], null, new Dictionary<string, string?> { ["LOCALQA_NATIVE_DIR"] = native });

        Assert.Equal(ExitCodes.RuntimeUnavailable, doctor.ExitCode);
        Assert.Contains("NOT LOADED", doctor.Out, StringComparison.Ordinal);
        Assert.Contains("0badc0de0", doctor.Out, StringComparison.Ordinal);
        Assert.Contains("815a2a591", doctor.Out, StringComparison.Ordinal);
        Assert.Contains(native, doctor.Out, StringComparison.Ordinal);
    }

    /// <summary>A folder holding a copy of the runtime LLamaSharp picked here, as a user's own build would be laid out.</summary>
    private string CopyBundledRuntime(string name, string? patchCommit, bool cmakeLayout = false)
    {
        var bundled = _cli.Run("doctor", "--json");
        Assert.True(bundled.ExitCode == 0, bundled.Err);
        using var doc = JsonDocument.Parse(bundled.Out);
        var from = Path.GetDirectoryName(doc.RootElement.GetProperty("runtime").GetProperty("path").GetString())!;
        var native = Directory.CreateDirectory(Path.Combine(_cli.Home, name)).FullName;
        foreach (var lib in Directory.GetFiles(from, "lib*.so"))
            File.Copy(lib, Path.Combine(native, Path.GetFileName(lib)));
        if (patchCommit is not null)
        {
            var basePath = Path.Combine(native, "libggml-base.so");
            var bytes = File.ReadAllBytes(basePath);
            var old = System.Text.Encoding.ASCII.GetBytes("815a2a591\0");
            var at = bytes.AsSpan().IndexOf(old);
            Assert.True(at >= 0, "The bundled libggml-base.so no longer carries commit 815a2a591: update LocalQa's expected commit.");
            System.Text.Encoding.ASCII.GetBytes(patchCommit).CopyTo(bytes, at);
            File.WriteAllBytes(basePath, bytes);
        }
        if (cmakeLayout)
        {
            // What `cmake --build` leaves: libllama.so -> libllama.so.0.0.0, whose soname is not
            // "libllama.so" (cmake's is libllama.so.0; the patch keeps the length).
            var llama = Path.Combine(native, "libllama.so");
            var bytes = File.ReadAllBytes(llama);
            var soname = System.Text.Encoding.ASCII.GetBytes("libllama.so\0");
            var at = bytes.AsSpan().IndexOf(soname);
            Assert.True(at >= 0, "The bundled libllama.so no longer has the soname libllama.so.");
            System.Text.Encoding.ASCII.GetBytes("libllama.s0\0").CopyTo(bytes, at);
            File.Delete(llama);
            File.WriteAllBytes(llama + ".0.0.0", bytes);
            File.CreateSymbolicLink(llama, "libllama.so.0.0.0");
        }
        return native;
    }

    [Fact]
    public void Gpu_layers_are_accepted_on_a_cpu_only_runtime_and_reported_by_doctor()
    {
        var model = Path.Combine(_cli.Home, "gpu-tiny.gguf");
        LocalQa.Testing.SyntheticModel.WriteTiny(model);
        var env = new Dictionary<string, string?> { ["LOCALQA_GPU_LAYERS"] = "99" };
        var doctor = _cli.Run(["doctor", "--json"], null, env);
        Assert.True(doctor.ExitCode == 0, doctor.Err);
        using var doc = JsonDocument.Parse(doctor.Out);
        var rt = doc.RootElement.GetProperty("runtime");
        Assert.Equal(99, rt.GetProperty("gpu_layers").GetInt32());
        Assert.False(rt.GetProperty("gpu_offload").GetBoolean());

        var ask = _cli.Run(["ask", "Which company did Meta acquire about 49% of?", "--model", model, "--gpu-layers", "-1", "--max-tokens", "3", "--json"], null);
        Assert.True(ask.ExitCode == 0, ask.Err);
        Assert.Contains("\"generative\"", ask.Out, StringComparison.Ordinal);
    }
}
