using System.Text.Json;
using LocalQa.Core.Answering;
using LocalQa.Core.Documents;
using LocalQa.Core.Index;
using LocalQa.Core.Retrieval;

namespace LocalQa.Core.Tests.Extractive;

/// <summary>
/// The five seed articles loaded and cleaned as a user's ingest would, cut into paragraph chunks and
/// indexed once for every extractive-answering test of the class that uses it.
/// </summary>
public sealed class SeedQaIndex : IDisposable
{
    public const int TopK = 5;

    private readonly TempFolder _folder = new();

    public SeedQaIndex()
    {
        Index = LocalQaIndex.Open(_folder.IndexPath);
        foreach (var file in IndexTestData.SeedFiles())
        {
            Add(Index, file);
        }
    }

    internal LocalQaIndex Index { get; }

    public void Dispose()
    {
        Index.Dispose();
        _folder.Dispose();
    }

    internal IReadOnlyList<RetrievedPassage> Retrieve(string question) => new Retriever(Index).Search(question, TopK);

    internal static void Add(LocalQaIndex index, string file)
    {
        var load = DocumentLoader.Load(file);
        Assert.True(load.IsLoaded, load.SkipReason);
        var document = load.Document!;
        index.UpsertDocument(document, IndexTestData.ParagraphChunks(document.Text));
    }
}

/// <summary>A question with the strings any one of which makes an answer right.</summary>
internal sealed record QaCase(string Id, string Question, IReadOnlyList<string> Answers, bool Unanswerable)
{
    public static IReadOnlyList<QaCase> LoadShared()
    {
        var path = IndexTestData.EvalQuestionsPath;
        if (!File.Exists(path))
        {
            Assert.Skip("eval questions absent: " + path);
        }

        var cases = new List<QaCase>();
        foreach (var line in File.ReadLines(path))
        {
            if (string.IsNullOrWhiteSpace(line))
            {
                continue;
            }

            using var json = JsonDocument.Parse(line);
            var root = json.RootElement;
            cases.Add(new QaCase(
                root.GetProperty("id").GetString()!,
                root.GetProperty("question").GetString()!,
                root.GetProperty("answers").EnumerateArray().Select(a => a.GetString()!).ToList(),
                root.GetProperty("unanswerable").GetBoolean()));
        }

        return cases;
    }
}

/// <summary>The outcome of answering one <see cref="QaCase"/>.</summary>
internal sealed record QaOutcome(QaCase Case, ExtractiveAnswer Answer)
{
    /// <summary>Answerable: a reference string is in the answer. Unanswerable: the answerer abstained.</summary>
    public bool Correct => Case.Unanswerable
        ? Answer.Abstained
        : !Answer.Abstained && Case.Answers.Any(a => Answer.Text.Contains(a, StringComparison.OrdinalIgnoreCase));

    public override string ToString() =>
        $"{(Correct ? "ok  " : "MISS")} {Case.Id} [{Answer.TopScore:F2}{(Answer.Abstained ? " abstained" : "")}] {Case.Question} => {Answer.Text}";
}

internal static class SeedQaRun
{
    public static List<QaOutcome> Run(SeedQaIndex seeds, IEnumerable<QaCase> cases)
    {
        var outcomes = cases.Select(c => new QaOutcome(c, ExtractiveAnswerer.Answer(c.Question, seeds.Retrieve(c.Question)))).ToList();
        var output = TestContext.Current.TestOutputHelper;
        foreach (var outcome in outcomes)
        {
            output?.WriteLine(outcome.ToString());
        }

        return outcomes;
    }

    public static double HitRate(IEnumerable<QaOutcome> outcomes)
    {
        var answerable = outcomes.Where(o => !o.Case.Unanswerable).ToList();
        return answerable.Count == 0 ? 0 : (double)answerable.Count(o => o.Correct) / answerable.Count;
    }
}
