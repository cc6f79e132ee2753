using System.Reflection;
using System.Runtime.InteropServices;
using System.Text;

namespace LocalQa.Llama.Native;

/// <summary>
/// Finds, loads and checks the llama.cpp runtime once per process. The libraries come from
/// <c>LOCALQA_NATIVE_DIR</c> when set, else from next to our assembly (where the build copied the npm
/// prebuilt). Loading goes through one resolver so that <c>[LibraryImport("llama")]</c> never falls
/// back to some other libllama on the system: two ggml builds in one process crash.
/// </summary>
internal static unsafe class NativeRuntime
{
    /// <summary>The llama.cpp release this binding mirrors (struct layouts, function signatures).</summary>
    internal const string ExpectedVersion = "0.5.0";

    private static readonly Lock Gate = new();
    private static RuntimeInfo? s_info;
    private static Exception? s_failure;
    private static string? s_dir;
    private static readonly Dictionary<string, nint> Handles = new(StringComparer.Ordinal);

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

    /// <summary>Reports the runtime without throwing, for <c>doctor</c>.</summary>
    internal static (RuntimeInfo? Info, string? Error) TryEnsure()
    {
        try { return (Ensure(), null); }
        catch (LlamaRuntimeException ex) { return (null, ex.Message); }
    }

    private static RuntimeInfo Load()
    {
        var dir = ResolveDirectory();
        s_dir = dir;
        RegisterResolver();

        // Order matters on Windows (no RUNPATH): the base library first, then ggml, then llama.
        var basePath = LoadOne(dir, GgmlNative.BaseLib);
        LoadOne(dir, GgmlNative.Lib);
        var llamaPath = LoadOne(dir, LlamaNative.Lib);

        string version;
        try
        {
            version = Utf8(LlamaNative.llama_version()) ?? "";
        }
        catch (EntryPointNotFoundException ex)
        {
            throw new LlamaRuntimeException(
                $"The llama.cpp library at '{llamaPath}' is too old for LocalQa (it has no llama_version). " +
                $"LocalQa needs llama.cpp {ExpectedVersion}: unset LOCALQA_NATIVE_DIR to use the bundled runtime.", ex);
        }
        if (!version.StartsWith(ExpectedVersion, StringComparison.Ordinal))
        {
            throw new LlamaRuntimeException(
                $"The llama.cpp library at '{llamaPath}' is version {version}, but LocalQa is built for {ExpectedVersion} " +
                "(struct layouts differ between releases). Unset LOCALQA_NATIVE_DIR or point it at a build of that release.");
        }

        NativeLog.Install();
        GgmlNative.ggml_backend_load_all_from_path(dir);
        LlamaNative.llama_backend_init();
        if (GgmlNative.ggml_backend_dev_count() == 0)
        {
            throw new LlamaRuntimeException(
                $"llama.cpp loaded from '{dir}' but found no compute backend (no libggml-cpu-*.{LibraryExtension} there). " +
                "Rebuild LocalQa so the runtime is fetched again, or point LOCALQA_NATIVE_DIR at a complete build.");
        }

        var devices = new List<RuntimeDevice>();
        var count = (int)GgmlNative.ggml_backend_dev_count();
        for (var i = 0; i < count; i++)
        {
            var dev = GgmlNative.ggml_backend_dev_get((nuint)i);
            nuint free = 0, total = 0;
            GgmlNative.ggml_backend_dev_memory(dev, &free, &total);
            devices.Add(new RuntimeDevice(
                Utf8(GgmlNative.ggml_backend_dev_name(dev)) ?? "?",
                Utf8(GgmlNative.ggml_backend_dev_description(dev)) ?? "",
                GgmlNative.ggml_backend_dev_type(dev) switch { 0 => "cpu", 1 => "gpu", 2 => "igpu", 3 => "accel", _ => "other" },
                (long)total, (long)free));
        }

        return new RuntimeInfo(
            Directory: dir,
            LibraryPath: llamaPath,
            BaseLibraryPath: basePath,
            Version: version,
            SystemInfo: (Utf8(LlamaNative.llama_print_system_info()) ?? "").Trim(),
            SupportsGpuOffload: LlamaNative.llama_supports_gpu_offload(),
            MaxParallelSequences: (int)LlamaNative.llama_max_parallel_sequences(),
            Devices: devices,
            CpuVariant: LoadedCpuVariant());
    }

    /// <summary>Which libggml-cpu-*.so ggml picked for this processor, read from the process's own
    /// mappings (ggml does not say); null where that is not readable.</summary>
    private static string? LoadedCpuVariant()
    {
        try
        {
            if (!OperatingSystem.IsLinux()) return null;
            foreach (var line in File.ReadLines("/proc/self/maps"))
            {
                var i = line.IndexOf("libggml-cpu-", StringComparison.Ordinal);
                if (i < 0) continue;
                var name = line[(i + "libggml-cpu-".Length)..];
                var dot = name.IndexOf('.', StringComparison.Ordinal);
                return dot > 0 ? name[..dot] : name;
            }
        }
        catch (IOException)
        {
            // Not fatal: doctor just cannot name the variant.
        }
        return null;
    }

    private static string ResolveDirectory()
    {
        var env = Environment.GetEnvironmentVariable("LOCALQA_NATIVE_DIR");
        if (!string.IsNullOrWhiteSpace(env))
        {
            var full = Path.GetFullPath(env);
            if (!System.IO.Directory.Exists(full))
            {
                throw new LlamaRuntimeException(
                    $"LOCALQA_NATIVE_DIR is '{env}', which is not a folder. Point it at a folder holding llama.cpp {ExpectedVersion}'s " +
                    "shared libraries, or unset it to use the runtime bundled by the build.");
            }
            return full;
        }
        return AppContext.BaseDirectory;
    }

    private static string LibraryExtension =>
        OperatingSystem.IsWindows() ? "dll" : OperatingSystem.IsMacOS() ? "dylib" : "so";

    /// <summary>The file for a logical library name in <paramref name="dir"/>, tolerating the versioned
    /// names the npm package uses (libllama.v0.5.0.so) and plain ones from a local build (libllama.so).</summary>
    internal static string? FindLibrary(string dir, string name)
    {
        if (!System.IO.Directory.Exists(dir)) return null;
        var ext = LibraryExtension;
        string[] candidates = OperatingSystem.IsWindows()
            ? [$"{name}.dll", $"lib{name}.dll"]
            : [$"lib{name}.{ext}", $"lib{name}.v{ExpectedVersion}.{ext}"];
        foreach (var c in candidates)
        {
            var p = Path.Combine(dir, c);
            if (File.Exists(p)) return p;
        }
        // libllama.so.0 and friends from `cmake --install`.
        var prefix = OperatingSystem.IsWindows() ? name + "." : "lib" + name + ".";
        return System.IO.Directory.EnumerateFiles(dir)
            .Where(f => Path.GetFileName(f).StartsWith(prefix, StringComparison.Ordinal)
                        && Path.GetFileName(f).Contains("." + ext, StringComparison.Ordinal))
            .Order(StringComparer.Ordinal)
            .FirstOrDefault();
    }

    private static string LoadOne(string dir, string name)
    {
        var path = FindLibrary(dir, name) ?? throw new LlamaRuntimeException(
            $"The llama.cpp runtime is missing: no '{name}' library in '{dir}'. Install Node.js (npm) and rebuild " +
            "(`dotnet build` fetches @node-llama-cpp/<platform>@3.22.1), or set LOCALQA_NATIVE_DIR to a llama.cpp " +
            $"{ExpectedVersion} build.");
        try
        {
            Handles[name] = NativeLibrary.Load(path);
        }
        catch (DllNotFoundException ex)
        {
            throw new LlamaRuntimeException($"Could not load '{path}': {ex.Message}", ex);
        }
        catch (BadImageFormatException ex)
        {
            throw new LlamaRuntimeException($"'{path}' is not a library for this platform ({RuntimeInformation.RuntimeIdentifier}): {ex.Message}", ex);
        }
        return path;
    }

    private static int s_resolverSet;

    /// <summary>Routes every <c>[LibraryImport]</c> of this assembly through <see cref="Resolve"/>; called from
    /// the binding classes' static constructors so even a first call that skips Ensure() is checked.</summary>
    internal static void RegisterResolver()
    {
        if (Interlocked.Exchange(ref s_resolverSet, 1) == 0)
            NativeLibrary.SetDllImportResolver(typeof(NativeRuntime).Assembly, Resolve);
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath)
    {
        if (Handles.TryGetValue(libraryName, out var h)) return h;
        // A P/Invoke before Ensure(): load through Ensure so the version check is never skipped.
        if (libraryName is LlamaNative.Lib or GgmlNative.Lib or GgmlNative.BaseLib && s_dir is null)
        {
            Ensure();
            if (Handles.TryGetValue(libraryName, out h)) return h;
        }
        return 0;
    }

    internal static string? Utf8(byte* p) => p == null ? null : Marshal.PtrToStringUTF8((nint)p);
}

/// <summary>
/// Routes llama.cpp's log into managed code: errors are remembered (so an exception can carry the
/// native reason, e.g. why a model failed to load) and nothing reaches stderr unless LOCALQA_LOG asks.
/// </summary>
internal static unsafe class NativeLog
{
    private static readonly Lock Gate = new();
    private static readonly Queue<string> Recent = new();
    private static int s_threshold = 4; // GGML_LOG_LEVEL_ERROR
    private static readonly StringBuilder Pending = new();
    private static int s_pendingLevel;

    internal static void Install()
    {
        s_threshold = Environment.GetEnvironmentVariable("LOCALQA_LOG")?.ToLowerInvariant() switch
        {
            "debug" => 1,
            "info" => 2,
            "warn" => 3,
            _ => 5,
        };
        LlamaNative.llama_log_set(&OnLog, 0);
    }

    [UnmanagedCallersOnly]
    private static void OnLog(int level, byte* text, nint userData)
    {
        var s = NativeRuntime.Utf8(text);
        if (s is null) return;
        lock (Gate)
        {
            // GGML_LOG_LEVEL_CONT (5) continues the previous line and keeps its level.
            if (Pending.Length == 0 && level != 5) s_pendingLevel = level;
            Pending.Append(s);
            if (!s.EndsWith('\n')) return;
            var line = Pending.ToString().TrimEnd();
            Pending.Clear();
            level = s_pendingLevel;
            if (level is 3 or 4)
            {
                Recent.Enqueue(line);
                while (Recent.Count > 8) Recent.Dequeue();
            }
            if (s_threshold < 5 && level >= s_threshold) Console.Error.WriteLine(line);
        }
    }

    /// <summary>The last warnings and errors llama.cpp logged, oldest first; clears them.</summary>
    internal static string TakeRecent()
    {
        lock (Gate)
        {
            var s = string.Join(" | ", Recent);
            Recent.Clear();
            return s;
        }
    }

    internal static void Clear()
    {
        lock (Gate) Recent.Clear();
    }
}
