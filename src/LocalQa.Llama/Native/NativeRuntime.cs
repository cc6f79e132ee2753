using System.Runtime.InteropServices;
using LLama.Exceptions;
using LLama.Native;

namespace LocalQa.Llama.Native;

/// <summary>
/// Loads and checks the llama.cpp runtime once per process, through LLamaSharp: its backend package
/// ships one build per CPU level (noavx, avx, avx2, avx512) and LLamaSharp picks the best the processor
/// runs. <c>LOCALQA_NATIVE_DIR</c> replaces it with a custom build of the same llama.cpp commit
/// (for example one with a GPU backend); a build of another commit is refused, because LLamaSharp's
/// struct layouts are those of its own commit.
/// </summary>
internal static class NativeRuntime
{
    /// <summary>The ggml release and commit LLamaSharp.Backend.Cpu 0.30.0 was built from (read from
    /// the package's libraries at run time; its release notes name llama.cpp c0c7e147).</summary>
    internal const string ExpectedGgmlVersion = "0.18.0";
    internal const string ExpectedGgmlCommit = "815a2a591";
    internal const string LlamaSharpVersion = "0.30.0";

    private static readonly Lock Gate = new();
    private static string? s_customDirectory;
    private static RuntimeInfo? s_info;
    private static LlamaRuntimeException? s_failure;

    internal static RuntimeInfo Info => Ensure();

    /// <summary>Loads the runtime if needed; throws <see cref="LlamaRuntimeException"/> with the fix when it can't.</summary>
    internal static RuntimeInfo Ensure()
    {
        if (s_info is { } ready) return ready;
        lock (Gate)
        {
            if (s_info is { } again) return again;
            if (s_failure is not null) throw new LlamaRuntimeException(s_failure.Message, s_failure);
            try
            {
                s_info = Load();
                return s_info;
            }
            catch (LlamaRuntimeException ex)
            {
                s_failure = ex;
                throw;
            }
        }
    }

    /// <summary>
    /// Names the custom build to load instead of the bundled runtime (null: the bundled one). The
    /// runtime loads once per process, so a different choice after it has loaded is refused.
    /// </summary>
    internal static void UseDirectory(string? directory)
    {
        var full = string.IsNullOrWhiteSpace(directory) ? null : Path.GetFullPath(directory);
        lock (Gate)
        {
            if (s_info is not null || s_failure is not null)
            {
                var loaded = s_info is null ? s_customDirectory : s_info.IsBundled ? null : s_info.Directory;
                if (!string.Equals(SameForm(loaded), SameForm(full), StringComparison.Ordinal))
                {
                    throw new LlamaRuntimeException(
                        $"The llama.cpp runtime is already loaded from {loaded ?? "the bundled package"}; this process cannot switch to {full ?? "the bundled package"}.");
                }

                return;
            }

            s_customDirectory = full;
        }
    }

    private static string? SameForm(string? directory) => directory is null ? null : Path.TrimEndingDirectorySeparator(directory);

    /// <summary>Reports the runtime without throwing, for <c>doctor</c>.</summary>
    internal static (RuntimeInfo? Info, string? Error) TryEnsure()
    {
        try { return (Ensure(), null); }
        catch (LlamaRuntimeException ex) { return (null, ex.Message); }
    }

    private static RuntimeInfo Load()
    {
        var customDir = CustomDirectory();
        PreferPassiveOpenMpWait();
        var config = NativeLibraryConfig.LLama;
        if (!config.LibraryHasLoaded)
        {
            if (customDir is not null)
            {
                var path = FindLibrary(customDir, "llama") ?? throw new LlamaRuntimeException(
                    $"LOCALQA_NATIVE_DIR is '{customDir}', but it holds no llama library ({LibraryFileName("llama")}). " +
                    "Point it at the folder of a llama.cpp build's shared libraries, or unset it to use the runtime bundled with LocalQa.");
                config.WithLibrary(path);
            }
            config.WithLogCallback(NativeLog.OnLog);
        }

        try
        {
            // The first call into LLamaSharp's NativeApi selects and loads the library.
            NativeApi.llama_empty_call();
        }
        catch (Exception ex) when (ex is RuntimeError or DllNotFoundException or TypeInitializationException or BadImageFormatException)
        {
            var why = ex is TypeInitializationException { InnerException: { } inner } ? inner.Message : ex.Message;
            throw new LlamaRuntimeException(
                (customDir is null
                    ? "The llama.cpp runtime bundled with LocalQa (LLamaSharp.Backend.Cpu) could not be loaded. Rebuild LocalQa (`dotnet build`) so the runtimes/ folder is copied next to it"
                    : $"The llama.cpp build in LOCALQA_NATIVE_DIR ('{customDir}') could not be loaded. Check that the folder holds all of its libraries (llama, ggml, ggml-base, ggml-cpu), or unset LOCALQA_NATIVE_DIR")
                + $". ({why.Split('\n')[0].Trim()})", ex);
        }

        var library = NativeApi.GetLoadedNativeLibrary(NativeLibraryName.LLama);
        var loadedPath = LoadedPath("llama") ?? (customDir is null ? null : FindLibrary(customDir, "llama"));
        var llama = LlamaImports.LoadedLlama(loadedPath);
        var llamaPath = loadedPath ?? "(unknown)";
        var dir = Path.GetDirectoryName(llamaPath) ?? customDir ?? AppContext.BaseDirectory;
        LlamaImports.Bind(llama, dir);

        var version = LlamaImports.GgmlVersion() ?? "unknown";
        var commit = LlamaImports.GgmlCommit() ?? "unknown";
        if (customDir is not null && !SameBuild(version, commit))
        {
            throw new LlamaRuntimeException(
                $"The llama.cpp build in LOCALQA_NATIVE_DIR ('{customDir}') is ggml {version}, commit {commit}, but LocalQa runs on " +
                $"LLamaSharp {LlamaSharpVersion}, built for ggml {ExpectedGgmlVersion}, commit {ExpectedGgmlCommit} (the structures passed " +
                "between them differ from commit to commit). Build llama.cpp at that commit, or unset LOCALQA_NATIVE_DIR.");
        }

        if (NativeApi.ggml_backend_dev_count() == 0)
        {
            // A build made with GGML_BACKEND_DL keeps its CPU and GPU code in plugins next to it.
            LlamaImports.LoadBackendsFrom(dir);
            if (NativeApi.ggml_backend_dev_count() == 0)
            {
                throw new LlamaRuntimeException(
                    $"llama.cpp loaded from '{dir}' but found no compute backend (no ggml-cpu library there). " +
                    "Rebuild LocalQa, or point LOCALQA_NATIVE_DIR at a complete build.");
            }
        }

        var devices = new List<RuntimeDevice>();
        var count = (int)NativeApi.ggml_backend_dev_count();
        for (var i = 0; i < count; i++)
        {
            var dev = NativeApi.ggml_backend_dev_get((nuint)i);
            var (kind, total, free, description) = LlamaImports.DeviceDetails(dev);
            devices.Add(new RuntimeDevice(Marshal.PtrToStringUTF8(NativeApi.ggml_backend_dev_name(dev)) ?? "?", description, kind, total, free));
        }

        var meta = library?.Metadata;
        return new RuntimeInfo(
            Directory: dir,
            LibraryPath: llamaPath,
            Binding: $"LLamaSharp {LlamaSharpVersion}",
            Version: version,
            Commit: commit,
            SystemInfo: (Marshal.PtrToStringUTF8(NativeApi.llama_print_system_info()) ?? "").Trim(),
            SupportsGpuOffload: NativeApi.llama_supports_gpu_offload(),
            MaxParallelSequences: (int)NativeApi.llama_max_parallel_sequences(),
            Devices: devices,
            CpuVariant: customDir is null ? CpuVariantName(meta, dir) : "custom",
            IsBundled: customDir is null,
            OpenMpWaitPolicy: OperatingSystem.IsWindows() ? Environment.GetEnvironmentVariable("OMP_WAIT_POLICY") : LibC.GetEnvironmentVariable("OMP_WAIT_POLICY"));
    }

    /// <summary>
    /// LLamaSharp's CPU builds use OpenMP, whose idle threads spin by default. Measured on two cores
    /// (docs/runtime.md): with the other core busy, decode fell to 3 tokens/s spinning and
    /// stayed at 23-24 with OMP_WAIT_POLICY=PASSIVE; idle, passive costs a few percent. A laptop is
    /// rarely idle, so passive is the default; a user's own OMP_WAIT_POLICY wins. libgomp reads its
    /// environment once, when llama.cpp's CPU library is loaded, so this must run before that, and it
    /// must reach the C environment (.NET's SetEnvironmentVariable keeps its own copy on Unix).
    /// </summary>
    private static void PreferPassiveOpenMpWait()
    {
        const string Name = "OMP_WAIT_POLICY";
        if (!string.IsNullOrEmpty(Environment.GetEnvironmentVariable(Name))) return;
        Environment.SetEnvironmentVariable(Name, "PASSIVE");
        if (!OperatingSystem.IsWindows()) LibC.SetEnvironmentVariable(Name, "PASSIVE");
    }

    private static bool SameBuild(string version, string commit) =>
        commit.StartsWith(ExpectedGgmlCommit, StringComparison.OrdinalIgnoreCase)
        || (commit == "unknown" && version == ExpectedGgmlVersion);

    /// <summary>avx2, avx512, noavx...: the folder LLamaSharp chose by the processor's features.</summary>
    private static string? CpuVariantName(NativeLibraryMetadata? meta, string dir)
    {
        var folder = Path.GetFileName(Path.TrimEndingDirectorySeparator(dir));
        if (folder is "noavx" or "avx" or "avx2" or "avx512") return folder;
        return meta?.AvxLevel switch
        {
            AvxLevel.None => "noavx",
            AvxLevel.Avx => "avx",
            AvxLevel.Avx2 => "avx2",
            AvxLevel.Avx512 => "avx512",
            _ => null,
        };
    }

    private static string? CustomDirectory()
    {
        var full = s_customDirectory;
        if (full is null) return null;
        if (!Directory.Exists(full))
        {
            throw new LlamaRuntimeException(
                $"LOCALQA_NATIVE_DIR is '{full}', which is not a folder. Point it at a folder holding a llama.cpp build's " +
                "shared libraries, or unset it to use the runtime bundled with LocalQa.");
        }
        return full;
    }

    private static string LibraryFileName(string name) =>
        OperatingSystem.IsWindows() ? name + ".dll" : OperatingSystem.IsMacOS() ? $"lib{name}.dylib" : $"lib{name}.so";

    /// <summary>The file for a logical library name in <paramref name="dir"/>: libllama.so, or the
    /// versioned names `cmake --install` leaves (libllama.so.0).</summary>
    internal static string? FindLibrary(string dir, string name)
    {
        if (!Directory.Exists(dir)) return null;
        var plain = Path.Combine(dir, LibraryFileName(name));
        if (File.Exists(plain)) return plain;
        var prefix = OperatingSystem.IsWindows() ? name + "." : "lib" + name + ".";
        var ext = OperatingSystem.IsWindows() ? ".dll" : OperatingSystem.IsMacOS() ? ".dylib" : ".so";
        return Directory.EnumerateFiles(dir)
            .Where(f => Path.GetFileName(f).StartsWith(prefix, StringComparison.Ordinal)
                        && Path.GetFileName(f).Contains(ext, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .FirstOrDefault();
    }

    /// <summary>Where the loader found a library, from the process's own mappings (Linux), since
    /// LLamaSharp does not say which file it loaded.</summary>
    private static string? LoadedPath(string name)
    {
        if (!OperatingSystem.IsLinux()) return null;
        try
        {
            var file = "/lib" + name + ".so";
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                var slash = line.IndexOf('/', StringComparison.Ordinal);
                if (slash < 0) continue;
                var path = line[slash..];
                if (path.EndsWith(file, StringComparison.Ordinal) || path.Contains(file + ".", StringComparison.Ordinal)) return path;
            }
        }
        catch (IOException)
        {
            // Not fatal: doctor just cannot name the file.
        }
        return null;
    }
}
