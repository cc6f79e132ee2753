namespace LocalQa.Core.Tests.Models;

/// <summary>The repository root and ../shared; tests that need a shared file skip when it is absent.</summary>
public static class Repo
{
    public static string Root { get; } = FindRoot();

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(System.IO.Path.Combine(dir.FullName, "LocalQa.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("LocalQa.sln not found above " + AppContext.BaseDirectory);
    }

    public static string Shared(params string[] parts)
    {
        var path = System.IO.Path.GetFullPath(System.IO.Path.Combine([Root, "..", "shared", .. parts]));
        if (!File.Exists(path)) Assert.Skip($"../shared/{string.Join('/', parts)} is absent ({path}); this test needs it.");
        return path;
    }
}
