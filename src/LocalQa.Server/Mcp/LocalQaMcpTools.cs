using System.ComponentModel;
using System.Globalization;
using LocalQa.Core;
using LocalQa.Core.Answering;
using LocalQa.Core.Documents;
using LocalQa.Core.Index;
using LocalQa.Core.Summarizing;
using ModelContextProtocol.Server;

namespace LocalQa.Server.Mcp;

/// <summary>
/// The tools an agent calls: search, ask (with follow-ups), summarize a text it holds, list and read
/// the library's documents. None takes a path on the machine; none writes anything but the server's
/// memory of a conversation. Every call takes the library's turn and reports a caller's mistake as a
/// tool error with the library's own message and fix (<see cref="LocalQaMcp.GuardAsync{T}"/>).
/// </summary>
[McpServerToolType]
internal static class LocalQaMcpTools
{
    /// <summary>Chunks of a document that get_document returns at most per page.</summary>
    public const int MaxChunksPerPage = 50;

    [McpServerTool(Name = "search_articles", Title = "Search the article library", ReadOnly = true, Idempotent = true, Destructive = false, OpenWorld = false, UseStructuredContent = true)]
    [Description("Searches the user's local library of articles (full-text and, when an embedding model is loaded, semantic search) and returns the best-matching passages, best first, each with its document id, title, chunk number, score and text. Use it to find what the articles say about a topic; use ask for a composed answer with citations.")]
    public static Task<McpSearchResult> SearchArticlesAsync(McpLibrary library,
        [Description("What to look for: a question or keywords in natural language (at most 4,000 characters).")] string query,
        [Description("How many passages to return, 1 to 50.")] int top_k = 5,
        CancellationToken cancellationToken = default) =>
        LocalQaMcp.GuardAsync(library, async ct =>
        {
            LocalQaMcp.CheckText(query, "query");
            LocalQaMcp.CheckRange(top_k, 1, AskOptions.MaxTopK, "top_k");
            var passages = await library.Qa.SearchAsync(query, top_k, ct).ConfigureAwait(false);
            return new McpSearchResult(query, passages.Select(p => new McpPassage(p.Rank, p.DocumentId, p.DocumentPath, p.Title, p.Ordinal, Math.Round(p.Score, 6), p.Text)).ToList());
        }, cancellationToken);

    [McpServerTool(Name = "ask", Title = "Ask the article library", ReadOnly = true, Idempotent = true, Destructive = false, OpenWorld = false, UseStructuredContent = true)]
    [Description("Answers a question from the user's local library of articles, citing the passages it used as [n] (the numbers refer to the citations returned). mode is 'generative' (written by the local model) or 'extractive' (sentences quoted from the articles, when no chat model is configured); abstained is true when the library holds no answer. Pass the returned conversation_id back to ask a follow-up that refers to earlier questions (\"When was it founded?\").")]
    public static Task<McpAnswer> AskAsync(McpLibrary library,
        [Description("The question, in natural language (at most 4,000 characters).")] string question,
        [Description("Optional: the conversation_id an earlier ask returned, to continue that conversation; leave it out to start a new one.")] string? conversation_id = null,
        CancellationToken cancellationToken = default) =>
        LocalQaMcp.GuardAsync(library, async ct =>
        {
            LocalQaMcp.CheckText(question, "question");
            var (id, conversation, hold) = await library.ConversationAsync(string.IsNullOrWhiteSpace(conversation_id) ? null : conversation_id, ct).ConfigureAwait(false);
            ConversationAnswer answer;
            using (hold) answer = await conversation.AskAsync(question, new AskOptions { MaxTokens = 256 }, ct).ConfigureAwait(false);
            var result = answer.Result;
            var cited = result.Sources.Where(s => result.Cited.Contains(s.Rank)).ToList();
            var shown = cited.Count > 0 ? cited : result.Sources.ToList();
            var ids = await library.Qa.UseIndexAsync(index => shown.Select(s => index.GetDocument(s.Document)?.Id).ToList(), cancellationToken: ct).ConfigureAwait(false);
            var citations = shown.Select((s, i) => new McpPassage(s.Rank, ids[i], s.Document, s.Title, s.Chunk, Math.Round(s.Score, 6), s.Text)).ToList();
            return new McpAnswer(result.Answer, result.Mode == AnswerMode.Generative ? "generative" : "extractive", result.Note, result.Abstained,
                id, answer.StandaloneQuestion, result.Cited, citations);
        }, cancellationToken);

    [McpServerTool(Name = "summarize_text", Title = "Summarize an article's text", ReadOnly = true, Idempotent = true, Destructive = false, OpenWorld = false, UseStructuredContent = true)]
    [Description("Summarizes an article whose text you pass in (plain text, Markdown or HTML; not a file path or URL: send the text itself), returns the summary, its key points, and the documents of the user's library it relates to. Nothing is added to the library.")]
    public static Task<McpSummary> SummarizeTextAsync(McpLibrary library,
        [Description("The article's full text.")] string text,
        [Description("Longest summary, in words, 10 to 2000.")] int max_words = SummarizeOptions.DefaultMaxWords,
        [Description("Optional: the article's title.")] string? title = null,
        CancellationToken cancellationToken = default) =>
        LocalQaMcp.GuardAsync(library, async ct =>
        {
            if (string.IsNullOrWhiteSpace(text)) throw new InvalidInputException("'text' is empty.", "Pass the article's text itself in 'text'.");
            LocalQaMcp.CheckRange(max_words, SummarizeOptions.MinWords, SummarizeOptions.MaxWordsLimit, "max_words");
            var loaded = DocumentLoader.LoadText(text, string.IsNullOrWhiteSpace(title) ? "article" : title, LoadOptions.Summarizing);
            if (loaded.Document is null || string.IsNullOrWhiteSpace(loaded.Document.Text))
                throw new InvalidInputException($"There is no article text to summarize ({loaded.SkipReason ?? "empty after cleaning"}).", "Pass the article's text itself in 'text'.");
            var results = await library.Qa.SummarizeAsync([loaded.Document], new SummarizeOptions { MaxWords = max_words }, null, ct).ConfigureAwait(false);
            var s = results[0];
            return new McpSummary(s.Summary, s.KeyPoints, s.Mode == AnswerMode.Generative ? "generative" : "extractive", s.Note, s.Words,
                s.Related.Select(r => new McpRelated(r.Document, r.Title, Math.Round(r.Score, 6), r.Passage, r.NearCopy)).ToList());
        }, cancellationToken);

    [McpServerTool(Name = "list_documents", Title = "List the library's documents", ReadOnly = true, Idempotent = true, Destructive = false, OpenWorld = false, UseStructuredContent = true)]
    [Description("Lists the documents in the user's article library (id, title, file, number of chunks), ordered by file, one page at a time. Pass next_offset back as offset for the next page; it is null on the last page.")]
    public static Task<McpDocumentList> ListDocumentsAsync(McpLibrary library,
        [Description("How many documents to skip (0 for the first page).")] int offset = 0,
        [Description("Documents per page, 1 to 200.")] int limit = 50,
        CancellationToken cancellationToken = default) =>
        LocalQaMcp.GuardAsync(library, async ct =>
        {
            LocalQaMcp.CheckRange(offset, 0, int.MaxValue, "offset");
            LocalQaMcp.CheckRange(limit, 1, 200, "limit");
            var all = await library.Qa.UseIndexAsync(index => index.ListDocuments(), cancellationToken: ct).ConfigureAwait(false);
            var page = all.Skip(offset).Take(limit).Select(Entry).ToList();
            int? next = offset + page.Count < all.Count ? offset + page.Count : null;
            return new McpDocumentList(all.Count, offset, next, page);
        }, cancellationToken);

    [McpServerTool(Name = "get_document", Title = "Read a document of the library", ReadOnly = true, Idempotent = true, Destructive = false, OpenWorld = false, UseStructuredContent = true)]
    [Description("Returns the cleaned text of one document of the library by its id (from list_documents, search_articles or ask), a page of chunks at a time. Pass next_chunk back as first_chunk for the rest; it is null when the text is complete.")]
    public static Task<McpDocumentPage> GetDocumentAsync(McpLibrary library,
        [Description("The document's id.")] long id,
        [Description("The first chunk to return (0 for the beginning).")] int first_chunk = 0,
        [Description("Chunks per page, 1 to 50 (a chunk is a few hundred words).")] int chunks = 20,
        CancellationToken cancellationToken = default) =>
        LocalQaMcp.GuardAsync(library, ct => library.Qa.UseIndexAsync(index => ReadPage(index, id, first_chunk, chunks), cancellationToken: ct), cancellationToken);

    internal static McpDocumentEntry Entry(IndexedDocument d) => new(d.Id, d.Title, d.Path, d.ChunkCount, LocalQaMcp.DocumentUri(d.Id));

    internal static McpDocumentPage ReadPage(LocalQaIndex index, long id, int firstChunk, int chunks)
    {
        LocalQaMcp.CheckRange(firstChunk, 0, int.MaxValue, "first_chunk");
        LocalQaMcp.CheckRange(chunks, 1, MaxChunksPerPage, "chunks");
        var document = index.ListDocuments().FirstOrDefault(d => d.Id == id)
            ?? throw new InvalidInputException(string.Create(CultureInfo.InvariantCulture, $"There is no document with id {id} in the library."), "Call list_documents for the ids.");
        if (document.ChunkCount > 0 && firstChunk >= document.ChunkCount)
            throw new InvalidInputException(string.Create(CultureInfo.InvariantCulture, $"Document {id} has {document.ChunkCount} chunks (0 to {document.ChunkCount - 1}); first_chunk {firstChunk} is past its end."), "Start at first_chunk 0, or follow next_chunk.");
        var last = Math.Min(document.ChunkCount, firstChunk + chunks) - 1;
        var text = document.ChunkCount == 0 ? "" : index.ReadDocumentText(id, firstChunk, last - firstChunk + 1);
        int? next = last + 1 < document.ChunkCount ? last + 1 : null;
        return new McpDocumentPage(id, document.Title, document.Path, document.ChunkCount, firstChunk, last, next, text);
    }
}
