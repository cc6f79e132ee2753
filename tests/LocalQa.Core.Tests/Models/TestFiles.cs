namespace LocalQa.Core.Tests.Models;

/// <summary>A fresh folder under the temp folder, deleted when disposed.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "localqa-test-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string this[string relative] => System.IO.Path.Combine(Path, relative);

    /// <summary>Creates a subfolder and returns its path.</summary>
    public string Sub(string relative) => Directory.CreateDirectory(this[relative]).FullName;

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

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
