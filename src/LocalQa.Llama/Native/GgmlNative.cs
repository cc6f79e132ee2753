using System.Runtime.InteropServices;

namespace LocalQa.Llama.Native;

// ggml's backend registry: loading the CPU variant that suits this processor (and a GPU backend when
// the package has one) and listing devices for `doctor`.
internal static unsafe partial class GgmlNative
{
    static GgmlNative() => NativeRuntime.RegisterResolver();

    internal const string Lib = "ggml";
    internal const string BaseLib = "ggml-base";

    [LibraryImport(Lib, StringMarshalling = StringMarshalling.Utf8)]
    internal static partial void ggml_backend_load_all_from_path(string dirPath);

    [LibraryImport(Lib)]
    internal static partial nuint ggml_backend_reg_count();

    [LibraryImport(Lib)]
    internal static partial nuint ggml_backend_dev_count();

    [LibraryImport(Lib)]
    internal static partial nint ggml_backend_dev_get(nuint index);

    [LibraryImport(BaseLib)]
    internal static partial byte* ggml_backend_dev_name(nint device);

    [LibraryImport(BaseLib)]
    internal static partial byte* ggml_backend_dev_description(nint device);

    [LibraryImport(BaseLib)]
    internal static partial int ggml_backend_dev_type(nint device);

    [LibraryImport(BaseLib)]
    internal static partial void ggml_backend_dev_memory(nint device, nuint* free, nuint* total);
}
