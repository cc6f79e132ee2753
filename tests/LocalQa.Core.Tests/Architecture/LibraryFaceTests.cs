using LocalQa.Hosting;
using LocalQa.SemanticKernel;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Xunit;

namespace LocalQa.Core.Tests.Architecture;

/// <summary>
/// The library's face as a .NET engineer meets it: a small public surface in Core, and nothing in
/// the shipped code that blocks a thread on a task (a server thread blocked there is a server that
/// stalls). The blocking check reads the source with Roslyn's semantic model, so it finds
/// <c>Task.Result</c>, <c>Wait()</c> and <c>GetAwaiter().GetResult()</c> by what they call, not by
/// their spelling: a property of another type that happens to be named Result passes.
/// </summary>
public sealed class LibraryFaceTests
{
    /// <summary>What a library user needs and no more: the face, its options and results, the extension points.</summary>
    private const int MaxCorePublicTypes = 90;

    [Fact]
    public void Core_keeps_its_public_surface_small()
    {
        var exported = typeof(ILocalQa).Assembly.GetExportedTypes();
        Assert.True(exported.Length <= MaxCorePublicTypes,
            $"LocalQa.Core exports {exported.Length} types, more than {MaxCorePublicTypes}: {string.Join(", ", exported.Select(t => t.Name).Order(StringComparer.Ordinal))}");
        // The pipeline's stages are reached through the face, not around it.
        foreach (var stage in new[] { "Answerer", "Summarizer", "Ingestor", "Retriever", "ContextPacker", "FollowUps", "Lexicon", "Names", "SentenceReader", "ExtractiveAnswerer", "FtsQueryBuilder", "ReciprocalRankFusion" })
            Assert.DoesNotContain(exported, t => t.Name == stage);
    }

    [Fact]
    public void Nothing_in_src_blocks_on_a_task_outside_Main()
    {
        var src = Path.Combine(TestPaths.RepoRoot, "src");
        var found = new List<string>();
        foreach (var project in Directory.EnumerateDirectories(src))
        {
            var files = Directory.EnumerateFiles(project, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                            && (!f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal) || f.EndsWith(".GlobalUsings.g.cs", StringComparison.Ordinal)))
                .ToArray();
            if (files.Length == 0) continue;
            var trees = files.Select(f => CSharpSyntaxTree.ParseText(File.ReadAllText(f), new CSharpParseOptions(LanguageVersion.Latest), f)).ToArray();
            var compilation = CSharpCompilation.Create(Path.GetFileName(project), trees, References.Value,
                new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, allowUnsafe: true));
            foreach (var tree in trees)
                found.AddRange(Blocking(compilation.GetSemanticModel(tree), tree).Select(where => $"{Path.GetRelativePath(src, tree.FilePath)}:{where}"));
        }
        Assert.True(found.Count == 0, "Blocking on a task (await it instead):\n" + string.Join("\n", found));
    }

    [Fact]
    public void The_blocking_check_sees_each_way_of_blocking()
    {
        const string code = """
            using System.Threading.Tasks;
            class C
            {
                int Result => 1;
                int A(Task<int> t) => t.Result;
                void B(Task t) => t.Wait();
                int D(Task<int> t) => t.GetAwaiter().GetResult();
                int E(ValueTask<int> t) => t.Result;
                int F(Task<int> t) => t.ConfigureAwait(false).GetAwaiter().GetResult();
                int Fine(C c) => c.Result;
                static void Main(Task t) => t.Wait();
            }
            """;
        var tree = CSharpSyntaxTree.ParseText(code);
        var compilation = CSharpCompilation.Create("Probe", [tree], References.Value);
        var lines = Blocking(compilation.GetSemanticModel(tree), tree).Select(w => int.Parse(w.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal([5, 6, 7, 8, 9], lines);
    }

    /// <summary>Each use of a task's blocking members, as "line member", outside a method named Main.</summary>
    private static IEnumerable<string> Blocking(SemanticModel model, SyntaxTree tree)
    {
        foreach (var access in tree.GetRoot().DescendantNodes().OfType<MemberAccessExpressionSyntax>())
        {
            var name = access.Name.Identifier.ValueText;
            if (name is not ("Result" or "Wait" or "WaitAll" or "WaitAny" or "GetResult")) continue;
            var symbol = model.GetSymbolInfo(access).Symbol;
            var owner = symbol?.ContainingType?.ConstructedFrom.ToDisplayString() ?? "";
            var blocks = owner.StartsWith("System.Threading.Tasks.Task", StringComparison.Ordinal)
                         || owner.StartsWith("System.Threading.Tasks.ValueTask", StringComparison.Ordinal)
                         || owner.StartsWith("System.Runtime.CompilerServices.TaskAwaiter", StringComparison.Ordinal)
                         || owner.StartsWith("System.Runtime.CompilerServices.ValueTaskAwaiter", StringComparison.Ordinal)
                         || owner.StartsWith("System.Runtime.CompilerServices.ConfiguredTaskAwaitable", StringComparison.Ordinal)
                         || owner.StartsWith("System.Runtime.CompilerServices.ConfiguredValueTaskAwaitable", StringComparison.Ordinal);
            if (!blocks) continue;
            var method = access.Ancestors().OfType<BaseMethodDeclarationSyntax>().FirstOrDefault();
            if (method is MethodDeclarationSyntax { Identifier.ValueText: "Main" }) continue;
            if (access.Ancestors().OfType<GlobalStatementSyntax>().Any()) continue; // top-level statements are Main
            yield return $"{access.GetLocation().GetLineSpan().StartLinePosition.Line + 1} {access}";
        }
    }

    // The platform, and every assembly the shipped projects use (all loaded beside this test).
    private static readonly Lazy<MetadataReference[]> References = new(() =>
    {
        _ = typeof(LocalQaPlugin);
        _ = typeof(LocalQaLibrary);
        var paths = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Concat(Directory.EnumerateFiles(AppContext.BaseDirectory, "*.dll"))
            .Where(p => p.EndsWith(".dll", StringComparison.OrdinalIgnoreCase))
            .DistinctBy(Path.GetFileName, StringComparer.OrdinalIgnoreCase);
        var references = new List<MetadataReference>();
        foreach (var path in paths)
        {
            try
            {
                references.Add(MetadataReference.CreateFromFile(path));
            }
            catch (BadImageFormatException)
            {
                // A native library beside the managed ones.
            }
        }
        return references.ToArray();
    });
}
