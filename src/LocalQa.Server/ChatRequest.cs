using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LocalQa.Server;

/// <summary>One message of a chat request, its content as text.</summary>
internal sealed record WireMessage(string Role, string Content);

/// <summary>The fields of <c>POST /v1/chat/completions</c> LocalQa reads; the others are ignored, as OpenAI's own optional ones may be.</summary>
internal sealed record ChatRequest(
    string Model,
    IReadOnlyList<WireMessage> Messages,
    bool Stream,
    bool IncludeUsage,
    int? MaxTokens,
    float? Temperature,
    float? TopP,
    IReadOnlyList<string>? Stop,
    long? Seed)
{
    /// <summary>Generation past this many tokens in one answer is refused; a context is smaller anyway.</summary>
    public const int MaxTokensLimit = 1 << 20;

    public static ChatRequest Parse(JsonElement body, int maxMessages)
    {
        var model = RequestBody.RequiredString(body, "model");
        if (!body.TryGetProperty("messages", out var list) || list.ValueKind != JsonValueKind.Array)
            throw ApiError.BadRequest("'messages' is required: an array of {role, content} objects.", "messages");
        var count = list.GetArrayLength();
        if (count == 0) throw ApiError.BadRequest("'messages' is empty; send at least one user message.", "messages");
        if (count > maxMessages)
            throw ApiError.BadRequest(string.Create(CultureInfo.InvariantCulture, $"'messages' has {count} messages; the limit is {maxMessages}."), "messages");
        var messages = new List<WireMessage>(count);
        var i = 0;
        foreach (var m in list.EnumerateArray())
        {
            var at = string.Create(CultureInfo.InvariantCulture, $"messages[{i++}]");
            if (m.ValueKind != JsonValueKind.Object) throw ApiError.BadRequest($"'{at}' must be an object with a role and a content.", at);
            var role = m.TryGetProperty("role", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString()! : throw ApiError.BadRequest($"'{at}.role' is required.", at + ".role");
            if (role is not ("system" or "developer" or "user" or "assistant"))
                throw ApiError.BadRequest($"'{at}.role' is '{role}'; LocalQa takes system, developer, user and assistant messages (no tools).", at + ".role");
            messages.Add(new WireMessage(role, Content(m, at)));
        }
        if (body.TryGetProperty("n", out var n) && !(n.ValueKind == JsonValueKind.Null || (n.ValueKind == JsonValueKind.Number && n.TryGetInt32(out var one) && one == 1)))
            throw ApiError.BadRequest("'n' must be 1: LocalQa gives one answer per request.", "n");
        if (body.TryGetProperty("tools", out var tools) && tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0)
            throw ApiError.BadRequest("LocalQa's models do not call tools; send the request without 'tools'.", "tools");
        var includeUsage = body.TryGetProperty("stream_options", out var so) && so.ValueKind == JsonValueKind.Object && RequestBody.OptionalBool(so, "include_usage");
        var maxTokens = RequestBody.OptionalInt(body, "max_completion_tokens", 1, MaxTokensLimit) ?? RequestBody.OptionalInt(body, "max_tokens", 1, MaxTokensLimit);
        long? seed = body.TryGetProperty("seed", out var s) && s.ValueKind == JsonValueKind.Number
            ? (s.TryGetInt64(out var v) ? v : throw ApiError.BadRequest("'seed' must be a whole number.", "seed"))
            : null;
        return new ChatRequest(model, messages, RequestBody.OptionalBool(body, "stream"), includeUsage, maxTokens,
            RequestBody.OptionalFloat(body, "temperature", 0, 2), RequestBody.OptionalFloat(body, "top_p", 0, 1),
            RequestBody.OptionalStrings(body, "stop", 4), seed);
    }

    /// <summary>A message's content: a string, or an array of text parts (images and audio are refused).</summary>
    private static string Content(JsonElement message, string at)
    {
        if (!message.TryGetProperty("content", out var content) || content.ValueKind == JsonValueKind.Null) return "";
        if (content.ValueKind == JsonValueKind.String) return content.GetString()!;
        if (content.ValueKind != JsonValueKind.Array) throw ApiError.BadRequest($"'{at}.content' must be a string or an array of text parts.", at + ".content");
        var text = new StringBuilder();
        foreach (var part in content.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type) || type.GetString() != "text"
                || !part.TryGetProperty("text", out var t) || t.ValueKind != JsonValueKind.String)
                throw ApiError.BadRequest($"'{at}.content' holds a part that is not text; LocalQa reads text only.", at + ".content");
            if (text.Length > 0) text.Append('\n');
            text.Append(t.GetString());
        }
        return text.ToString();
    }
}
