namespace LocalQa.Llama.Tests;

/// <summary>Finds the repository root and the shared test files next to it (../shared).</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> Root = new(FindRepoRoot);

    /// <summary>The folder holding LocalQa.sln.</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>The path of ../shared/models/<paramref name="name"/>, or null when the file is absent.</summary>
    public static string? SharedModel(string name)
    {
        var path = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "models", name));
        return File.Exists(path) ? path : null;
    }

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LocalQa.sln")))
            {
                return dir.FullName;
            }
        }
        throw new InvalidOperationException($"LocalQa.sln not found above {AppContext.BaseDirectory}.");
    }
}
