using System.Runtime.InteropServices;
using LLama.Native;

namespace LocalQa.Llama.Native;

/// <summary>
/// The few llama.cpp and ggml functions LocalQa calls without going through LLamaSharp, each bound
/// to the very library LLamaSharp loaded (never another copy on the system), each for a reason:
/// <list type="bullet">
/// <item><c>llama_decode</c>: LLamaSharp's <c>SafeLLamaContextHandle.Decode</c> takes one process-wide
/// lock, so a short decode on one model waited 9.4 s behind a prompt on another. LocalQa has one owner
/// per context and validates every batch itself; it needs no lock between contexts.</item>
/// <item><c>llama_tokenize</c>, <c>llama_detokenize</c>, <c>llama_model_get_vocab</c>: LLamaSharp's
/// Tokenize takes a string and allocates an array per call; chunking counts every sentence, so
/// counting runs on rented buffers with no allocation.</item>
/// <item><c>llama_n_ctx_seq</c>: the positions one sequence may use, which validation needs.</item>
/// <item><c>ggml_version</c>, <c>ggml_commit</c>: to refuse a custom build of another commit.</item>
/// <item><c>ggml_backend_dev_type</c>, <c>_memory</c>, <c>_description</c>, <c>ggml_backend_load_all_from_path</c>:
/// device listing for <c>doctor</c>, and custom builds that keep their backends in plugins.</item>
/// </list>
/// Every caller validates its arguments first (see LlamaContext, LlamaModel).
/// </summary>
internal static unsafe class LlamaImports
{
    private static delegate* unmanaged<nint, LLamaNativeBatch, int> s_decode;
    private static delegate* unmanaged<nint, byte*, int, int*, int, byte, byte, int> s_tokenize;
    private static delegate* unmanaged<nint, int*, int, byte*, int, byte, byte, int> s_detokenize;
    private static delegate* unmanaged<nint, nint> s_modelVocab;
    private static delegate* unmanaged<nint, uint> s_nCtxSeq;
    private static delegate* unmanaged<byte*> s_ggmlVersion;
    private static delegate* unmanaged<byte*> s_ggmlCommit;
    private static delegate* unmanaged<nint, int> s_devType;
    private static delegate* unmanaged<nint, nuint*, nuint*, void> s_devMemory;
    private static delegate* unmanaged<nint, byte*> s_devDescription;
    private static delegate* unmanaged<byte*, void> s_loadAll;

    /// <summary>The handle of the llama library LLamaSharp loaded: by the file it was loaded from when
    /// that is known, else by name. The name alone finds it only when the library's soname is plain
    /// <c>libllama.so</c> (LLamaSharp's builds); a llama.cpp built with cmake is <c>libllama.so.0</c>,
    /// which dlopen("libllama.so") does not match to the library already in the process.</summary>
    internal static nint LoadedLlama(string? path)
    {
        if (path is not null && File.Exists(path) && NativeLibrary.TryLoad(path, out var byPath) && byPath != 0) return byPath;
        if (NativeLibrary.TryLoad("llama", typeof(NativeApi).Assembly, null, out var byName) && byName != 0) return byName;
        throw new LlamaRuntimeException(
            $"LLamaSharp reports the llama.cpp library as loaded{(path is null ? "" : $" from '{path}'")}, but it cannot be found again in this process.");
    }

    internal static void Bind(nint llama, string directory)
    {
        // ggml's functions live in ggml-base, a dependency of llama: dlsym finds them through llama's
        // handle on Linux and macOS; Windows needs the DLL itself, from the same folder.
        nint ggmlBase = 0;
        var basePath = NativeRuntime.FindLibrary(directory, "ggml-base");
        if (basePath is not null) NativeLibrary.TryLoad(basePath, out ggmlBase);

        s_decode = (delegate* unmanaged<nint, LLamaNativeBatch, int>)Required(llama, "llama_decode");
        s_tokenize = (delegate* unmanaged<nint, byte*, int, int*, int, byte, byte, int>)Required(llama, "llama_tokenize");
        s_detokenize = (delegate* unmanaged<nint, int*, int, byte*, int, byte, byte, int>)Required(llama, "llama_detokenize");
        s_modelVocab = (delegate* unmanaged<nint, nint>)Required(llama, "llama_model_get_vocab");
        s_nCtxSeq = (delegate* unmanaged<nint, uint>)Required(llama, "llama_n_ctx_seq");
        s_ggmlVersion = (delegate* unmanaged<byte*>)Optional(llama, ggmlBase, "ggml_version");
        s_ggmlCommit = (delegate* unmanaged<byte*>)Optional(llama, ggmlBase, "ggml_commit");
        s_devType = (delegate* unmanaged<nint, int>)Optional(llama, ggmlBase, "ggml_backend_dev_type");
        s_devMemory = (delegate* unmanaged<nint, nuint*, nuint*, void>)Optional(llama, ggmlBase, "ggml_backend_dev_memory");
        s_devDescription = (delegate* unmanaged<nint, byte*>)Optional(llama, ggmlBase, "ggml_backend_dev_description");
        var ggml = NativeRuntime.FindLibrary(directory, "ggml");
        nint ggmlHandle = 0;
        if (ggml is not null) NativeLibrary.TryLoad(ggml, out ggmlHandle);
        s_loadAll = (delegate* unmanaged<byte*, void>)Optional(llama, ggmlHandle, "ggml_backend_load_all_from_path");
    }

    private static nint Required(nint library, string name)
    {
        if (NativeLibrary.TryGetExport(library, name, out var f) && f != 0) return f;
        throw new LlamaRuntimeException($"The loaded llama.cpp library has no '{name}': it is not the release LocalQa runs on. Unset LOCALQA_NATIVE_DIR or rebuild LocalQa.");
    }

    private static nint Optional(nint first, nint second, string name)
    {
        if (first != 0 && NativeLibrary.TryGetExport(first, name, out var f) && f != 0) return f;
        if (second != 0 && NativeLibrary.TryGetExport(second, name, out f) && f != 0) return f;
        return 0;
    }

    internal static int Decode(SafeLLamaContextHandle context, in LLamaNativeBatch batch)
    {
        var added = false;
        context.DangerousAddRef(ref added);
        try
        {
            return s_decode(context.DangerousGetHandle(), batch);
        }
        finally
        {
            if (added) context.DangerousRelease();
        }
    }

    internal static nint Vocab(SafeLlamaModelHandle model) => s_modelVocab(model.DangerousGetHandle());

    internal static int Tokenize(nint vocab, byte* text, int length, int* tokens, int capacity, bool addSpecial, bool parseSpecial) =>
        s_tokenize(vocab, text, length, tokens, capacity, addSpecial ? (byte)1 : (byte)0, parseSpecial ? (byte)1 : (byte)0);

    internal static int Detokenize(nint vocab, int* tokens, int count, byte* text, int capacity, bool removeSpecial, bool unparseSpecial) =>
        s_detokenize(vocab, tokens, count, text, capacity, removeSpecial ? (byte)1 : (byte)0, unparseSpecial ? (byte)1 : (byte)0);

    internal static int SequenceContextSize(SafeLLamaContextHandle context) => (int)s_nCtxSeq(context.DangerousGetHandle());

    internal static string? GgmlVersion() => s_ggmlVersion == null ? null : Marshal.PtrToStringUTF8((nint)s_ggmlVersion());

    internal static string? GgmlCommit() => s_ggmlCommit == null ? null : Marshal.PtrToStringUTF8((nint)s_ggmlCommit());

    internal static void LoadBackendsFrom(string directory)
    {
        if (s_loadAll == null) return;
        var bytes = System.Text.Encoding.UTF8.GetBytes(directory + "\0");
        fixed (byte* p = bytes) s_loadAll(p);
    }

    internal static (string Kind, long Total, long Free, string Description) DeviceDetails(nint device)
    {
        var kind = s_devType == null ? "other" : s_devType(device) switch { 0 => "cpu", 1 => "gpu", 2 => "igpu", 3 => "accel", _ => "other" };
        nuint free = 0, total = 0;
        if (s_devMemory != null) s_devMemory(device, &free, &total);
        var description = s_devDescription == null ? "" : Marshal.PtrToStringUTF8((nint)s_devDescription(device)) ?? "";
        return (kind, (long)total, (long)free, description);
    }
}
