using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace LocalQa.Server;

/// <summary>
/// A request the server refuses, answered as OpenAI's error object
/// (<c>{"error":{"message","type","param","code"}}</c>) with the status that means it, which the
/// official clients turn into their own exceptions.
/// </summary>
internal sealed class ApiError(int status, string message, string type = ApiError.InvalidRequest, string? param = null, string? code = null) : Exception(message)
{
    public const string InvalidRequest = "invalid_request_error";

    public int Status { get; } = status;
    public string Type { get; } = type;
    public string? Param { get; } = param;
    public string? Code { get; } = code;

    /// <summary>Seconds a client should wait before trying again (429, 503); null for none.</summary>
    public int? RetryAfterSeconds { get; init; }

    public static ApiError BadRequest(string message, string? param = null, string? code = null) => new(StatusCodes.Status400BadRequest, message, InvalidRequest, param, code);

    public static ApiError UnknownModel(string model, IEnumerable<string> served) =>
        new(StatusCodes.Status404NotFound, $"The model '{model}' does not exist here; this server has: {string.Join(", ", served)}.", InvalidRequest, "model", "model_not_found");

    public static ApiError TooManyFromClient(int limit) =>
        new(StatusCodes.Status429TooManyRequests, string.Create(System.Globalization.CultureInfo.InvariantCulture,
            $"This client already has {limit} request{(limit == 1 ? "" : "s")} in the server, its limit. Try again when one has finished."), "rate_limit_error", null, "rate_limit_exceeded") { RetryAfterSeconds = 1 };

    public static ApiError Busy() =>
        new(StatusCodes.Status503ServiceUnavailable, "The server is busy: every place in its queue is taken. Try again shortly.", "server_error", null, "server_busy") { RetryAfterSeconds = 1 };

    public async Task WriteAsync(HttpResponse response)
    {
        response.StatusCode = Status;
        if (RetryAfterSeconds is { } seconds) response.Headers.RetryAfter = seconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        if (Status == StatusCodes.Status401Unauthorized) response.Headers.WWWAuthenticate = "Bearer";
        response.ContentType = "application/json";
        await response.WriteAsync(JsonSerializer.Serialize(new { error = new { message = Message, type = Type, param = Param, code = Code } })).ConfigureAwait(false);
    }
}
