using System.ComponentModel;
using System.Globalization;
using LocalQa.Core;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace LocalQa.Server.Mcp;

/// <summary>The library's documents as MCP resources, <c>localqa://documents/{id}</c>: the whole cleaned text.</summary>
[McpServerResourceType]
internal static class LocalQaMcpResources
{
    /// <summary>A document's text as a resource is capped: beyond this many chunks, read it a page at a time with get_document.</summary>
    public const int MaxChunks = 1000;

    [McpServerResource(UriTemplate = "localqa://documents/{id}", Name = "document", Title = "A document of the library", MimeType = "text/plain")]
    [Description("The cleaned text of one document of the user's article library, by its id (list_documents gives the ids).")]
    public static Task<TextResourceContents> ReadDocumentAsync(McpLibrary library, [Description("The document's id.")] string id, CancellationToken cancellationToken = default) =>
        LocalQaMcp.GuardAsync(library, ct =>
        {
            if (!long.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out var number))
                throw new InvalidInputException($"'{id}' is not a document id: ids are whole numbers.", "Call list_documents for the ids.");
            return library.Qa.UseIndexAsync(index =>
            {
                var page = LocalQaMcpTools.ReadPage(index, number, 0, 1);
                var text = page.Chunks == 0 ? "" : index.ReadDocumentText(number, 0, Math.Min(page.Chunks, MaxChunks));
                return new TextResourceContents { Uri = LocalQaMcp.DocumentUri(number), MimeType = "text/plain", Text = text };
            }, cancellationToken: ct);
        }, cancellationToken);
}
