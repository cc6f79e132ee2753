using System.ComponentModel;
using LocalQa.Core;
using LocalQa.Core.Answering;
using LocalQa.Core.Documents;
using LocalQa.Core.Prompts;
using LocalQa.Core.Summarizing;
using LocalQa.Hosting;
using LocalQa.Llama;
using Microsoft.SemanticKernel;

namespace LocalQa.SemanticKernel;

/// <summary>A passage found in the library, with where it comes from.</summary>
/// <param name="Rank">1 is the best match.</param>
/// <param name="Source">The article's file path.</param>
/// <param name="Title">The article's title.</param>
/// <param name="Heading">The section heading above the passage, when the article has one.</param>
/// <param name="Score">The fused retrieval score: higher is better; comparable within one search only.</param>
/// <param name="Text">The passage, as indexed.</param>
public sealed record ArticlePassage(int Rank, string Source, string Title, string? Heading, double Score, string Text);

/// <summary>A passage an answer cites as [Number].</summary>
public sealed record AnswerCitation(int Number, string Source, string Title, string Text);

/// <summary>What <c>ask</c> returns: the answer, how it was made, and its sources.</summary>
/// <param name="Mode"><c>generative</c> (a local model wrote it from the passages) or <c>extractive</c> (sentences quoted from the articles; no chat model).</param>
/// <param name="Abstained">True when the articles do not contain the answer.</param>
/// <param name="Citations">The passages the answer was made from; [n] in the answer refers to Number n.</param>
public sealed record LibraryAnswer(string Answer, string Mode, bool Abstained, IReadOnlyList<AnswerCitation> Citations, string? Note);

/// <summary>What <c>summarize</c> returns.</summary>
public sealed record ArticleSummary(string Source, string Title, string Summary, IReadOnlyList<string> KeyPoints, string Mode, string? Note);

/// <summary>
/// LocalQa's library as Semantic Kernel functions (<c>search_articles</c>, <c>ask</c>, <c>summarize</c>),
/// described for a function-calling model. Add it with <c>kernel.Plugins.AddLocalQa(library)</c>.
/// Article text in a result is neutralized (<see cref="UntrustedText"/>): the result goes back into some
/// model's prompt, and a chat-template marker quoted from an article must not become a special token there.
/// Thread-safety: calls may come from any thread; they run one at a time (one library, one chat context).
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "A SemaphoreSlim whose wait handle is never asked for holds nothing to release; a kernel never disposes its plugins.")]
public sealed class LocalQaPlugin
{
    public const string DefaultName = "localqa";

    private readonly LocalQaLibrary _library;
    private readonly Answerer _answerer;
    private readonly SemaphoreSlim _gate = new(1, 1);

    public LocalQaPlugin(LocalQaLibrary library)
    {
        _library = library ?? throw new ArgumentNullException(nameof(library));
        _answerer = library.CreateAnswerer();
    }

    [KernelFunction("search_articles")]
    [Description("Searches the user's own library of articles (offline, full-text and semantic) and returns the best matching passages, each with the article's file path and title. Use it to look facts up in the user's articles.")]
    public async Task<IReadOnlyList<ArticlePassage>> SearchArticlesAsync(
        [Description("What to look for: a question or a few keywords.")] string query,
        [Description("How many passages to return, from 1 to 20.")] int top = 5,
        CancellationToken cancellationToken = default)
    {
        if (string.IsNullOrWhiteSpace(query)) throw new InvalidInputException("The search query is empty.", "Pass a question or keywords as query.");
        if (top is < 1 or > 20) throw new InvalidInputException($"top {top} is out of range.", "Use a value from 1 to 20.");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return _answerer.Retrieve(query.Trim(), new AskOptions { TopK = top })
                .Select(p => new ArticlePassage(p.Rank, p.DocumentPath, Safe(p.Title), p.Heading is null ? null : Safe(p.Heading), p.Score, Safe(p.Text)))
                .ToArray();
        }
        finally { _gate.Release(); }
    }

    [KernelFunction("ask")]
    [Description("Answers a question from the user's own articles only, citing the passages it used as [1], [2]; says so when the articles do not contain the answer. Mode tells how the answer was made: 'generative' (written by a local model from the passages) or 'extractive' (sentences quoted from the articles).")]
    public async Task<LibraryAnswer> AskAsync(
        [Description("The question, as a complete sentence.")] string question,
        CancellationToken cancellationToken = default)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var r = await _answerer.AskAsync(question, cancellationToken: cancellationToken).ConfigureAwait(false);
            var citations = r.Sources.Select(s => new AnswerCitation(s.Rank, s.Document, Safe(s.Title), Safe(s.Text))).ToArray();
            return new LibraryAnswer(Safe(r.Answer), ModeName(r.Mode), r.Abstained, citations, r.Note);
        }
        finally { _gate.Release(); }
    }

    [KernelFunction("summarize")]
    [Description("Summarizes one article: pass the article's text itself (plain text or Markdown). Returns a short summary and its key points.")]
    public async Task<ArticleSummary> SummarizeAsync(
        [Description("The article's full text.")] string text,
        [Description("The most words the summary may have, from 10 to 2000.")] int maxWords = 150,
        CancellationToken cancellationToken = default)
    {
        var document = Load(text);
        var prompts = _library.Prompts ?? throw new InvalidOperationException("Prompts were not loaded.");
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            var summarizer = new Summarizer(prompts, _library.Batch, _library.Index, new SummarizeOptions { MaxWords = maxWords, Related = 0 });
            var s = summarizer.Summarize([document], ct: cancellationToken)[0];
            return new ArticleSummary(s.Source, Safe(s.Title), Safe(s.Summary), s.KeyPoints.Select(Safe).ToArray(), ModeName(s.Mode), s.Note);
        }
        finally { _gate.Release(); }
    }

    /// <summary>
    /// The text as an article. A function-calling model chooses this argument, and it may have been
    /// steered by what it read: the plugin never opens a path it is given (it used to read any file
    /// the model named), so a "path" is summarized as the words it is.
    /// </summary>
    private static Document Load(string text)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new InvalidInputException("Nothing to summarize: the text is empty.", "Pass the article's text.");
        var loaded = DocumentLoader.LoadText(text, "text.txt");
        return loaded.Document ?? throw new InvalidInputException(loaded.SkipReason ?? "The article could not be read.", "Pass a text article.");
    }

    private static string Safe(string text) => UntrustedText.Neutralize(text);

    private static string ModeName(AnswerMode mode) => mode == AnswerMode.Generative ? "generative" : "extractive";
}
