using System.ClientModel;
using System.Diagnostics;
using System.Globalization;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using LocalQa.Core;
using OpenAI;

namespace LocalQa.Hosting.Remote;

/// <summary>What a remote engine says about itself: its models, its context size and where that came from, and one round trip's time.</summary>
/// <param name="ContextSource">Where <paramref name="ContextSize"/> was read (vLLM's and LocalQa's <c>max_model_len</c>, llama-server's <c>/props</c>), or null when the server does not say.</param>
public sealed record RemoteProbe(Uri Endpoint, IReadOnlyList<string> Models, int? ContextSize, string? ContextSource, TimeSpan RoundTrip);

/// <summary>
/// A remote engine over the OpenAI API (llama-server, vLLM, Ollama's /v1, LocalQa's own serve):
/// the OpenAI client configured from the settings (endpoint, key, timeout, the bounded retry
/// policy), the index identity of its embedding model, and the probe that reads what the server says.
/// </summary>
public static class RemoteEngine
{
    /// <summary>The context assumed when neither the settings nor the server say.</summary>
    public const int AssumedContext = 4096;

    /// <summary>How many times a failed request (429, 5xx, a lost connection) is retried before the error is reported.</summary>
    public const int Retries = 3;

    /// <summary>The endpoint setting as an absolute http(s) URL.</summary>
    /// <exception cref="InvalidInputException">The endpoint is not set or is not an http(s) URL.</exception>
    public static Uri EndpointOf(LibraryOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (string.IsNullOrWhiteSpace(options.Endpoint))
            throw new InvalidInputException("The engine is openai, but no endpoint is set.",
                "Set endpoint to the server's base URL, such as http://127.0.0.1:8080/v1.") { Setting = SettingKeys.Endpoint };
        if (!Uri.TryCreate(options.Endpoint.Trim(), UriKind.Absolute, out var uri) || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps))
            throw new InvalidInputException($"The endpoint '{options.Endpoint}' is not an http:// or https:// URL.",
                "Set endpoint to the server's base URL, such as http://127.0.0.1:8080/v1.") { Setting = SettingKeys.Endpoint };
        return uri;
    }

    /// <summary>The OpenAI client for the settings: the key (or a placeholder, for servers without one), the timeout, bounded retries.</summary>
    public static OpenAIClient Client(LibraryOptions options, Uri endpoint)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new OpenAIClient(new ApiKeyCredential(string.IsNullOrEmpty(options.ApiKey) ? "no-key" : options.ApiKey), new OpenAIClientOptions
        {
            Endpoint = endpoint,
            NetworkTimeout = options.Timeout,
            RetryPolicy = new RemoteRetryPolicy(RemoteRetryPolicy.DefaultRetries),
        });
    }

    /// <summary>
    /// The id under which the index keeps this embedder's vectors: the endpoint and the model name,
    /// so another server or model never mixes its vectors with these.
    /// </summary>
    public static string EmbedModelId(Uri endpoint, string model)
    {
        ArgumentNullException.ThrowIfNull(endpoint);
        return $"openai:{endpoint.AbsoluteUri.TrimEnd('/')}#{model}";
    }

    /// <summary>
    /// Asks the server for its models (<c>GET /models</c>, timed) and its context: <c>max_model_len</c>
    /// of <paramref name="model"/> in that list (vLLM, LocalQa's serve), else llama-server's
    /// <c>/props</c> <c>default_generation_settings.n_ctx</c>. Synchronous, like opening the library.
    /// </summary>
    /// <exception cref="RemoteEngineException">The server cannot be reached, refuses the key, or does not answer as the OpenAI API.</exception>
    public static RemoteProbe Probe(LibraryOptions options, string? model)
    {
        ArgumentNullException.ThrowIfNull(options);
        var endpoint = EndpointOf(options);
        using var http = new HttpClient { Timeout = options.Timeout };
        var started = Stopwatch.GetTimestamp();
        using var list = Get(http, options, endpoint, new Uri(endpoint.AbsoluteUri.TrimEnd('/') + "/models"), model ?? "", required: true)!;
        var roundTrip = Stopwatch.GetElapsedTime(started);
        var models = new List<string>();
        int? context = null;
        string? source = null;
        if (list.RootElement.ValueKind == JsonValueKind.Object && list.RootElement.TryGetProperty("data", out var data) && data.ValueKind == JsonValueKind.Array)
        {
            foreach (var entry in data.EnumerateArray())
            {
                if (entry.ValueKind != JsonValueKind.Object || !entry.TryGetProperty("id", out var id) || id.ValueKind != JsonValueKind.String) continue;
                models.Add(id.GetString()!);
                if (id.GetString() == model && entry.TryGetProperty("max_model_len", out var length) && length.TryGetInt32(out var n) && n > 0)
                    (context, source) = (n, "max_model_len in the server's /models");
            }
        }
        else
        {
            throw new RemoteEngineException(RemoteFault.Malformed, $"The engine at {endpoint} answered GET /models without a model list.",
                "Check that the endpoint is an OpenAI-compatible API (it usually ends in /v1).") { Setting = SettingKeys.Endpoint };
        }
        if (context is null)
        {
            var root = endpoint.AbsoluteUri.TrimEnd('/');
            if (root.EndsWith("/v1", StringComparison.Ordinal)) root = root[..^3];
            using var props = Get(http, options, endpoint, new Uri(root + "/props"), model ?? "", required: false);
            if (props?.RootElement is { ValueKind: JsonValueKind.Object } p && p.TryGetProperty("default_generation_settings", out var settings)
                && settings.ValueKind == JsonValueKind.Object && settings.TryGetProperty("n_ctx", out var nctx) && nctx.TryGetInt32(out var n) && n > 0)
                (context, source) = (n, "n_ctx in the server's /props");
        }
        return new RemoteProbe(endpoint, models, context, source, roundTrip);
    }

    private static JsonDocument? Get(HttpClient http, LibraryOptions options, Uri endpoint, Uri url, string model, bool required)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (!string.IsNullOrEmpty(options.ApiKey)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", options.ApiKey);
        HttpResponseMessage response;
        try
        {
            response = http.Send(request, HttpCompletionOption.ResponseContentRead);
        }
        catch (Exception e) when (RemoteFaults.Translate(e, endpoint.ToString(), model, SettingKeys.ChatModel, options.Timeout, CancellationToken.None) is { } remote)
        {
            throw remote;
        }
        using (response)
        {
            var status = (int)response.StatusCode;
            if (!response.IsSuccessStatusCode)
            {
                if (!required && status is 404 or 405 or 501) return null;
                if (status is 401 or 403)
                    throw new RemoteEngineException(RemoteFault.Unauthorized, string.Create(CultureInfo.InvariantCulture, $"The engine at {endpoint} refused the API key (HTTP {status})."),
                        "Set the API key the server expects (LOCALQA_API_KEY keeps it out of the process list).") { Setting = SettingKeys.ApiKey };
                if (!required) return null;
                throw new RemoteEngineException(status >= 500 ? RemoteFault.ServerError : RemoteFault.Malformed,
                    string.Create(CultureInfo.InvariantCulture, $"The engine at {endpoint} answered HTTP {status} to GET {url.AbsolutePath}."),
                    status >= 500 ? "Check the server's log; run the command again once it is healthy." : "Check that the endpoint is an OpenAI-compatible API (it usually ends in /v1).")
                { Setting = status >= 500 ? null : SettingKeys.Endpoint };
            }
            try
            {
                using var body = response.Content.ReadAsStream();
                return JsonDocument.Parse(body);
            }
            catch (JsonException) when (!required)
            {
                return null;
            }
            catch (JsonException e)
            {
                throw new RemoteEngineException(RemoteFault.Malformed, $"The engine at {endpoint} answered GET {url.AbsolutePath} with something that is not JSON: {e.Message}",
                    "Check that the endpoint is an OpenAI-compatible API (it usually ends in /v1).", e) { Setting = SettingKeys.Endpoint };
            }
        }
    }
}
