using System.Diagnostics;
using System.Text;
using LocalQa.Core.Ai;
using LocalQa.Core.Answering;
using LocalQa.Core.Chunking;
using LocalQa.Core.Documents;
using LocalQa.Core.Index;
using LocalQa.Core.Prompts;
using LocalQa.Core.Retrieval;
using Microsoft.Extensions.AI;

namespace LocalQa.Core.Summarizing;

/// <summary>
/// Summarizes articles. With a chat model: an article that fits the context is summarized in one
/// pass; a longer one is split into chunks that are summarized as parallel sequences of one batch
/// (a finished slot takes the next chunk at once), then the partial summaries are reduced, again
/// and again while they overflow. Several articles share the batch. The model is reached through
/// <see cref="IBatchChatClient"/> only (llama.cpp's parallel sequences, or a server's concurrent
/// requests). Without a chat model the summary is extractive. Not thread-safe.
/// </summary>
internal sealed class Summarizer
{
    private readonly PromptLibrary _prompts;
    private readonly IBatchChatClient? _chat;
    private readonly LocalQaIndex? _index;
    private readonly SummarizeOptions _options;

    public Summarizer(PromptLibrary prompts, IBatchChatClient? chat, LocalQaIndex? index, SummarizeOptions? options = null)
    {
        _prompts = prompts ?? throw new ArgumentNullException(nameof(prompts));
        _chat = chat;
        _index = index;
        _options = options ?? new SummarizeOptions();
        if (_options.MaxWords is < SummarizeOptions.MinWords or > SummarizeOptions.MaxWordsLimit)
            throw new InvalidInputException($"A summary of {_options.MaxWords} words is out of range.", $"Use {SummarizeOptions.MinWords} to {SummarizeOptions.MaxWordsLimit} words.") { Setting = nameof(SummarizeOptions.MaxWords) };
        if (_options.KeyPoints is < 0 or > SummarizeOptions.MaxKeyPoints)
            throw new InvalidInputException($"{_options.KeyPoints} key points is out of range.", $"Use 0 to {SummarizeOptions.MaxKeyPoints}.") { Setting = nameof(SummarizeOptions.KeyPoints) };
    }

    /// <summary>The face's turns: related documents are looked up in the library's; none when used alone.</summary>
    internal FaceTurns? Turns { get; init; }

    private ValueTask<FaceTurns.Turn> LibraryTurnAsync(CancellationToken ct) => Turns?.LibraryAsync(ct) ?? default;

    /// <summary>Map sequences and reduce steps of the last generative run, for tests and progress.</summary>
    public int LastMapSequences { get; private set; }
    public int LastReduceSteps { get; private set; }

    /// <summary>Tokens the summary may generate: the word budget plus key points, in tokens.</summary>
    private int GenerationTokens => (int)((_options.MaxWords + _options.KeyPoints * 30) * 1.6) + 32;

    public async Task<IReadOnlyList<SummaryResult>> SummarizeAsync(IReadOnlyList<Document> documents, IProgress<SummarizeProgress>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(documents);
        var total = Stopwatch.StartNew();
        foreach (var d in documents)
        {
            if (string.IsNullOrWhiteSpace(d.Text))
                throw new InvalidInputException($"'{d.Path}' has no article text after cleaning.", "Check that the file is an article (not empty, not only navigation).");
        }
        var results = new List<SummaryResult>();
        if (_chat is null)
        {
            foreach (var d in documents)
            {
                ct.ThrowIfCancellationRequested();
                var s = ExtractiveSummarizer.Summarize(d, _options.MaxWords, _options.KeyPoints);
                results.Add(new SummaryResult
                {
                    Source = d.Path,
                    Title = d.Title,
                    Summary = s.Text,
                    KeyPoints = s.KeyPoints,
                    Mode = AnswerMode.Extractive,
                    Explanation = s.Explanation,
                    Note = "extractive summary: no chat model is configured (run `localqa models download` for generated summaries)",
                });
            }
        }
        else
        {
            results.AddRange(await GenerateAsync(documents, progress, ct).ConfigureAwait(false));
        }
        var withRelated = new List<SummaryResult>(results.Count);
        var textOf = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var d in documents) textOf.TryAdd(d.Path, d.Text);
        foreach (var r in results)
        {
            var t0 = Stopwatch.GetTimestamp();
            List<RelatedDocument> related;
            using (await LibraryTurnAsync(ct).ConfigureAwait(false))
                related = FindRelated(r, textOf.GetValueOrDefault(r.Source));
            withRelated.Add(r with
            {
                Related = related,
                RelatedSearched = _index is not null && _options.Related > 0,
                Timings = (r.Timings ?? new SummaryTimings(0, 0, 0, 0, 0, 0)) with { RelatedMs = Stopwatch.GetElapsedTime(t0).TotalMilliseconds, TotalMs = total.Elapsed.TotalMilliseconds },
            });
        }
        return withRelated;
    }

    private sealed class Job
    {
        public required Document Doc;
        public List<string> Parts = [];
        public int Round;
        public string? Final;
    }

    private async Task<List<SummaryResult>> GenerateAsync(IReadOnlyList<Document> documents, IProgress<SummarizeProgress>? progress, CancellationToken ct)
    {
        var chat = _chat!;
        var budget = chat.Budget;
        var genTokens = GenerationTokens;
        var room = budget.ContextTokens - genTokens - 16;
        if (room < 128)
            throw new InvalidInputException($"The summarizing context ({budget.ContextTokens} tokens) is too small for a {_options.MaxWords}-word summary.",
                "Ask for fewer words, or use a larger context.") { Setting = nameof(SummarizeOptions.MaxWords) };
        var overhead = budget.CountPromptTokens(await RenderAsync("summarize", "", "x", _options.MaxWords, _options.KeyPoints, ct).ConfigureAwait(false));
        var mapBudget = Math.Max(64, room - overhead);
        var chunker = new Chunker(budget.TextTokens, new ChunkingOptions { MaxTokens = mapBudget, OverlapTokens = 0 });
        var sw = Stopwatch.StartNew();

        // Map: every chunk of every article is one sequence; all share the batch.
        var jobs = documents.Select(d => new Job { Doc = d }).ToArray();
        var mapPrompts = new List<(Job Job, ChatMessage[] Prompt)>();
        foreach (var job in jobs)
        {
            var whole = await RenderAsync("summarize", job.Doc.Title, job.Doc.Text, _options.MaxWords, _options.KeyPoints, ct).ConfigureAwait(false);
            if (budget.CountPromptTokens(whole) <= room)
            {
                mapPrompts.Add((job, whole));
                job.Round = -1; // fits: this one pass is the final summary
                continue;
            }
            var partWords = Math.Max(40, _options.MaxWords / 2);
            foreach (var chunk in chunker.Split(job.Doc))
                mapPrompts.Add((job, await RenderAsync("summarize", job.Doc.Title, chunk.Text, partWords, 2, ct).ConfigureAwait(false)));
        }
        // Refused before the map's work, not after it: an article whose parts could not be combined.
        foreach (var job in jobs.Where(j => j.Round == 0)) await PartTokensAsync(job.Doc.Title, budget, room, ct).ConfigureAwait(false);
        LastMapSequences = mapPrompts.Count(p => p.Job.Round == 0);
        LastReduceSteps = 0;
        var generated = 0;
        var done = 0;
        var outputs = await chat.CompleteAsync(mapPrompts.Select(p => p.Prompt).ToArray(), Options(genTokens), _ =>
        {
            done++;
            progress?.Report(new SummarizeProgress(done, mapPrompts.Count, 0, generated / Math.Max(1e-3, sw.Elapsed.TotalSeconds)));
        }, ct).ConfigureAwait(false);
        generated += Generated(outputs);
        for (var i = 0; i < outputs.Count; i++)
        {
            var job = mapPrompts[i].Job;
            if (job.Round == -1) job.Final = outputs[i].Text;
            else job.Parts.Add(outputs[i].Text);
        }
        var mapMs = sw.Elapsed.TotalMilliseconds;

        // Reduce: partial summaries combined; while they overflow one prompt, combine groups of them.
        // Each part is cut so that two fit one prompt: every round then at least halves a job's parts
        // and the reduce ends, however long-winded the model's partial summaries are.
        var reduceWatch = Stopwatch.StartNew();
        while (jobs.Any(j => j.Final is null))
        {
            ct.ThrowIfCancellationRequested();
            LastReduceSteps++;
            var prompts = new List<(Job Job, bool Last, ChatMessage[] Prompt)>();
            foreach (var job in jobs.Where(j => j.Final is null))
            {
                var partTokens = await PartTokensAsync(job.Doc.Title, budget, room, ct).ConfigureAwait(false);
                var parts = job.Parts.Select(p => Fit(Clean(p), partTokens, budget.TextTokens)).ToList();
                var all = await ReducePromptAsync(job.Doc.Title, parts, _options.MaxWords, _options.KeyPoints, ct).ConfigureAwait(false);
                if (budget.CountPromptTokens(all) <= room)
                {
                    prompts.Add((job, true, all));
                    continue;
                }
                // Group consecutive parts so each group fits; each group's summary is a part of the next round.
                var group = new List<string>();
                foreach (var part in parts)
                {
                    group.Add(part);
                    if (group.Count > 1 && budget.CountPromptTokens(await ReducePromptAsync(job.Doc.Title, group, _options.MaxWords, 2, ct).ConfigureAwait(false)) > room)
                    {
                        group.RemoveAt(group.Count - 1);
                        prompts.Add((job, false, await ReducePromptAsync(job.Doc.Title, group, _options.MaxWords, 2, ct).ConfigureAwait(false)));
                        group = [part];
                    }
                }
                if (group.Count > 0) prompts.Add((job, false, await ReducePromptAsync(job.Doc.Title, group, _options.MaxWords, 2, ct).ConfigureAwait(false)));
            }
            var reduced = await chat.CompleteAsync(prompts.Select(p => p.Prompt).ToArray(), Options(genTokens), null, ct).ConfigureAwait(false);
            generated += Generated(reduced);
            foreach (var job in jobs.Where(j => j.Final is null)) job.Parts = [];
            for (var i = 0; i < reduced.Count; i++)
            {
                var (job, last, _) = prompts[i];
                if (last) job.Final = reduced[i].Text;
                else job.Parts.Add(reduced[i].Text);
            }
            progress?.Report(new SummarizeProgress(done, mapPrompts.Count, LastReduceSteps, generated / Math.Max(1e-3, sw.Elapsed.TotalSeconds)));
            // Unreachable while parts are cut to fit two a prompt; a guard against a loop, not a user's error.
            if (LastReduceSteps > 64) throw new InvalidOperationException("The reduce step does not converge: partial summaries keep overflowing the context.");
        }
        var reduceMs = reduceWatch.Elapsed.TotalMilliseconds;
        var tps = generated / Math.Max(1e-3, sw.Elapsed.TotalSeconds);
        var summaries = new List<SummaryResult>(jobs.Length);
        foreach (var job in jobs)
        {
            var (summary, points) = ParseOutput(job.Final!, _options.MaxWords, _options.KeyPoints);
            summaries.Add(new SummaryResult
            {
                Source = job.Doc.Path,
                Title = job.Doc.Title,
                Summary = summary,
                KeyPoints = points,
                Mode = AnswerMode.Generative,
                MapSequences = mapPrompts.Count(p => p.Job == job && p.Job.Round != -1),
                ReduceSteps = LastReduceSteps,
                Timings = new SummaryTimings(mapMs, reduceMs, 0, 0, generated, tps),
            });
        }
        return summaries;
    }

    private static ChatOptions Options(int maxTokens) => new() { MaxOutputTokens = maxTokens, Temperature = 0 };

    private static int Generated(IEnumerable<ChatResponse> responses) => (int)responses.Sum(r => r.Usage?.OutputTokenCount ?? 0);

    private async Task<ChatMessage[]> ReducePromptAsync(string title, List<string> parts, int maxWords, int keyPoints, CancellationToken ct)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < parts.Count; i++) sb.Append("Part ").Append(i + 1).Append(": ").Append(parts[i].Trim()).Append('\n');
        var user = await _prompts.RenderAsync("summarize-reduce", new Dictionary<string, string>
        {
            ["title"] = UntrustedText.Neutralize(title),
            ["parts"] = UntrustedText.Neutralize(sb.ToString().TrimEnd()),
            ["max_words"] = maxWords.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["key_points"] = keyPoints.ToString(System.Globalization.CultureInfo.InvariantCulture),
        }, ct).ConfigureAwait(false);
        return Chat(user);
    }

    private async Task<ChatMessage[]> RenderAsync(string name, string title, string text, int maxWords, int keyPoints, CancellationToken ct) => Chat(await _prompts.RenderAsync(name, new Dictionary<string, string>
    {
        ["title"] = UntrustedText.Neutralize(title),
        ["text"] = UntrustedText.Neutralize(text),
        ["max_words"] = maxWords.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["key_points"] = keyPoints.ToString(System.Globalization.CultureInfo.InvariantCulture),
    }, ct).ConfigureAwait(false));

    private static ChatMessage[] Chat(string user) => [new ChatMessage(ChatRole.User, user)];

    /// <summary>Tokens of "Part N: " and the line break around a part in the reduce prompt.</summary>
    private const int PartLabelTokens = 8;

    /// <summary>A part shorter than this says too little to combine.</summary>
    private const int MinPartTokens = 16;

    /// <summary>The most tokens one partial summary of <paramref name="title"/> may take so that two fit a reduce prompt.</summary>
    private async Task<int> PartTokensAsync(string title, IPromptBudget budget, int room, CancellationToken ct)
    {
        var tokens = (room - budget.CountPromptTokens(await ReducePromptAsync(title, [], _options.MaxWords, _options.KeyPoints, ct).ConfigureAwait(false))) / 2 - PartLabelTokens;
        if (tokens < MinPartTokens)
            throw new InvalidInputException($"The summarizing context ({budget.ContextTokens} tokens) is too small to combine the parts of a long article into a {_options.MaxWords}-word summary.",
                "Ask for fewer words, or use a larger context.") { Setting = nameof(SummarizeOptions.MaxWords) };
        return tokens;
    }

    /// <summary>
    /// <paramref name="text"/> within <paramref name="maxTokens"/>: whole as long as it fits, else cut at a
    /// sentence end or a word (<see cref="LimitWords"/>) to fewer words until it does.
    /// </summary>
    private static string Fit(string text, int maxTokens, LocalQa.Core.Text.ITokenCounter tokens)
    {
        while (tokens.CountTokens(text) > maxTokens)
        {
            var words = LocalQa.Core.Text.Words.Count(text);
            // One endless "word" (a model's garbage) is cut by characters.
            text = words > 1 ? LimitWords(text, words * 4 / 5) : text[..(text.Length * 4 / 5)];
        }
        return text;
    }

    // A partial summary's own key-point list is noise for the next round; keep its prose.
    private static string Clean(string text) => ParseOutput(text, int.MaxValue, 0).Summary;

    /// <summary>Splits model output into the summary (within the word budget) and "- " key points.</summary>
    public static (string Summary, IReadOnlyList<string> KeyPoints) ParseOutput(string output, int maxWords, int keyPoints)
    {
        ArgumentNullException.ThrowIfNull(output);
        var prose = new StringBuilder();
        var points = new List<string>();
        foreach (var raw in output.Split('\n'))
        {
            var line = raw.Trim();
            if (line.Length == 0) continue;
            if (line.StartsWith("- ", StringComparison.Ordinal) || line.StartsWith("* ", StringComparison.Ordinal) || line.StartsWith("• ", StringComparison.Ordinal))
            {
                if (points.Count < keyPoints) points.Add(line[2..].Trim());
                continue;
            }
            if (line.StartsWith("Summary:", StringComparison.OrdinalIgnoreCase)) line = line[8..].Trim();
            if (line.StartsWith("Key points", StringComparison.OrdinalIgnoreCase)) continue;
            if (prose.Length > 0) prose.Append(' ');
            prose.Append(line);
        }
        return (LimitWords(prose.ToString(), maxWords), points);
    }

    /// <summary>Cuts to the budget at a sentence end when one is near, else at a word, marking the cut.</summary>
    public static string LimitWords(string text, int maxWords)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (LocalQa.Core.Text.Words.Count(text) <= maxWords) return text.Trim();
        var words = text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        var cut = string.Join(' ', words.Take(maxWords));
        var end = cut.LastIndexOfAny(['.', '!', '?']);
        if (end > cut.Length / 2) return cut[..(end + 1)];
        return string.Join(' ', words.Take(Math.Max(1, maxWords - 1))) + " …";
    }

    /// <summary>A library document is listed as related from this score up (see <see cref="RelatedDocument.Score"/>).</summary>
    public const double MinRelatedness = Relatedness.MinScore;

    private List<RelatedDocument> FindRelated(SummaryResult r, string? text)
    {
        if (_index is null || _options.Related <= 0) return [];
        var related = new List<RelatedDocument>();
        // "You already have this" matters more than any topical neighbour, so copies come first.
        foreach (var copy in text is null ? [] : _index.FindNearCopies(text))
        {
            if (string.Equals(copy.Path, r.Source, StringComparison.Ordinal)) continue;
            var opening = _index.GetChunk(copy.DocumentId, 0);
            related.Add(new RelatedDocument(copy.Path, copy.Title, Math.Round(copy.Similarity, 6), Snippet(opening?.Text ?? "")) { NearCopy = true, Page = opening?.Page });
            if (related.Count == _options.Related) return related;
        }
        // The whole article says best what it is about; a summary read from stdin stands in for it when it is all there is.
        var article = text ?? string.Join('\n', [r.Title, r.Summary, .. r.KeyPoints]);
        related.AddRange(Relatedness.Find(_index, article, r.Source)
            .Where(d => d.Score >= Relatedness.MinScore && !related.Any(x => x.Document == d.Path))
            .DistinctBy(d => d.DuplicateGroup)
            .Take(_options.Related - related.Count)
            .Select(d => new RelatedDocument(d.Path, d.Title, Math.Round(d.Score, 4), Snippet(d.Passage)) { Page = d.Page }));
        return related;
    }

    private static string Snippet(string text) => (text.Length > 240 ? text[..240].TrimEnd() + "…" : text).ReplaceLineEndings(" ");
}
