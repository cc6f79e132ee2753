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
internal static partial class FileKind
{
    private const int AtFdCwd = -100;
    private const uint StatxType = 0x1;
    private const int ModeOffset = 28; // struct statx is the same on every Linux architecture.

    /// <summary>
    /// The kind of special file <paramref name="path"/> finally names; null for a regular file, a
    /// folder, a missing path, and wherever the kind cannot be known (not Linux, or statx refused).
    /// </summary>
    public static SpecialFile? Special(string path)
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
            0x1000 => SpecialFile.NamedPipe,
            0x2000 => SpecialFile.CharacterDevice,
            0x6000 => SpecialFile.BlockDevice,
            0xC000 => SpecialFile.UnixSocket,
            _ => null,
        };
    }

    /// <summary>The kind as a message says it: "a named pipe (FIFO)", "a character device", …</summary>
    public static string Describe(SpecialFile kind) => kind switch
    {
        SpecialFile.NamedPipe => "a named pipe (FIFO)",
        SpecialFile.CharacterDevice => "a character device",
        SpecialFile.BlockDevice => "a block device",
        _ => "a socket",
    };

    /// <summary>A pipe or character device gives a stream when read (stdin, <c>&lt;(cmd)</c>); a block device or socket is not read.</summary>
    public static bool IsStream(SpecialFile kind) => kind is SpecialFile.NamedPipe or SpecialFile.CharacterDevice;

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "statx", StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    private static partial int Statx(int directoryFd, string path, int flags, uint mask, ref byte buffer);
}

/// <summary>File system objects that are not regular files or folders.</summary>
internal enum SpecialFile
{
    NamedPipe,
    CharacterDevice,
    BlockDevice,
    UnixSocket,
}
