using LocalQa.Core;

namespace LocalQa.Hosting;

/// <summary>Where LocalQa keeps its files. <c>LOCALQA_HOME</c> moves all of them (tests use it).</summary>
public static class LocalQaPaths
{
    /// <summary>The data folder: the default index, downloaded models, generated models.</summary>
    public static string Home
    {
        get
        {
            var env = Environment.GetEnvironmentVariable("LOCALQA_HOME");
            if (!string.IsNullOrWhiteSpace(env)) return Path.GetFullPath(env);
            return Configuration.SettingsEnvironment.DefaultDataHome(Environment.GetEnvironmentVariable);
        }
    }

    public static string DefaultIndex => Path.Combine(Home, "index.db");

    public static string CacheDirectory => Path.Combine(Home, "cache");

    public static string ModelsDirectory => Path.Combine(Home, "models");

    /// <summary>The source checkout when running from one (seeds/, prompts/, models/ live there), else null.</summary>
    public static string? RepoRoot { get; } = FindRepoRoot();

    /// <summary>Bundled articles: the default library on first use.</summary>
    public static string? SeedsDirectory => Locate("seeds");

    /// <summary>Prompt templates: next to the binaries when published, else the checkout's prompts/.</summary>
    public static string? PromptsDirectory => Locate("prompts");

    private static string? Locate(string name)
    {
        var local = Path.Combine(AppContext.BaseDirectory, name);
        if (Directory.Exists(local)) return local;
        return RepoRoot is null ? null : Path.Combine(RepoRoot, name);
    }

    private static string? FindRepoRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LocalQa.sln"))) dir = dir.Parent;
        return dir?.FullName;
    }
}
