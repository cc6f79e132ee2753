namespace LocalQa.Llama.Tests.Engine;

/// <summary>Finds ../shared/models next to the repository; tests skip (never pass) where it is absent.</summary>
internal static class SharedModels
{
    internal static string RepoRoot { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LocalQa.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("LocalQa.sln not found above " + AppContext.BaseDirectory);
    }

    internal static string Require(string name)
    {
        var path = Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared", "models", name));
        if (!File.Exists(path)) Assert.Skip($"../shared/models/{name} is absent ({path}); this test needs it.");
        return path;
    }
}
