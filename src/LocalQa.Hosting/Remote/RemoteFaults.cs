using System.ClientModel;
using System.Globalization;
using System.Net.Http;
using System.Text.Json;
using LocalQa.Core;

namespace LocalQa.Hosting.Remote;

/// <summary>
/// The one place that turns what the OpenAI client and the network throw into a
/// <see cref="RemoteEngineException"/> naming the endpoint, the model and the fix. The caller's own
/// cancellation is left as it is.
/// </summary>
internal static class RemoteFaults
{
    /// <summary>The error for <paramref name="error"/>, or null when it is not the engine's or the network's (a bug, or the caller's cancellation).</summary>
    public static RemoteEngineException? Translate(Exception error, string endpoint, string model, string modelSetting, TimeSpan timeout, CancellationToken callerToken)
    {
        if (error is RemoteEngineException) return null;
        if (callerToken.IsCancellationRequested && error is OperationCanceledException) return null;
        var at = $"the engine at {endpoint}";
        for (var e = error; e is not null; e = e.InnerException)
        {
            switch (e)
            {
                case ClientResultException { Status: > 0 } http:
                    return FromStatus(http, at, model, modelSetting);
                case HttpRequestException { HttpRequestError: HttpRequestError.NameResolutionError } name:
                    return new RemoteEngineException(RemoteFault.Unreachable, $"The name of {at} does not resolve: {name.Message}",
                        "Check the host name in the endpoint setting (and the network, for a remote machine).", error) { Setting = SettingKeys.Endpoint };
                case HttpRequestException { HttpRequestError: HttpRequestError.SecureConnectionError } tls:
                    return new RemoteEngineException(RemoteFault.Unreachable, $"The TLS connection to {at} failed: {tls.Message}",
                        "Use http:// for a server without TLS, or install its certificate's authority.", error) { Setting = SettingKeys.Endpoint };
                case HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded or HttpRequestError.InvalidResponse } ended:
                    return new RemoteEngineException(RemoteFault.Cut, $"{Capital(at)} ended its answer before finishing it: {ended.Message}",
                        "Run the command again; if it keeps happening, check the server's log.", error);
                case HttpRequestException connect:
                    return new RemoteEngineException(RemoteFault.Unreachable, $"{Capital(at)} cannot be reached: {connect.Message}",
                        "Start the server, or fix the endpoint setting (its host, port and /v1).", error) { Setting = SettingKeys.Endpoint };
                case TimeoutException or TaskCanceledException when !callerToken.IsCancellationRequested:
                    return new RemoteEngineException(RemoteFault.Timeout,
                        string.Create(CultureInfo.InvariantCulture, $"{Capital(at)} did not answer within {timeout.TotalSeconds:0} seconds ({model})."),
                        "Raise the timeout setting for a slow engine or a long summary, or check that the server is not stuck.", error) { Setting = SettingKeys.Timeout };
                case IOException io:
                    return new RemoteEngineException(RemoteFault.Cut, $"The connection to {at} was cut: {io.Message}",
                        "Run the command again; if it keeps happening, check the server's log and the network.", error);
                case JsonException or FormatException or KeyNotFoundException:
                    return new RemoteEngineException(RemoteFault.Malformed, $"{Capital(at)} answered something that is not the OpenAI API's JSON: {e.Message}",
                        "Check that the endpoint is an OpenAI-compatible API (it usually ends in /v1).", error) { Setting = SettingKeys.Endpoint };
            }
        }
        return null;
    }

    private static RemoteEngineException FromStatus(ClientResultException http, string at, string model, string modelSetting)
    {
        var status = http.Status;
        var said = ServerMessage(http);
        var tail = said is null ? "" : $": {said}";
        return status switch
        {
            401 or 403 => new RemoteEngineException(RemoteFault.Unauthorized, $"{Capital(at)} refused the API key (HTTP {status}){tail}",
                "Set the API key the server expects (LOCALQA_API_KEY keeps it out of the process list).", http) { Setting = SettingKeys.ApiKey },
            404 => new RemoteEngineException(RemoteFault.ModelNotFound, $"{Capital(at)} has no model '{model}' (HTTP 404){tail}",
                "Name one of the server's models ('localqa doctor' lists them), or check the endpoint's path (usually …/v1).", http) { Setting = modelSetting },
            429 => new RemoteEngineException(RemoteFault.RateLimited,
                $"{Capital(at)} is too busy: it answered 429 Too Many Requests after LocalQa's retries{RetryAfterNote(http)}{tail}",
                "Run the command again later, or send fewer requests at once.", http) { Setting = SettingKeys.Concurrency },
            >= 500 => new RemoteEngineException(RemoteFault.ServerError,
                $"{Capital(at)} failed with HTTP {status} after LocalQa's retries{tail}",
                "Check the server's log; run the command again once it is healthy.", http),
            _ => new RemoteEngineException(RemoteFault.Refused, $"{Capital(at)} refused the request to '{model}' (HTTP {status}){tail}",
                "If the prompt is longer than the server's context in its own tokens, name a GGUF of the model in the tokenizer setting so LocalQa counts exactly, or lower the context setting; 'localqa doctor' shows what the server says.", http) { Setting = SettingKeys.ContextSize },
        };
    }

    private static string RetryAfterNote(ClientResultException http) =>
        RemoteRetryPolicy.RetryAfter(http.GetRawResponse()) is { } wait
            ? string.Create(CultureInfo.InvariantCulture, $" (it asked to wait {wait.TotalSeconds:0} s; LocalQa waits at most {RemoteRetryPolicy.MaxRetryAfter.TotalSeconds:0} s)")
            : "";

    /// <summary>The message of an OpenAI error object (<c>{"error":{"message"}}</c>: OpenAI, llama-server, Ollama's /v1), Ollama's <c>{"error":"…"}</c>, vLLM's <c>{"object":"error","message"}</c>, or the body's start.</summary>
    private static string? ServerMessage(ClientResultException http)
    {
        string text;
        try
        {
            text = http.GetRawResponse()?.Content?.ToString() ?? "";
        }
        catch (InvalidOperationException)
        {
            return null;
        }
        if (string.IsNullOrWhiteSpace(text)) return null;
        try
        {
            using var doc = JsonDocument.Parse(text);
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("error", out var error))
            {
                if (error.ValueKind == JsonValueKind.String) return error.GetString();
                if (error.ValueKind == JsonValueKind.Object && error.TryGetProperty("message", out var message) && message.ValueKind == JsonValueKind.String)
                    return message.GetString();
            }
            // vLLM's error object is the body itself: {"object":"error","message":…,"type":…,"code":…}.
            if (doc.RootElement.ValueKind == JsonValueKind.Object && doc.RootElement.TryGetProperty("message", out var top) && top.ValueKind == JsonValueKind.String)
                return top.GetString();
        }
        catch (JsonException)
        {
            // Not JSON: the body's start says enough.
        }
        text = text.Trim();
        return text.Length <= 200 ? text : text[..200] + "…";
    }

    private static string Capital(string text) => char.ToUpperInvariant(text[0]) + text[1..];
}
