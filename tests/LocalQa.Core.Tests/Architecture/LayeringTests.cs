using System.Reflection;
using System.Xml.Linq;
using LocalQa.Core.Configuration;
using LocalQa.Core.Index;
using LocalQa.Llama.Gguf;
using Xunit;

namespace LocalQa.Core.Tests.Architecture;

/// <summary>
/// The layers depend one way, Cli → (Bench →) Core → Llama: the engine knows nothing of documents or
/// the console, and the library a .NET user embeds (Core) carries no command-line, console or
/// benchmark code.
/// Checked on the project files (what the build may use) and on the compiled assemblies (what the
/// code does use), so a reference added by hand or by a package fails here, not in review.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>Each source project and the LocalQa projects it may reference.</summary>
    private static readonly Dictionary<string, string[]> AllowedProjects = new()
    {
        ["LocalQa.Cli"] = ["LocalQa.Core", "LocalQa.Bench"],
        ["LocalQa.Bench"] = ["LocalQa.Core"],
        ["LocalQa.Core"] = ["LocalQa.Llama"],
        ["LocalQa.Llama"] = [],
    };

    /// <summary>Assemblies that belong to the console front end and its benchmark, not to the library.</summary>
    private static readonly string[] ConsoleOnly = ["LocalQa.Cli", "LocalQa.Bench", "System.CommandLine", "Spectre.Console"];

    [Fact]
    public void Source_projects_reference_only_the_layer_below()
    {
        foreach (var (project, allowed) in AllowedProjects)
        {
            var file = Path.Combine(TestPaths.RepoRoot, "src", project, project + ".csproj");
            var referenced = XDocument.Load(file).Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension((string)r.Attribute("Include")!))
                .ToArray();
            Assert.True(
                referenced.All(allowed.Contains),
                $"{project} references {string.Join(", ", referenced)}; only {(allowed.Length == 0 ? "nothing" : string.Join(", ", allowed))} is allowed (Cli → Bench → Core → Llama).");
        }
    }

    [Fact]
    public void The_engine_assembly_uses_no_LocalQa_layer_above_it()
    {
        var names = ReferencedNames(typeof(GgufFile).Assembly);
        Assert.DoesNotContain("LocalQa.Core", names);
        Assert.DoesNotContain("LocalQa.Cli", names);
        Assert.Contains("LLamaSharp", names);
    }

    [Fact]
    public void The_core_library_uses_no_console_front_end()
    {
        var names = ReferencedNames(typeof(LocalQaIndex).Assembly);
        foreach (var name in ConsoleOnly)
        {
            Assert.DoesNotContain(name, names);
        }

        Assert.Contains("LocalQa.Llama", names);
    }

    /// <summary>
    /// Settings reach the engine as options (<c>LibraryOptions</c> → model and context options,
    /// <c>LlamaRuntime.UseNativeDirectory</c>); an engine that read LOCALQA_… itself would ignore
    /// the same setting given in localqa.json or as a flag.
    /// </summary>
    [Fact]
    public void The_engine_reads_no_LocalQa_setting_from_the_environment()
    {
        var engine = Path.Combine(TestPaths.RepoRoot, "src", "LocalQa.Llama");
        var readers = Directory.EnumerateFiles(engine, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .SelectMany(f => SettingDefinitions.All
                .Where(d => d.Variable is not null && File.ReadAllText(f).Contains($"GetEnvironmentVariable(\"{d.Variable}\")", StringComparison.Ordinal))
                .Select(d => $"{Path.GetRelativePath(TestPaths.RepoRoot, f)} reads {d.Variable}"))
            .ToArray();
        Assert.True(readers.Length == 0, string.Join("; ", readers));
    }

    /// <summary>
    /// Answering, summarizing and ingesting talk to models through Microsoft.Extensions.AI and
    /// LocalQa's own interfaces (Core/Ai), so another engine plugs in without touching them; only the
    /// adapters in Core/Ai and the library that builds them know llama.cpp.
    /// </summary>
    [Theory]
    [InlineData("Answering")]
    [InlineData("Summarizing")]
    [InlineData("Ingest")]
    [InlineData("Retrieval")]
    public void The_work_of_the_library_reaches_no_engine_class(string folder)
    {
        var dir = Path.Combine(TestPaths.RepoRoot, "src", "LocalQa.Core", folder);
        var users = Directory.EnumerateFiles(dir, "*.cs", SearchOption.AllDirectories)
            .Where(f => File.ReadAllText(f).Contains("LocalQa.Llama", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(TestPaths.RepoRoot, f))
            .ToArray();
        Assert.True(users.Length == 0, $"{string.Join(", ", users)} use the engine directly; go through IChatClient, IEmbeddingGenerator, IPromptBudget or IBatchChatClient.");
    }

    private static HashSet<string> ReferencedNames(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(a => a.Name!).ToHashSet(StringComparer.Ordinal);
}
