using System.Text.RegularExpressions;
using LocalQa.Core.Ai;
using LocalQa.Llama;
using LocalQa.SemanticKernel;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;

namespace LocalQa.Core.Tests.Readme;

/// <summary>The README's "Using LocalQa's engine from .NET" snippets, compiled as they are written.</summary>
public sealed partial class ReadmeSnippetTests
{
    private const string Section = "## Using LocalQa's engine from .NET";

    public static TheoryData<int> Snippets => new(Enumerable.Range(0, CSharpBlocks().Count));

    internal static IReadOnlyList<string> CSharpBlocks()
    {
        var readme = File.ReadAllText(Path.Combine(TestPaths.RepoRoot, "README.md")).Replace("\r\n", "\n", StringComparison.Ordinal);
        var start = readme.IndexOf(Section, StringComparison.Ordinal);
        Assert.True(start >= 0, $"README.md has no '{Section}' section.");
        var end = readme.IndexOf("\n## ", start + Section.Length, StringComparison.Ordinal);
        var section = readme[start..(end < 0 ? readme.Length : end)];
        return CSharpBlock().Matches(section).Select(m => m.Groups[1].Value).ToArray();
    }

    [Fact]
    public void The_section_shows_the_chat_client_the_tokenizer_and_Semantic_Kernel()
    {
        var blocks = CSharpBlocks();
        Assert.Contains(blocks, b => b.Contains("new LlamaChatClient(", StringComparison.Ordinal));
        Assert.Contains(blocks, b => b.Contains("GgufTokenizer.TryCreate(", StringComparison.Ordinal));
        Assert.Contains(blocks, b => b.Contains("Kernel.CreateBuilder().AddLocalQa(library)", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Snippets))]
    public void The_snippet_compiles(int index)
    {
        var code = CSharpBlocks()[index];
        var tree = CSharpSyntaxTree.ParseText(code, new CSharpParseOptions(LanguageVersion.Latest), path: $"README.md#snippet{index}");
        var compilation = CSharpCompilation.Create($"ReadmeSnippet{index}", [tree, ImplicitUsings], References.Value,
            new CSharpCompilationOptions(OutputKind.ConsoleApplication, nullableContextOptions: NullableContextOptions.Enable)
                // As the .NET SDK does: assembly-version unification (SK 1.82 is built against Microsoft.Extensions.AI 10.5, LocalQa pins 10.11) is not the snippet's problem.
                .WithSpecificDiagnosticOptions([new("CS1701", ReportDiagnostic.Suppress), new("CS1702", ReportDiagnostic.Suppress)]));
        using var pe = new MemoryStream();
        var emitted = compilation.Emit(pe);
        var problems = emitted.Diagnostics.Where(d => d.Severity >= DiagnosticSeverity.Warning).Select(d => d.ToString()).ToArray();
        Assert.True(emitted.Success && problems.Length == 0, $"README snippet {index} does not compile cleanly:\n{string.Join("\n", problems)}\n---\n{code}");
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
