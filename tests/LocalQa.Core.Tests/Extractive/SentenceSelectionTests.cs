using LocalQa.Core.Documents;
using LocalQa.Core.Extractive;
using LocalQa.Core.Summarizing;
using LocalQa.Hosting.Evaluation;

namespace LocalQa.Core.Tests.Extractive;

/// <summary>The shared sentence reader and selection pipeline, and the summaries of real pages (Python's documentation).</summary>
public sealed class SentenceSelectionTests
{
    private const string Page = """
        <html><head><title>widgets — Widget toolkit</title></head><body><main>
        <h1>widgets — Widget toolkit</h1>
        <p>The widgets module draws buttons and sliders on any screen. It keeps every widget in one tree.</p>
        <pre>&gt;&gt;&gt; import widgets
        &gt;&gt;&gt; widgets.draw(tree)
        Drawn 3 widgets in the tree.</pre>
        <table><tr><td>Button</td><td>Draws a button that a user can press.</td></tr></table>
        <figure><img src="a.png"><figcaption>A button drawn by the widgets module on a screen.</figcaption></figure>
        <h2>Sliders<a class="headerlink" href="#sliders">¶</a></h2>
        <p>A slider picks one value from a range of numbers. (Contributed by Ann Lee in bpo-1001.)</p>
        <p>See the tutorial for more examples.</p>
        <h2>References</h2>
        <ol><li>Lee, A. et al. (2021). Widgets for everyone. Widget Press.</li></ol>
        </main></body></html>
        """;

    [Fact]
    public void Code_tables_captions_asides_cross_references_and_reference_lists_are_never_candidates()
    {
        var document = LoadHtml(Page);

        var sentences = SentenceReader.Read(document.Text, document.Blocks, document.Headings);

        Assert.Equal(
            ["The widgets module draws buttons and sliders on any screen.", "It keeps every widget in one tree.", "A slider picks one value from a range of numbers."],
            sentences.Where(s => s.IsCandidate).Select(s => s.Text));
        Assert.Contains(sentences, s => s.Text == "Drawn 3 widgets in the tree." && s.Excluded == "code or preformatted text");
        Assert.Contains(sentences, s => s.Kind == BlockKind.TableRow && s.Excluded == "a table row");
        Assert.Contains(sentences, s => s.Kind == BlockKind.Caption);
        Assert.Contains(sentences, s => s.Text == "Sliders" && s.Kind == BlockKind.Heading);
        Assert.True(sentences.Single(s => s.Text.StartsWith("A slider", StringComparison.Ordinal)).OpensSection);
    }

    [Fact]
    public void A_family_of_template_sentences_gets_one_place_and_every_chosen_sentence_says_why()
    {
        var credits = Enumerable.Range(1, 20).Select(i => $"The fix was contributed by Victor Stinner in issue {4500 + i}.");
        var text = string.Join("\n\n", credits.Prepend("Release 9 makes the interpreter faster and adds pattern matching to the language.")
            .Append("Pattern matching lets a program test the shape of a value in one statement.")
            .Append("The interpreter starts faster because its modules are frozen at build time."));

        var summary = ExtractiveSummarizer.Summarize(text, maxWords: 60, keyPoints: 3);

        var quoted = summary.KeyPoints.Append(summary.Text);
        Assert.True(quoted.Sum(q => q.Split("Victor Stinner").Length - 1) <= 1, string.Join(" | ", quoted));
        Assert.Contains("pattern matching", summary.Text, StringComparison.Ordinal);
        Assert.All(summary.Explanation, e => Assert.Equal("centrality", e.Factors[0].Factor));
        Assert.Contains(summary.Explanation.SelectMany(e => e.Factors), f => f.Factor == "template-family" && f.Value < 1);
    }

    [Fact]
    public async Task Every_page_of_the_real_summaries_file_is_summarized_clean()
    {
        var file = Path.Combine(TestPaths.SharedFolder, "eval", "summaries-real.jsonl");
        if (!File.Exists(file)) Assert.Skip($"../shared/eval/summaries-real.jsonl is absent ({file}).");
        if (!Directory.Exists(SummaryEvaluator.PythonDocs)) Assert.Skip($"Python's documentation is not installed at {SummaryEvaluator.PythonDocs} (Debian package python3.11-doc).");

        var dir = Directory.CreateTempSubdirectory("localqa-summaries-").FullName;
        using var index = await IndexTestData.SeededIndexAsync(Path.Combine(dir, "index.db"));
        var prompts = IndexTestData.Prompts();
        var rows = await SummaryEvaluator.RunAsync(SummaryEvaluator.Load(file), SummaryEvaluator.PythonDocs, async (document, maxWords) =>
        {
            var summarizer = new Summarizer(prompts, null, index, new SummarizeOptions { MaxWords = maxWords });
            return (await summarizer.SummarizeAsync([document]))[0];
        });

        Assert.All(rows, r => Assert.True(r.Clean, $"{r.Id} {r.File}: subject {r.SubjectFound}, credit lines [{string.Join(" | ", r.CreditLines)}], code [{string.Join(" | ", r.CodeOrOutput)}], cut [{string.Join(" | ", r.CutKeyPoints)}], related [{string.Join(", ", r.UnrelatedRelated)}]"));
    }

    private static Document LoadHtml(string html)
    {
        var path = Path.Combine(Directory.CreateTempSubdirectory("localqa-page-").FullName, "page.html");
        File.WriteAllText(path, html);
        var load = DocumentLoader.Load(path);
        Assert.True(load.IsLoaded, load.SkipReason);
        return load.Document!;
    }
}
