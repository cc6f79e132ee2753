using Xunit;
namespace LocalQa.Core.Tests;

/// <summary>Where the repository, its seeds and the shared folder are, seen from a test.</summary>
internal static class TestPaths
{
    private static readonly Lazy<string> Root = new(FindRepoRoot);

    /// <summary>The folder that holds LocalQa.sln.</summary>
    public static string RepoRoot => Root.Value;

    /// <summary>The seed articles kept in the repository.</summary>
    public static string SeedsFolder => Path.Combine(RepoRoot, "seeds");

    /// <summary>This test project's folder in the source tree.</summary>
    public static string TestProjectFolder => Path.Combine(RepoRoot, "tests", "LocalQa.Core.Tests");

    /// <summary>The golden files of this test project.</summary>
    public static string GoldenFolder => Path.Combine(TestProjectFolder, "Golden");

    /// <summary>The shared folder beside the repository (models, eval questions).</summary>
    public static string SharedFolder => Path.GetFullPath(Path.Combine(RepoRoot, "..", "shared"));

    /// <summary>The path of a seed article; the test is skipped when the seed is missing.</summary>
    public static string Seed(string fileName)
    {
        var path = Path.Combine(SeedsFolder, fileName);
        if (!File.Exists(path))
        {
            Assert.Skip($"Seed article absent: {path}");
        }

        return path;
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

        throw new InvalidOperationException($"No LocalQa.sln above {AppContext.BaseDirectory}.");
    }
}
