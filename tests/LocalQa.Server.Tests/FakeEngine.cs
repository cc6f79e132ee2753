using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LocalQa.Server.Tests;

/// <summary>
/// A loopback server (Kestrel on 127.0.0.1, a port the system picks) that answers as a remote
/// engine would, including badly: each test gives the handler; the engine counts the requests.
/// </summary>
internal sealed class FakeEngine : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _requests;

    private FakeEngine(WebApplication app) => _app = app;

    public Uri Endpoint { get; private set; } = null!;

    /// <summary>Requests received so far (retries included).</summary>
    public int Requests => Volatile.Read(ref _requests);

    public static async Task<FakeEngine> StartAsync(Func<HttpContext, Task> handle)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var engine = new FakeEngine(app);
        app.Run(context =>
        {
            Interlocked.Increment(ref engine._requests);
            return handle(context);
        });
        await app.StartAsync(TestContext.Current.CancellationToken);
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        engine.Endpoint = new Uri(new Uri(bound), "v1");
        return engine;
    }

    /// <summary>A loopback port nobody listens on: bound by the system, then closed.</summary>
    public static int ClosedPort()
    {
        using var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public static Task JsonAsync(HttpContext context, int status, object body)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return context.Response.WriteAsync(JsonSerializer.Serialize(body));
    }

    public static object Error(string message, string type = "invalid_request_error") => new { error = new { message, type, param = (string?)null, code = (string?)null } };

    /// <summary>One chat.completion.chunk as an SSE event: a content delta, or the finish.</summary>
    public static string Chunk(string? content, string? finish = null) =>
        "data: " + JsonSerializer.Serialize(new
        {
            id = "chatcmpl-fake",
            @object = "chat.completion.chunk",
            created = 0,
            model = "m",
            choices = new[] { new { index = 0, delta = new { role = "assistant", content }, finish_reason = finish } },
        }) + "\n\n";

    public static async Task SseAsync(HttpContext context, params string[] events)
    {
        context.Response.ContentType = "text/event-stream";
        foreach (var e in events)
        {
            await context.Response.WriteAsync(e, Encoding.UTF8);
            await context.Response.Body.FlushAsync();
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync(CancellationToken.None);
        await _app.DisposeAsync();
    }
}
