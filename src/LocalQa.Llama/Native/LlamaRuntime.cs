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

    /// <summary>The ggml commit a custom build in LOCALQA_NATIVE_DIR must have been built from.</summary>
    public static string ExpectedCommit => NativeRuntime.ExpectedGgmlCommit;

    /// <summary>Microseconds on llama.cpp's clock.</summary>
    public static long TimeMicroseconds() => LLama.Native.NativeApi.llama_time_us();
}

/// <summary>What was loaded, for <c>doctor</c>.</summary>
/// <param name="Binding">The .NET binding and its version (LLamaSharp 0.30.0).</param>
/// <param name="Version">ggml's release, as the loaded library reports it.</param>
/// <param name="Commit">The commit the loaded library was built from.</param>
/// <param name="CpuVariant">The CPU build LLamaSharp chose for this processor (noavx, avx, avx2, avx512), or "custom".</param>
/// <param name="IsBundled">The runtime the LLamaSharp backend package put next to LocalQa, not one named by LOCALQA_NATIVE_DIR.</param>
/// <param name="OpenMpWaitPolicy">OMP_WAIT_POLICY as llama.cpp's OpenMP threads see it (PASSIVE unless the user set it).</param>
public sealed record RuntimeInfo(
    string Directory,
    string LibraryPath,
    string Binding,
    string Version,
    string Commit,
    string SystemInfo,
    bool SupportsGpuOffload,
    int MaxParallelSequences,
    IReadOnlyList<RuntimeDevice> Devices,
    string? CpuVariant,
    bool IsBundled,
    string? OpenMpWaitPolicy);

public sealed record RuntimeDevice(string Name, string Description, string Kind, long TotalMemory, long FreeMemory);

/// <summary>The native runtime is missing, broken or of the wrong release; the message says how to fix it.</summary>
public sealed class LlamaRuntimeException : LlamaException
{
    public LlamaRuntimeException() { }

    public LlamaRuntimeException(string message) : base(message) { }

    public LlamaRuntimeException(string message, Exception? innerException) : base(message, innerException) { }
}

