using System.Reflection;
using System.Xml.Linq;
using LocalQa.Core.Gguf;
using LocalQa.Core.Index;
using LocalQa.Hosting;
using LocalQa.Hosting.Configuration;
using LocalQa.Llama;
using LocalQa.SemanticKernel;
using LocalQa.Testing;
using Xunit;

namespace LocalQa.Core.Tests.Architecture;

/// <summary>
/// The layers depend one way, as Microsoft.Extensions.AI splits abstractions from providers:
/// Core (the library: abstractions, documents, index, answering, summarizing) knows no engine,
/// no Semantic Kernel and no host; the llama.cpp engine, the Semantic Kernel package and the
/// hosting layer (settings, evaluation, model files, composing the engine) stand on it; the
/// command line and the benchmark stand on those; generated test models live in LocalQa.Testing,
/// which nothing shipped to a library user references.
/// Checked on the project files (what the build may use), on the restored package graph (what a
/// program that references Core pulls in) and on the compiled assemblies (what the code does use),
/// so a reference added by hand or by a package fails here, not in review.
/// </summary>
public sealed class LayeringTests
{
    /// <summary>Each source project and the LocalQa projects it may reference.</summary>
    private static readonly Dictionary<string, string[]> AllowedProjects = new()
    {
        ["LocalQa.Core"] = [],
        ["LocalQa.Llama"] = ["LocalQa.Core"],
        ["LocalQa.Testing"] = ["LocalQa.Core"],
        ["LocalQa.Hosting"] = ["LocalQa.Core", "LocalQa.Llama"],
        // The plugin wraps the library the host composes, until Core has a face of its own to build it from.
        ["LocalQa.SemanticKernel"] = ["LocalQa.Core"],
        ["LocalQa.Bench"] = ["LocalQa.Hosting", "LocalQa.Testing", "LocalQa.Server"],
        // The server reaches the engine only through Hosting's composition (and HostErrors for its exceptions).
        ["LocalQa.Server"] = ["LocalQa.Core", "LocalQa.Hosting"],
        ["LocalQa.Cli"] = ["LocalQa.Hosting", "LocalQa.SemanticKernel", "LocalQa.Bench", "LocalQa.Server"],
    };

    /// <summary>Packages (and their assemblies) a program that embeds Core must not carry.</summary>
    private static readonly string[] NotInCore = ["LLamaSharp", "LLamaSharp.Backend.Cpu", "Microsoft.SemanticKernel.Core", "Microsoft.SemanticKernel.Abstractions", "Microsoft.Extensions.AI"];

    /// <summary>Assemblies that belong to hosts and tests, not to the library.</summary>
    private static readonly string[] HostOnly =
        ["LocalQa.Llama", "LocalQa.Hosting", "LocalQa.SemanticKernel", "LocalQa.Testing", "LocalQa.Cli", "LocalQa.Bench", "LocalQa.Server", "System.CommandLine", "Spectre.Console", "LLamaSharp", "Microsoft.SemanticKernel.Core", "Microsoft.SemanticKernel.Abstractions", "Microsoft.Extensions.AI", "ModelContextProtocol", "ModelContextProtocol.Core"];

    [Fact]
    public void Source_projects_reference_only_the_layers_below()
    {
        foreach (var (project, allowed) in AllowedProjects)
        {
            var file = Path.Combine(TestPaths.RepoRoot, "src", project, project + ".csproj");
            var referenced = XDocument.Load(file).Descendants("ProjectReference")
                .Select(r => Path.GetFileNameWithoutExtension((string)r.Attribute("Include")!))
                .ToArray();
            Assert.True(
                referenced.All(allowed.Contains),
                $"{project} references {string.Join(", ", referenced)}; only {(allowed.Length == 0 ? "nothing" : string.Join(", ", allowed))} is allowed.");
        }
    }

    [Fact]
    public void Every_source_project_has_its_place_in_the_layers()
    {
        var projects = Directory.GetDirectories(Path.Combine(TestPaths.RepoRoot, "src")).Select(Path.GetFileName).ToArray();
        Assert.All(projects, p => Assert.True(AllowedProjects.ContainsKey(p!), $"src/{p} is not in LayeringTests.AllowedProjects: say what it may reference."));
    }

    /// <summary>What <c>dotnet list package --include-transitive</c> of Core lists, read from the restore's own record.</summary>
    [Fact]
    public void The_core_package_graph_holds_no_engine_and_no_semantic_kernel()
    {
        var assets = Path.Combine(TestPaths.RepoRoot, "src", "LocalQa.Core", "obj", "project.assets.json");
        if (!File.Exists(assets)) Assert.Skip($"{assets} is absent: restore the solution first.");
        using var json = System.Text.Json.JsonDocument.Parse(File.ReadAllText(assets));
        var packages = json.RootElement.GetProperty("libraries").EnumerateObject()
            .Select(p => p.Name[..p.Name.IndexOf('/', StringComparison.Ordinal)])
            .ToHashSet(StringComparer.OrdinalIgnoreCase);
        Assert.Contains("Microsoft.Extensions.AI.Abstractions", packages);
        foreach (var name in NotInCore) Assert.DoesNotContain(name, packages);
    }

    [Fact]
    public void The_core_assembly_uses_no_engine_host_or_test_code()
    {
        var names = ReferencedNames(typeof(LocalQaIndex).Assembly);
        foreach (var name in HostOnly) Assert.DoesNotContain(name, names);
    }

    [Fact]
    public void The_engine_assembly_uses_core_and_llamasharp_only_among_LocalQa_layers()
    {
        var names = ReferencedNames(typeof(LlamaChatClient).Assembly);
        Assert.Contains("LocalQa.Core", names);
        Assert.Contains("LLamaSharp", names);
        foreach (var name in new[] { "LocalQa.Hosting", "LocalQa.SemanticKernel", "LocalQa.Testing", "LocalQa.Cli", "LocalQa.Bench", "Microsoft.SemanticKernel.Core" })
            Assert.DoesNotContain(name, names);
    }

    [Fact]
    public void Generated_test_models_are_not_shipped_with_the_library_the_engine_or_the_hosts()
    {
        Assert.Equal("LocalQa.Testing", typeof(SyntheticModel).Assembly.GetName().Name);
        foreach (var assembly in new[] { typeof(LocalQaIndex).Assembly, typeof(LlamaChatClient).Assembly, typeof(LocalQaLibrary).Assembly, typeof(SemanticKernelPromptRenderer).Assembly })
            Assert.DoesNotContain("LocalQa.Testing", ReferencedNames(assembly));
    }

    [Fact]
    public void Settings_from_files_environment_and_flags_live_in_the_hosting_layer()
    {
        Assert.Equal("LocalQa.Hosting", typeof(SettingsResolver).Assembly.GetName().Name);
        Assert.Equal("LocalQa.Hosting", typeof(LocalQa.Hosting.Evaluation.Evaluator).Assembly.GetName().Name);
        Assert.DoesNotContain("LocalQa.Hosting", ReferencedNames(typeof(GgufFile).Assembly));
    }

    /// <summary>
    /// Settings reach the engine as options (<c>LibraryOptions</c> → model and context options,
    /// <c>LlamaRuntime.UseNativeDirectory</c>, <c>LlamaRuntime.NativeLogLevel</c>); an engine that read
    /// LOCALQA_… itself would ignore the same setting given in localqa.json, as a flag, or by a
    /// program that embeds it. NativeLog read LOCALQA_LOG itself, which a check of the settings'
    /// variables alone did not see.
    /// </summary>
    [Fact]
    public void The_engine_reads_no_LocalQa_variable_from_the_environment()
    {
        var engine = Path.Combine(TestPaths.RepoRoot, "src", "LocalQa.Llama");
        var readers = Directory.EnumerateFiles(engine, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => File.ReadAllText(f).Contains("GetEnvironmentVariable(\"LOCALQA_", StringComparison.Ordinal))
            .Select(f => Path.GetRelativePath(TestPaths.RepoRoot, f))
            .ToArray();
        Assert.True(readers.Length == 0, $"{string.Join(", ", readers)} read LOCALQA_ variables; take the value as an option the host sets.");
    }

    private static HashSet<string> ReferencedNames(Assembly assembly) =>
        assembly.GetReferencedAssemblies().Select(a => a.Name!).ToHashSet(StringComparer.Ordinal);
}
