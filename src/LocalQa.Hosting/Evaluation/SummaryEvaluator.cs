using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;
using LocalQa.Core;
using LocalQa.Core.Documents;
using LocalQa.Core.Extractive;
using LocalQa.Core.Summarizing;
using LocalQa.Llama;

namespace LocalQa.Hosting.Evaluation;

/// <summary>One line of a summaries file (../shared/eval/summaries-real.jsonl format).</summary>
/// <param name="Subject">A regular expression (case-insensitive) that a faithful summary or its key points matches.</param>
/// <param name="Related">Library documents (file names) that really are related; any other one listed is unrelated. Optional.</param>
public sealed record SummaryCase(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("file")] string File,
    [property: JsonPropertyName("subject")] string Subject,
    [property: JsonPropertyName("max_words")] int MaxWords,
    [property: JsonPropertyName("related")] IReadOnlyList<string>? Related = null);

/// <summary>How one page's summary fared.</summary>
/// <param name="SubjectFound">The summary or a key point matches the case's subject.</param>
/// <param name="CreditLines">Quoted sentences that are credit lines ("Contributed by …", "Patch by …").</param>
/// <param name="CodeOrOutput">Quoted sentences that stand in the page's code blocks or tables, or read as a prompt and its output.</param>
/// <param name="CutKeyPoints">Key points that are not whole sentences (cut with "…", or no closing punctuation).</param>
/// <param name="UnrelatedRelated">Library documents listed as related that the case does not name.</param>
/// <remarks>In eval --summaries --json a row shows the verdict first and, of the summary itself, only its text and key points.</remarks>
public sealed record SummaryRow(
    [property: JsonPropertyOrder(-1)] string Id,
    [property: JsonPropertyOrder(-1)] string File,
    bool SubjectFound,
    int Words,
    int MaxWords,
    IReadOnlyList<string> CreditLines,
    IReadOnlyList<string> CodeOrOutput,
    IReadOnlyList<string> CutKeyPoints,
    IReadOnlyList<string> UnrelatedRelated,
    [property: JsonIgnore] SummaryResult Result)
{
    [JsonInclude]
    internal string Summary => Result.Summary;

    [JsonInclude]
    internal IReadOnlyList<string> KeyPoints => Result.KeyPoints;

    /// <summary>Generative with a chat model, extractive without one (or when asked).</summary>
    [JsonInclude]
    internal LocalQa.Core.Answering.AnswerMode Mode => Result.Mode;

    /// <summary>Subject named, within budget, and nothing quoted that should not be.</summary>
    [JsonPropertyOrder(-1)]
    public bool Clean => SubjectFound && Words <= MaxWords && CreditLines.Count == 0 && CodeOrOutput.Count == 0 && CutKeyPoints.Count == 0 && UnrelatedRelated.Count == 0;
}

/// <summary>
/// Summarizes real documents (pages of Python's HTML documentation, see ../shared/eval/README.md)
/// and checks each summary the way a reader would: is the page's subject named, and does it quote
/// credit lines, code or terminal output, cut key points, or unrelated library documents?
/// </summary>
/// <remarks>
/// Code is judged from what the page's loader saw (its <c>&lt;pre&gt;</c> blocks and tables), not by
/// the summarizer's own heuristics, so the check does not grade its own homework.
/// </remarks>
public static partial class SummaryEvaluator
{
    /// <summary>Where Debian's python3.11-doc installs the pages the shared summaries file names.</summary>
    public const string PythonDocs = "/usr/share/doc/python3.11/html";

    /// <summary>
    /// The <see cref="InvalidInputException.Setting"/> of an error about the documents folder given to
    /// <see cref="Run"/>, which has no options record to name a property of.
    /// </summary>
    public const string DocumentsFolder = nameof(DocumentsFolder);

    public static IReadOnlyList<SummaryCase> Load(string path)
    {
        var full = Path.GetFullPath(path);
        if (!File.Exists(full)) throw new InvalidInputException($"Summaries file '{full}' does not exist.", "Pass a .jsonl file of pages (id, file, subject, max_words).");
        var cases = new List<SummaryCase>();
        var lineNo = 0;
        foreach (var line in File.ReadLines(full))
        {
            lineNo++;
            if (string.IsNullOrWhiteSpace(line)) continue;
            try
            {
                var c = JsonSerializer.Deserialize<SummaryCase>(line) ?? throw new JsonException("null");
                if (string.IsNullOrWhiteSpace(c.Id) || string.IsNullOrWhiteSpace(c.File) || string.IsNullOrWhiteSpace(c.Subject) || c.MaxWords < 10)
                    throw new JsonException("id, file, subject and max_words (10 or more) are required");
                cases.Add(c);
            }
            catch (JsonException ex)
            {
                throw new InvalidInputException($"'{full}' line {lineNo} is not a valid page: {ex.Message}", "Each line must be a JSON object with id, file, subject and max_words.");
            }
        }

        if (cases.Count == 0) throw new InvalidInputException($"Summaries file '{full}' has no pages.");
        return cases;
    }

    /// <summary>Summarizes each page under <paramref name="root"/> with <paramref name="summarize"/> (given the document and the word budget) and checks it.</summary>
    public static async Task<IReadOnlyList<SummaryRow>> RunAsync(IReadOnlyList<SummaryCase> cases, string root, Func<Document, int, Task<SummaryResult>> summarize, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(cases);
        ArgumentNullException.ThrowIfNull(summarize);
        if (!Directory.Exists(root))
            throw new InvalidInputException($"The documents folder '{root}' does not exist.", root == PythonDocs ? "Install Debian's python3.11-doc (apt-get install python3.11-doc), or give another documents folder." : "Give the folder the pages are under.")
            { Setting = DocumentsFolder };
        var rows = new List<SummaryRow>();
        foreach (var c in cases)
        {
            ct.ThrowIfCancellationRequested();
            var loaded = DocumentLoader.Load(Path.Combine(root, c.File), LoadOptions.Summarizing, ct);
            var document = loaded.Document ?? throw new InvalidInputException($"Cannot summarize {c.File}: {loaded.SkipReason}");
            rows.Add(Check(c, document, await summarize(document, c.MaxWords).ConfigureAwait(false)));
        }

        return rows;
    }

    internal static SummaryRow Check(SummaryCase c, Document document, SummaryResult result)
    {
        var quoted = result.KeyPoints.Prepend(result.Summary).ToList();
        var sentences = quoted.SelectMany(q => LocalQa.Core.Extractive.SentenceReader.Read(q)).Select(s => s.Text).ToList();
        var code = document.Blocks.Where(b => b.Kind is BlockKind.Code or BlockKind.TableRow).Select(b => document.Text.Substring(b.Start, b.Length)).ToList();
        var subject = new Regex(c.Subject, RegexOptions.IgnoreCase, TimeSpan.FromSeconds(1));
        return new SummaryRow(
            c.Id,
            c.File,
            quoted.Any(subject.IsMatch),
            result.Words,
            c.MaxWords,
            sentences.Where(s => CreditLine().IsMatch(s)).ToList(),
            sentences.Where(s => Prompt().IsMatch(s) || code.Exists(b => b.Contains(s, StringComparison.Ordinal))).ToList(),
            result.KeyPoints.Where(k => k.Contains('\u2026', StringComparison.Ordinal) || !SentenceReader.EndsLikeSentence(k)).ToList(),
            result.Related.Where(r => !(c.Related ?? []).Contains(Path.GetFileName(r.Document), StringComparer.Ordinal)).Select(r => r.Document).ToList(),
            result);
    }

    [GeneratedRegex(@"\b(?:contributed|patch(?:ed)?|fixed|reported|suggested)\s+by\b", RegexOptions.IgnoreCase)]
    private static partial Regex CreditLine();

    [GeneratedRegex(@"^(?:>>>|\$ |\.\.\. )|Traceback \(most recent call last\)")]
    private static partial Regex Prompt();
}
