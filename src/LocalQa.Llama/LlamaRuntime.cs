using LocalQa.Llama.Native;

namespace LocalQa.Llama;

/// <summary>The llama.cpp runtime this process uses: loaded once, on first need.</summary>
public static class LlamaRuntime
{
    /// <summary>Loads the runtime if needed; throws <see cref="LlamaRuntimeException"/> saying how to fix a missing or wrong one.</summary>
    public static RuntimeInfo Load() => NativeRuntime.Ensure();

    /// <summary>
    /// Chooses a custom llama.cpp build (a folder of its shared libraries, of the same commit) over the
    /// bundled runtime, before the first load; null keeps the bundled one. Choosing differently after
    /// the runtime has loaded throws <see cref="LlamaRuntimeException"/>.
    /// </summary>
    public static void UseNativeDirectory(string? directory) => NativeRuntime.UseDirectory(directory);

    /// <summary>The runtime, or the reason it can't be loaded (for <c>doctor</c>), never throwing.</summary>
    public static (RuntimeInfo? Info, string? Error) TryLoad() => NativeRuntime.TryEnsure();

    /// <summary>The ggml release of the llama.cpp build LLamaSharp ships (and a custom build must match).</summary>
    public static string ExpectedVersion => NativeRuntime.ExpectedGgmlVersion;

    /// <summary>
    /// Which of llama.cpp's own log lines go to stderr (none by default; warnings and errors are
    /// kept either way, for the messages of the engine's exceptions). A host sets it from its
    /// settings: the engine reads no environment variable of its own.
    /// </summary>
    public static NativeLogLevel NativeLogLevel
    {
        get => NativeLog.Level;
        set => NativeLog.Level = value;
    }

    /// <summary>The ggml commit a custom build in LOCALQA_NATIVE_DIR must have been built from.</summary>
    public static string ExpectedCommit => NativeRuntime.ExpectedGgmlCommit;

}
