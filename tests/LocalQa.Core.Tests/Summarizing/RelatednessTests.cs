using LocalQa.Core.Chunking;
using LocalQa.Core.Documents;
using LocalQa.Core.Index;
using LocalQa.Core.Prompts;
using LocalQa.Core.Summarizing;
using LocalQa.Hosting.Evaluation;

namespace LocalQa.Core.Tests.Summarizing;

/// <summary>
/// "Related in your library" both ways, on the data the bar was calibrated on: the seed articles (all
/// on Meta's AI people) are related to each other, pages of Python's documentation to each other, and
/// neither to the other.
/// </summary>
public sealed class RelatednessTests
{
    private static readonly string[] PythonLibrary = ["whatsnew/3.7.html", "whatsnew/3.8.html", "library/logging.html", "library/collections.html", "library/os.html", "tutorial/controlflow.html"];

    private static PromptLibrary Prompts => IndexTestData.Prompts();

    private static string PythonPage(string relative)
    {
        var path = Path.Combine(SummaryEvaluator.PythonDocs, relative);
        if (!File.Exists(path))
        {
            Assert.Skip($"Python's documentation is not installed ({path} is absent; Debian package python3.11-doc).");
        }

        return path;
    }

    private static LocalQaIndex Library(TempFolder folder, IEnumerable<string> files)
    {
        var index = LocalQaIndex.Open(folder.IndexPath);
        var chunker = new Chunker();
        foreach (var file in files)
        {
            var document = DocumentLoader.Load(file).Document!;
            index.UpsertDocument(document, chunker.Split(document));
        }

        return index;
    }

    private static async Task<SummaryResult> SummarizeAsync(LocalQaIndex index, string file)
    {
        var document = DocumentLoader.Load(file, LoadOptions.Summarizing).Document!;
        var summarizer = new Summarizer(Prompts, null, index);
        return (await summarizer.SummarizeAsync([document])).Single();
    }

    [Fact]
    public async Task Every_seed_lists_other_seeds_as_related_and_pages_of_Pythons_documentation_list_nothing()
    {
        using var folder = new TempFolder();
        var seeds = IndexTestData.SeedFiles().Select(Path.GetFullPath).ToArray();
        using var index = Library(folder, seeds);

        foreach (var seed in seeds)
        {
            var result = await SummarizeAsync(index, seed);
            Assert.NotEmpty(result.Related);
            Assert.All(result.Related, r =>
            {
                Assert.NotEqual(seed, r.Document);
                Assert.InRange(r.Score, Summarizer.MinRelatedness, 1);
            });
        }

        foreach (var page in new[] { "library/json.html", "library/functools.html", "howto/logging.html", "tutorial/classes.html" })
        {
            var result = await SummarizeAsync(index, PythonPage(page));
            Assert.True(result.RelatedSearched);
            Assert.Empty(result.Related);
        }
    }

    [Fact]
    public async Task Pages_of_Pythons_documentation_find_their_neighbours_and_no_seed()
    {
        using var folder = new TempFolder();
        using var index = Library(folder, PythonLibrary.Select(PythonPage));

        var logging = await SummarizeAsync(index, PythonPage("howto/logging.html"));
        Assert.Equal("logging.html", Path.GetFileName(logging.Related[0].Document));
        var whatsNew = await SummarizeAsync(index, PythonPage("whatsnew/3.9.html"));
        Assert.StartsWith("3.", Path.GetFileName(whatsNew.Related[0].Document), StringComparison.Ordinal);
        Assert.All(logging.Related.Concat(whatsNew.Related), r => Assert.InRange(r.Score, Summarizer.MinRelatedness, 1));

        foreach (var seed in IndexTestData.SeedFiles())
        {
            Assert.Empty((await SummarizeAsync(index, seed)).Related);
        }
    }

    [Fact]
    public void A_passage_that_holds_all_of_an_articles_key_terms_scores_one_and_one_that_holds_none_is_not_listed()
    {
        using var folder = new TempFolder();
        folder.Write("harbour.txt", "Harbour tides\n\nThe harbour keeper logs tides, storms and boats at the lighthouse every night.\n");
        folder.Write("garden.txt", "Garden roses\n\nThe gardener prunes roses and tulips in the spring, then waters the beds.\n");
        using var index = Library(folder, [folder["harbour.txt"], folder["garden.txt"]]);

        var found = Relatedness.Find(index, "At the lighthouse, the keeper logs boats, tides and storms of the harbour.", null);

        var harbour = Assert.Single(found, f => f.Path.EndsWith("harbour.txt", StringComparison.Ordinal));
        Assert.Equal(1, harbour.Score, 3);
        Assert.DoesNotContain(found, f => f.Path.EndsWith("garden.txt", StringComparison.Ordinal) && f.Score >= Relatedness.MinScore);
    }
}
