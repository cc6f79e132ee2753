using System.Text.Json;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace LocalQa.Server.Mcp;

/// <summary>
/// Checks a call's arguments against the tool's own input schema before the SDK binds them, so a
/// missing, misspelt or mistyped argument is a tool error that names it and says what to send, not
/// the SDK's bare "An error occurred invoking".
/// </summary>
internal static class ToolArguments
{
    public static McpRequestHandler<CallToolRequestParams, CallToolResult> Filter(McpRequestHandler<CallToolRequestParams, CallToolResult> next) =>
        async (request, ct) =>
        {
            if (request.MatchedPrimitive is McpServerTool tool && Problem(tool.ProtocolTool, request.Params?.Arguments) is { } problem)
                return new CallToolResult { IsError = true, Content = [new TextContentBlock { Text = problem }] };
            return await next(request, ct).ConfigureAwait(false);
        };

    /// <summary>What is wrong with <paramref name="arguments"/> for <paramref name="tool"/>, with the fix; null when nothing is.</summary>
    internal static string? Problem(Tool tool, IDictionary<string, JsonElement>? arguments)
    {
        var schema = tool.InputSchema;
        if (!schema.TryGetProperty("properties", out var properties)) return null;
        var accepted = string.Join(", ", properties.EnumerateObject().Select(p => p.Name));
        // Unknown names first: a misspelt argument explains a missing one.
        foreach (var (name, value) in arguments ?? new Dictionary<string, JsonElement>())
        {
            if (!properties.TryGetProperty(name, out var property))
                return $"{tool.Name}: there is no argument '{name}'. Its arguments are: {accepted}.";
            if (!property.TryGetProperty("type", out var type)) continue;
            var types = type.ValueKind == JsonValueKind.Array ? type.EnumerateArray().Select(t => t.GetString()).ToArray() : [type.GetString()];
            if (!types.Any(t => Fits(t, value)))
                return $"{tool.Name}: '{name}' must be {string.Join(" or ", types.Select(t => t == "integer" ? "a whole number" : "a " + t))}, not {Shown(value)}.";
        }
        if (schema.TryGetProperty("required", out var required))
            foreach (var name in required.EnumerateArray().Select(r => r.GetString()!))
                if (arguments is null || !arguments.ContainsKey(name))
                    return $"{tool.Name}: the argument '{name}' is required. Send {{\"{name}\": …}} (arguments: {accepted}).";
        return null;
    }

    private static bool Fits(string? type, JsonElement value) => type switch
    {
        "string" => value.ValueKind == JsonValueKind.String,
        "integer" => value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out _),
        "number" => value.ValueKind == JsonValueKind.Number,
        "boolean" => value.ValueKind is JsonValueKind.True or JsonValueKind.False,
        "null" => value.ValueKind == JsonValueKind.Null,
        "array" => value.ValueKind == JsonValueKind.Array,
        "object" => value.ValueKind == JsonValueKind.Object,
        _ => true,
    };

    private static string Shown(JsonElement value)
    {
        var raw = value.GetRawText();
        return raw.Length > 40 ? raw[..40] + "…" : raw;
    }
}
