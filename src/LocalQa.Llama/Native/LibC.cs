using System.Runtime.InteropServices;

namespace LocalQa.Llama.Native;

internal static partial class LibC
{
    // setenv(3), overwrite 0: a value the user exported is never replaced.
    [LibraryImport("libc", EntryPoint = "setenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int SetEnv(string name, string value, int overwrite);

    [LibraryImport("libc", EntryPoint = "getenv", StringMarshalling = StringMarshalling.Utf8)]
    private static partial nint GetEnv(string name);

    /// <summary>The C environment's value: what OpenMP read, not .NET's copy.</summary>
    internal static string? GetEnvironmentVariable(string name)
    {
        try
        {
            return Marshal.PtrToStringUTF8(GetEnv(name));
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            return null;
        }
    }

    internal static void SetEnvironmentVariable(string name, string value)
    {
        try
        {
            _ = SetEnv(name, value, 0);
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException)
        {
            // A libc under another name: OpenMP then keeps its own default.
        }
    }
}
