using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;

namespace LocalQa.Server;

// The OpenAI wire format as the official clients parse it (openai-dotnet's ChatCompletion,
// StreamingChatCompletionUpdate, OpenAIEmbedding): snake_case, finish_reason and logprobs written
// as null rather than left out, and a delta that is always an object.

internal sealed record WireUsage(int PromptTokens, int CompletionTokens, int TotalTokens, WirePromptTokensDetails? PromptTokensDetails = null);

/// <summary>OpenAI's <c>prompt_tokens_details</c>: prompt tokens the server's cache already held (a slot's reused prefix).</summary>
internal sealed record WirePromptTokensDetails(int CachedTokens);

internal sealed record WireDelta(string? Role = null, string? Content = null);

internal sealed record WireChunkChoice(
    int Index,
    WireDelta Delta,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] string? FinishReason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? Logprobs = null);

internal sealed record WireChunk(string Id, long Created, string Model, IReadOnlyList<WireChunkChoice> Choices, WireUsage? Usage = null, JsonObject? Localqa = null)
{
    [JsonPropertyOrder(-1)]
    public string Object { get; } = "chat.completion.chunk";
}

internal sealed record WireAnswer(string Role, string Content);

internal sealed record WireChoice(
    int Index,
    WireAnswer Message,
    string FinishReason,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.Never)] object? Logprobs = null);

internal sealed record WireCompletion(string Id, long Created, string Model, IReadOnlyList<WireChoice> Choices, WireUsage Usage, JsonObject? Localqa = null)
{
    [JsonPropertyOrder(-1)]
    public string Object { get; } = "chat.completion";
}

internal static class Wire
{
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    public static string Serialize<T>(T value) => JsonSerializer.Serialize(value, Options);
}
