using System.ComponentModel;
using LocalQa.Core;
using LocalQa.Core.Answering;
using LocalQa.Core.Documents;
using LocalQa.Core.Prompts;
using LocalQa.Core.Retrieval;
using LocalQa.Core.Summarizing;
using Microsoft.SemanticKernel;

namespace LocalQa.SemanticKernel;

/// <summary>
/// LocalQa as Semantic Kernel functions (<c>search_articles</c>, <c>ask</c>, <c>summarize</c>),
/// described for a function-calling model, over one <see cref="ILocalQa"/>; they return the library's
/// own result types. Add it with <c>kernel.Plugins.AddLocalQa(qa)</c>. Article text in a result is
/// neutralized (<see cref="UntrustedText"/>): the result goes back into some model's prompt, and a
/// chat-template marker quoted from an article must not become a special token there.
/// Calls may come from any thread; the face runs them one at a time.
/// </summary>
public sealed class LocalQaPlugin(ILocalQa qa)
{
    public const string DefaultName = "localqa";

    private readonly ILocalQa _qa = qa ?? throw new ArgumentNullException(nameof(qa));

    [KernelFunction("search_articles")]
    [Description("Searches the user's own library of articles (offline, full-text and semantic) and returns the best matching passages, each with the article's file path and title. Use it to look facts up in the user's articles.")]
    public async Task<IReadOnlyList<RetrievedPassage>> SearchArticlesAsync(
        [Description("What to look for: a question or a few keywords.")] string query,
        [Description("How many passages to return, from 1 to 20.")] int top = 5,
        CancellationToken cancellationToken = default)
    {
        if (top is < 1 or > 20) throw new InvalidInputException($"top {top} is out of range.", "Use a value from 1 to 20.");
        var passages = await _qa.SearchAsync(query, top, cancellationToken).ConfigureAwait(false);
        return passages.Select(p => p with { Title = Safe(p.Title), Heading = p.Heading is null ? null : Safe(p.Heading), Text = Safe(p.Text) }).ToArray();
    }

    [KernelFunction("ask")]
    [Description("Answers a question from the user's own articles only, citing the passages it used as [1], [2] (Sources, by Rank); says so when the articles do not contain the answer (Abstained). Mode tells how the answer was made: Generative (written by a local model from the passages) or Extractive (sentences quoted from the articles).")]
    public async Task<AskResult> AskAsync(
        [Description("The question, as a complete sentence.")] string question,
        CancellationToken cancellationToken = default)
    {
        var r = await _qa.AskAsync(question, cancellationToken: cancellationToken).ConfigureAwait(false);
        // The quoted sentences repeat the answer with scoring detail a calling model has no use for.
        return r with
        {
            Answer = Safe(r.Answer),
            Sources = r.Sources.Select(s => s with { Title = Safe(s.Title), Text = Safe(s.Text) }).ToArray(),
            Quoted = [],
        };
    }

    [KernelFunction("summarize")]
    [Description("Summarizes one article: pass the article's text itself (plain text or Markdown). Returns a short summary and its key points.")]
    public async Task<SummaryResult> SummarizeAsync(
        [Description("The article's full text.")] string text,
        [Description("The most words the summary may have, from 10 to 2000.")] int maxWords = SummarizeOptions.DefaultMaxWords,
        CancellationToken cancellationToken = default)
    {
        var document = Load(text);
        var s = (await _qa.SummarizeAsync([document], new SummarizeOptions { MaxWords = maxWords, Related = 0 }, cancellationToken: cancellationToken).ConfigureAwait(false))[0];
        return s with { Title = Safe(s.Title), Summary = Safe(s.Summary), KeyPoints = s.KeyPoints.Select(Safe).ToArray(), Explanation = [] };
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
}
