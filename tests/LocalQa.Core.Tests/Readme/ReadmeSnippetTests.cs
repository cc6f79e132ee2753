using System.Text.RegularExpressions;
using LocalQa.Core.Ai;
using LocalQa.Llama;
using LocalQa.SemanticKernel;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LocalQa.Core.Tests.Readme;

/// <summary>Every C# snippet of the README and of docs/*.md, compiled as it is written, wherever it lives.</summary>
public sealed partial class ReadmeSnippetTests
{
    public static TheoryData<string> Snippets => new(CSharpBlocks().Select(b => b.Name));

    /// <summary>Each <c>```csharp</c> block, named by its file and its place in it.</summary>
    internal static IReadOnlyList<(string Name, string Code)> CSharpBlocks()
    {
        var files = new[] { Path.Combine(TestPaths.RepoRoot, "README.md") }
            .Concat(Directory.GetFiles(Path.Combine(TestPaths.RepoRoot, "docs"), "*.md").Order(StringComparer.Ordinal));
        return files.SelectMany(file =>
        {
            var text = File.ReadAllText(file).Replace("\r\n", "\n", StringComparison.Ordinal);
            var name = Path.GetRelativePath(TestPaths.RepoRoot, file).Replace('\\', '/');
            return CSharpBlock().Matches(text).Select((m, i) => ($"{name}#snippet{i}", m.Groups[1].Value));
        }).ToArray();
    }

    /// <summary>What a newcomer reads first: short, and opening with the two commands a fresh clone runs.</summary>
    [Fact]
    public void The_readme_reads_in_two_minutes_and_opens_with_the_two_commands()
    {
        var lines = File.ReadAllLines(Path.Combine(TestPaths.RepoRoot, "README.md"));
        Assert.True(lines.Length <= 200, $"README.md is {lines.Length} lines; move detail to docs/.");
        var firstBlock = string.Join("\n", lines.SkipWhile(l => !l.StartsWith("```", StringComparison.Ordinal)).Skip(1).TakeWhile(l => !l.StartsWith("```", StringComparison.Ordinal)));
        Assert.Contains("dotnet run --project src/LocalQa.Cli -- ask", firstBlock, StringComparison.Ordinal);
        Assert.Contains("dotnet test", firstBlock, StringComparison.Ordinal);
    }

    [Fact]
    public void The_library_guide_shows_the_chat_client_the_tokenizer_and_Semantic_Kernel()
    {
        var blocks = CSharpBlocks().Where(b => b.Name.StartsWith("docs/library.md", StringComparison.Ordinal)).Select(b => b.Code).ToArray();
        Assert.Contains(blocks, b => b.Contains("new LlamaChatClient(", StringComparison.Ordinal));
        Assert.Contains(blocks, b => b.Contains("GgufTokenizer.TryCreate(", StringComparison.Ordinal));
        Assert.Contains(blocks, b => b.Contains("Kernel.CreateBuilder().AddLocalQa(library.Qa, library.ChatClient, library.EmbeddingGenerator)", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void The_snippet_compiles(string name)
    {
        var code = CSharpBlocks().Single(b => b.Name == name).Code;
        var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest), path: name);
        var references = code.StartsWith(CoreOnly, StringComparison.Ordinal) ? References.Value.Where(r => !NotCore(r)).ToArray() : References.Value;
        var compilation = CSharpCompilation.Create("Snippet", [tree, ImplicitUsings], references,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable)
                // As the .NET SDK does: assembly-version unification (SK 1.82 is built against Microsoft.Extensions.AI 10.5, LocalQa pins 10.11) is not the snippet's problem.
                .WithSpecificDiagnosticOptions([new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]));
        using var pe = new MemoryStream();
        var emitted = compilation.Emit(pe);
        var problems = emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).ToArray();
        Assert.True(emitted.Success && problems.Length == 0, $"{name} does not compile cleanly:\n{string.Join("\n", problems)}\n---\n{code}");
    }

    /// <summary>A snippet that opens with this line compiles without the engine, the hosts or Semantic Kernel.</summary>
    private const string CoreOnly = "// Compiled with LocalQa.Core and its dependencies only.";

    private static readonly string[] NotCoreAssemblies =
        ["LocalQa.Llama", "LocalQa.Hosting", "LocalQa.SemanticKernel", "LocalQa.Testing", "LocalQa.Bench", "LocalQa.Cli", "LLamaSharp", "Microsoft.Extensions.AI"];

    private static bool NotCore(MetadataReference reference)
    {
        var name = Path.GetFileNameWithoutExtension(((PortableExecutableReference)reference).FilePath!);
        return NotCoreAssemblies.Contains(name, StringComparer.Ordinal) || name.StartsWith("Microsoft.SemanticKernel", StringComparison.Ordinal);
    }

    [Fact]
    public void The_library_guide_has_a_program_on_core_alone()
    {
        var coreOnly = CSharpBlocks().Where(b => b.Code.StartsWith(CoreOnly, StringComparison.Ordinal)).Select(b => b.Code).ToArray();
        Assert.NotEmpty(coreOnly);
        // Through the face: built over a foreign chat client, it ingests, answers as it streams and summarizes.
        Assert.Contains(coreOnly, c => c.Contains("new LocalQaBuilder()", StringComparison.Ordinal) && c.Contains(".WithChatClient(", StringComparison.Ordinal)
            && c.Contains(".IngestAsync(", StringComparison.Ordinal) && c.Contains(".AskStreamingAsync(", StringComparison.Ordinal)
            && c.Contains(".SummarizeAsync(", StringComparison.Ordinal) && c.Contains(": IChatClient", StringComparison.Ordinal));
    }

    // What `dotnet new console` (ImplicitUsings) gives every file, as a reader's project would have.
    private static readonly SyntaxTree ImplicitUsings = CSharpSyntaxTree.ParseText(
        "global using System; global using System.Collections.Generic; global using System.IO; global using System.Linq; " +
        "global using System.Net.Http; global using System.Threading; global using System.Threading.Tasks;",
        new CSharpParseOptions(LanguageVersion.Latest));

    // The platform assemblies and this test's own dependencies (LocalQa, Semantic Kernel, Microsoft.Extensions.AI).
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        _ = typeof(LocalQaPlugin); // LocalQa.Core and what it references are on the trusted list below
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator);
        return paths.Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .Select(p => (MetadataReference)MetadataReference.CreateFromFile(p))
            .ToArray();
    });

    [GeneratedRegex(@"```csharp\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex CSharpBlock();
}
