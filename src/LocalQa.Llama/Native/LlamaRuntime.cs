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
