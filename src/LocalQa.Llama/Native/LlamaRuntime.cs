using LocalQa.Llama.Native;

namespace LocalQa.Llama;

/// <summary>The llama.cpp runtime this process uses: loaded once, on first need.</summary>
public static class LlamaRuntime
{
    /// <summary>Loads the runtime if needed; throws <see cref="LlamaRuntimeException"/> saying how to fix a missing or wrong one.</summary>
    public static RuntimeInfo Load() => NativeRuntime.Ensure();

    /// <summary>The runtime, or the reason it can't be loaded (for <c>doctor</c>), never throwing.</summary>
    public static (RuntimeInfo? Info, string? Error) TryLoad() => NativeRuntime.TryEnsure();

    /// <summary>The release of llama.cpp this binding mirrors.</summary>
    public static string ExpectedVersion => NativeRuntime.ExpectedVersion;

    /// <summary>Microseconds on llama.cpp's clock.</summary>
    public static long TimeMicroseconds() => LlamaNative.llama_time_us();
}

/// <summary>What was loaded, for <c>doctor</c>.</summary>
public sealed record RuntimeInfo(
    string Directory,
    string LibraryPath,
    string BaseLibraryPath,
    string Version,
    string SystemInfo,
    bool SupportsGpuOffload,
    int MaxParallelSequences,
    IReadOnlyList<RuntimeDevice> Devices,
    string? CpuVariant)
{
    /// <summary>The runtime the build fetched (next to LocalQa), not one named by LOCALQA_NATIVE_DIR.</summary>
    public bool IsBundled => string.Equals(Path.TrimEndingDirectorySeparator(Directory), Path.TrimEndingDirectorySeparator(AppContext.BaseDirectory), StringComparison.Ordinal);
}

public sealed record RuntimeDevice(string Name, string Description, string Kind, long TotalMemory, long FreeMemory);

/// <summary>The native runtime is missing, broken or of the wrong release; the message says how to fix it.</summary>
public sealed class LlamaRuntimeException : InvalidInputException
{
    public LlamaRuntimeException() { }

    public LlamaRuntimeException(string message) : base(message) { }

    public LlamaRuntimeException(string message, Exception? innerException) : base(message, innerException) { }
}

