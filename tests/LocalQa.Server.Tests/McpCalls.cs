using System.Text.Json;
using ModelContextProtocol.Client;
using ModelContextProtocol.Protocol;

namespace LocalQa.McpTesting;

/// <summary>Calls through the MCP SDK's own client and reads what came back (shared by the stdio and the HTTP tests).</summary>
internal static class McpCalls
{
    public static readonly string[] ToolNames = ["ask", "get_document", "list_documents", "search_articles", "summarize_text"];

    public sealed record Outcome(bool IsError, JsonElement Structured, string Text);

    public static async Task<Outcome> CallAsync(McpClient client, string tool, object arguments, CancellationToken ct)
    {
        var args = JsonSerializer.SerializeToElement(arguments).EnumerateObject().ToDictionary(p => p.Name, p => (object?)p.Value.Clone());
        var result = await client.CallToolAsync(tool, args, cancellationToken: ct);
        var text = string.Concat(result.Content.OfType<TextContentBlock>().Select(t => t.Text));
        return new Outcome(result.IsError == true, result.StructuredContent is { } s ? s.Clone() : default, text);
    }

    /// <summary>A successful call: its structured output, checked to be the same JSON as its text fallback.</summary>
    public static async Task<JsonElement> CallOkAsync(McpClient client, string tool, object arguments, CancellationToken ct)
    {
        var outcome = await CallAsync(client, tool, arguments, ct);
        Assert.False(outcome.IsError, $"{tool} failed: {outcome.Text}");
        Assert.Equal(JsonValueKind.Object, outcome.Structured.ValueKind);
        using var fallback = JsonDocument.Parse(outcome.Text);
        Assert.Equal(outcome.Structured.GetRawText(), fallback.RootElement.GetRawText());
        return outcome.Structured;
    }

    /// <summary>The tools a client sees: the five, each read-only, idempotent, closed-world, with an output schema and no path argument.</summary>
    public static async Task AssertToolsAsync(McpClient client, CancellationToken ct)
    {
        var tools = await client.ListToolsAsync(cancellationToken: ct);
        Assert.Equal(ToolNames, tools.Select(t => t.Name).Order(StringComparer.Ordinal));
        foreach (var tool in tools.Select(t => t.ProtocolTool))
        {
            Assert.True(tool.Description?.Length > 80, $"{tool.Name} needs a description a model can act on");
            Assert.True(tool.Annotations?.ReadOnlyHint, tool.Name);
            Assert.True(tool.Annotations?.IdempotentHint, tool.Name);
            Assert.False(tool.Annotations?.DestructiveHint ?? true, tool.Name);
            Assert.NotNull(tool.OutputSchema);
            foreach (var p in tool.InputSchema.GetProperty("properties").EnumerateObject())
            {
                Assert.DoesNotContain("path", p.Name, StringComparison.OrdinalIgnoreCase);
                Assert.True(p.Value.TryGetProperty("description", out _), $"{tool.Name}.{p.Name} has no description");
            }
        }
    }

    /// <summary>"Who founded FAIR?" finds the seed article about FAIR, and the passage says it was founded.</summary>
    public static async Task AssertSearchFindsFairAsync(McpClient client, CancellationToken ct)
    {
        var found = await CallOkAsync(client, "search_articles", new { query = "Who founded FAIR?", top_k = 3 }, ct);
        var passages = found.GetProperty("passages");
        Assert.Equal(3, passages.GetArrayLength());
        var best = passages[0];
        Assert.Equal(["rank", "document_id", "document", "title", "chunk", "score", "text"], best.EnumerateObject().Select(p => p.Name));
        Assert.Equal("Meta AI (FAIR)", best.GetProperty("title").GetString());
        Assert.Contains("FAIR was founded", best.GetProperty("text").GetString(), StringComparison.Ordinal);
    }

    /// <summary>ask answers from the library and cites the passages it used, which resolve to documents get_document reads.</summary>
    public static async Task<JsonElement> AssertAskCitesAsync(McpClient client, CancellationToken ct)
    {
        var answer = await CallOkAsync(client, "ask", new { question = "Who founded FAIR?" }, ct);
        Assert.False(string.IsNullOrWhiteSpace(answer.GetProperty("answer").GetString()));
        Assert.Contains(answer.GetProperty("mode").GetString(), new[] { "extractive", "generative" });
        var citations = answer.GetProperty("citations");
        Assert.True(citations.GetArrayLength() > 0);
        Assert.Contains(citations.EnumerateArray(), c => c.GetProperty("title").GetString() == "Meta AI (FAIR)");
        foreach (var n in answer.GetProperty("cited").EnumerateArray())
            Assert.Contains(citations.EnumerateArray(), c => c.GetProperty("rank").GetInt32() == n.GetInt32());
        Assert.All(citations.EnumerateArray(), c => Assert.Equal(JsonValueKind.Number, c.GetProperty("document_id").ValueKind));
        Assert.False(string.IsNullOrEmpty(answer.GetProperty("conversation_id").GetString()));
        return answer;
    }
}
