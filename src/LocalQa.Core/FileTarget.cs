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
