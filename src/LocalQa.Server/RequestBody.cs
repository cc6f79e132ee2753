using System.Globalization;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace LocalQa.Server;

/// <summary>A request's JSON body, read within the size limit, and its fields read with the errors OpenAI's API gives.</summary>
internal static class RequestBody
{
    public static async Task<JsonElement> ReadAsync(HttpRequest request, long limit, CancellationToken ct)
    {
        if (request.ContentLength > limit) throw TooLarge(limit);
        if (request.ContentType is { } type && !type.StartsWith("application/json", StringComparison.OrdinalIgnoreCase))
            throw ApiError.BadRequest($"The body must be JSON (Content-Type: application/json), not '{type}'.");
        // Counted as it arrives: a chunked body says no length up front.
        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct).ConfigureAwait(false)) > 0)
        {
            if (buffer.Length + read > limit) throw TooLarge(limit);
            buffer.Write(chunk, 0, read);
        }
        if (buffer.Length == 0) throw ApiError.BadRequest("The request has no body; it must be a JSON object.");
        try
        {
            using var document = JsonDocument.Parse(buffer.GetBuffer().AsMemory(0, (int)buffer.Length), new JsonDocumentOptions { MaxDepth = 64 });
            if (document.RootElement.ValueKind != JsonValueKind.Object) throw ApiError.BadRequest("The body must be a JSON object.");
            return document.RootElement.Clone();
        }
        catch (JsonException e)
        {
            throw ApiError.BadRequest($"The body is not valid JSON: {e.Message}");
        }
    }

    private static ApiError TooLarge(long limit) =>
        new(StatusCodes.Status413PayloadTooLarge, string.Create(CultureInfo.InvariantCulture, $"The request body is larger than the server's limit of {limit:N0} bytes."), ApiError.InvalidRequest, null, "request_too_large");

    public static string RequiredString(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
            throw ApiError.BadRequest($"'{name}' is required.", name);
        if (value.ValueKind != JsonValueKind.String) throw ApiError.BadRequest($"'{name}' must be a string.", name);
        return value.GetString()!;
    }

    public static string? OptionalString(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.String) throw ApiError.BadRequest($"'{name}' must be a string.", name);
        return value.GetString();
    }

    public static int? OptionalInt(JsonElement body, string name, int min, int max)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out var number) || number < min || number > max)
            throw ApiError.BadRequest(string.Create(CultureInfo.InvariantCulture, $"'{name}' must be a whole number from {min} to {max:N0}."), name);
        return number;
    }

    public static float? OptionalFloat(JsonElement body, string name, float min, float max)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind != JsonValueKind.Number || !value.TryGetSingle(out var number) || !(number >= min && number <= max))
            throw ApiError.BadRequest(string.Create(CultureInfo.InvariantCulture, $"'{name}' must be a number from {min} to {max}."), name);
        return number;
    }

    public static bool OptionalBool(JsonElement body, string name)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return false;
        return value.ValueKind switch
        {
            JsonValueKind.True => true,
            JsonValueKind.False => false,
            _ => throw ApiError.BadRequest($"'{name}' must be true or false.", name),
        };
    }

    /// <summary>A string or an array of strings (OpenAI's <c>stop</c>, <c>input</c>).</summary>
    public static IReadOnlyList<string>? OptionalStrings(JsonElement body, string name, int maxCount)
    {
        if (!body.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null) return null;
        if (value.ValueKind == JsonValueKind.String) return [value.GetString()!];
        if (value.ValueKind != JsonValueKind.Array) throw ApiError.BadRequest($"'{name}' must be a string or an array of strings.", name);
        if (value.GetArrayLength() > maxCount)
            throw ApiError.BadRequest(string.Create(CultureInfo.InvariantCulture, $"'{name}' has {value.GetArrayLength()} items; the limit is {maxCount}."), name);
        var list = new List<string>();
        foreach (var item in value.EnumerateArray())
        {
            if (item.ValueKind != JsonValueKind.String) throw ApiError.BadRequest($"'{name}' must be a string or an array of strings (token arrays are not accepted).", name);
            list.Add(item.GetString()!);
        }
        return list;
    }
}
