namespace LocalQa.Core;

/// <summary>
/// What a path names after following symbolic links. <see cref="FileInfo"/> describes a link itself
/// (its length is that of the target's path), so a library or model folder built from links (as the
/// Hugging Face cache is) would otherwise get sizes, limits and change checks from the links.
/// </summary>
public static class FileTarget
{
    /// <summary>The file <paramref name="path"/> finally points to (itself when it is no link); it may not exist.</summary>
    public static FileInfo Of(string path)
    {
        var info = new FileInfo(path);
        return info.LinkTarget is not null && info.ResolveLinkTarget(returnFinalTarget: true) is FileInfo target ? target : info;
    }
}

/// <summary>
/// What kind of file system object a path names after symbolic links, found with <c>statx</c>
/// without opening it: opening a named pipe blocks until a writer comes, and a device such as
/// /dev/zero never ends, so a folder scan must know before it opens. .NET's own file APIs only
/// tell a directory from "a file".
/// </summary>
public static partial class FileKind
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28; // struct statx is the same on every Linux architecture.

    /// <summary>
    /// "a named pipe (FIFO)", "a character device", "a block device" or "a socket" when
    /// <paramref name="path"/> finally names one; null for a regular file, a folder, a missing path,
    /// and wherever the kind cannot be known (not Linux, or statx refused).
    /// </summary>
    public static string? Special(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        Span<byte> buffer = stackalloc byte[256];
        if (Statx(AtFdCwd, path, 0, StatxType, ref buffer.GetPinnableReference()) != 0)
        {
            return null;
        }

        var mode = BitConverter.ToUInt16(buffer[ModeOffset..]) & 0xF000;
        return mode switch
        {
            0x1000 => "a named pipe (FIFO)",
            0x2000 => "a character device",
            0x6000 => "a block device",
            0xC000 => "a socket",
            _ => null,
        };
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "statx", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, ref byte buffer);
}
