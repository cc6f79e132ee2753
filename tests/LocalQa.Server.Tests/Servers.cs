using System.ClientModel;
using System.Text;
using System.Text.Json;
using LocalQa.Hosting;
using OpenAI;

namespace LocalQa.Server.Tests;

/// <summary>Starting a server on 127.0.0.1 with a port the system picks, and talking to it.</summary>
internal static class Servers
{
    public static Task<LocalQaServer> StartAsync(LocalQaLibrary library, ServerOptions? options = null) =>
        LocalQaServer.StartAsync(library, (options ?? new ServerOptions()) with { Host = "127.0.0.1", Port = 0 }, TestContext.Current.CancellationToken);

    /// <summary>The official OpenAI client pointed at the server's /v1.</summary>
    public static OpenAIClient OpenAi(LocalQaServer server, string key = "no-key-needed") =>
        new(new ApiKeyCredential(key), new OpenAIClientOptions { Endpoint = new Uri(server.Address, "v1") });

    public static HttpClient Http(LocalQaServer server) => new() { BaseAddress = server.Address };

    public static async Task<(int Status, JsonElement Body, HttpResponseMessage Response)> PostAsync(HttpClient http, string path, string json)
    {
        using var content = new StringContent(json, Encoding.UTF8, "application/json");
        var response = await http.PostAsync(path, content, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    public static async Task<(int Status, JsonElement Body)> GetAsync(HttpClient http, string path)
    {
        using var response = await http.GetAsync(path, TestContext.Current.CancellationToken);
        var text = await response.Content.ReadAsStringAsync(TestContext.Current.CancellationToken);
        return ((int)response.StatusCode, JsonDocument.Parse(text).RootElement.Clone());
    }

    public static string[] Keys(JsonElement e) => e.EnumerateObject().Select(p => p.Name).ToArray();

    public static string ChatBody(string model, string question, bool stream = false) =>
        JsonSerializer.Serialize(new { model, stream, messages = new[] { new { role = "user", content = question } } });
}
