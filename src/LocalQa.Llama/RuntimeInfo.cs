namespace LocalQa.Llama;

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
