using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using LocalQa.Hosting;
using LocalQa.Server.Mcp;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LocalQa.Server;

/// <summary>
/// <c>localqa serve</c>: the OpenAI API (<c>/v1</c>), LocalQa's own (<c>/api</c>, <c>/health</c>) and MCP (<c>/mcp</c>)
/// over one <see cref="LocalQaLibrary"/>, on Kestrel. Requests take turns at the library (one at a
/// time, a bounded queue behind, 503 beyond it). Stopping cancels what is in flight; the library stays
/// the caller's to dispose, after the server.
/// </summary>
public sealed class LocalQaServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly string? _apiKeyHash;
    private readonly bool _loopback;
    private HashSet<string> _allowedHosts = [];

    private LocalQaServer(WebApplication app, ServerOptions options, LocalQaLibrary library, Admission admission, bool loopback)
    {
        _app = app;
        Options = options;
        _loopback = loopback;
        _apiKeyHash = options.ApiKey is null ? null : Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(options.ApiKey)));
        Admission = admission;
        Endpoints = new ServerEndpoints(library, options, Admission, app.Lifetime.ApplicationStopping);
    }

    public ServerOptions Options { get; }

    /// <summary>Where the server listens (with the port the system chose, for port 0); set once started.</summary>
    public Uri Address { get; private set; } = null!;

    internal Admission Admission { get; }

    internal ServerEndpoints Endpoints { get; }

    /// <summary>
    /// Waits for the server's turn and holds it until the result is disposed: for work on the library
    /// beside the requests (a watched folder's syncs), which must not touch the index while a request does.
    /// </summary>
    public async Task<IDisposable> WaitForTurnAsync(CancellationToken cancellationToken) =>
        await Admission.WaitAsync(cancellationToken).ConfigureAwait(false);

    /// <summary>The model ids <c>GET /v1/models</c> lists: <c>localqa</c>, then the loaded chat and embedding models.</summary>
    public IReadOnlyList<string> ModelIds => Endpoints.ModelIds;

    /// <summary>Binds and starts serving; refuses a non-loopback address without an API key (<see cref="Core.InvalidInputException"/>).</summary>
    public static async Task<LocalQaServer> StartAsync(LocalQaLibrary library, ServerOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(library);
        ArgumentNullException.ThrowIfNull(options);
        var address = options.Validate();
        // The empty builder reads no appsettings.json and no ASPNETCORE_ variables: the server is
        // configured by LocalQa's settings alone, whatever folder it starts in.
        var builder = WebApplication.CreateEmptyBuilder(new WebApplicationOptions { ApplicationName = "LocalQa.Server" });
        builder.WebHost.UseKestrelCore().ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            k.Listen(address, options.Port);
        });
        builder.Services.AddRoutingCore();
        if (options.CorsOrigins.Count > 0) builder.Services.AddCors();
        var admission = new Admission(options.Parallel > 0 ? options.Parallel : Math.Max(1, library.Options.Slots), options.Queue);
        // MCP's streamable HTTP at /mcp, stateless: each request stands alone (no session to keep
        // or lose), and a conversation continues by the id the ask tool returns.
        builder.Services.AddLocalQaMcp(new McpLibrary(library, admission)).WithHttpTransport(o => o.Stateless = true);
        var app = builder.Build();
        var server = new LocalQaServer(app, options, library, admission, IPAddress.IsLoopback(address));
        server.Configure();
        try
        {
            await app.StartAsync(cancellationToken).ConfigureAwait(false);
        }
        catch (IOException e)
        {
            await app.DisposeAsync().ConfigureAwait(false);
            throw new Core.InvalidInputException($"Cannot listen on {options.Host}:{options.Port}: {e.Message}", "Pick another port (--port), or stop what is using it.", e) { Setting = nameof(ServerOptions.Port) };
        }
        var bound = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var port = new Uri(bound).Port;
        server.Address = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://{(address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString())}:{port}/"));
        server._allowedHosts = AllowedHosts(port);
        return server;
    }

    /// <summary>What a browser sends as Host for this server on loopback; anything else is a DNS rebinding attempt or a mistake.</summary>
    private static HashSet<string> AllowedHosts(int port)
    {
        var hosts = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var name in new[] { "127.0.0.1", "localhost", "[::1]" })
        {
            hosts.Add(string.Create(CultureInfo.InvariantCulture, $"{name}:{port}"));
            if (port == 80) hosts.Add(name);
        }
        return hosts;
    }

    private void Configure()
    {
        _app.Use(HandleErrorsAsync);
        // Before the key check: a browser's preflight carries no key, and is answered here.
        if (Options.CorsOrigins.Count > 0)
        {
            var any = Options.CorsOrigins.Contains("*");
            _app.UseCors(policy => (any ? policy.AllowAnyOrigin() : policy.WithOrigins([.. Options.CorsOrigins])).AllowAnyHeader().AllowAnyMethod().WithExposedHeaders("Retry-After"));
        }
        _app.Use(CheckHostAndKeyAsync);
        if (Options.ClientRequests is { } limit) _app.Use((context, next) => LimitPerClientAsync(context, next, limit));
        Endpoints.Map(_app);
        // Behind the same Host and key checks as every other endpoint (the middleware above).
        _app.MapMcp("/mcp");
        _app.MapFallback(context => throw new ApiError(StatusCodes.Status404NotFound, $"There is no endpoint {context.Request.Method} {context.Request.Path}.", ApiError.InvalidRequest, null, "not_found"));
    }

    private static async Task HandleErrorsAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context).ConfigureAwait(false);
        }
        catch (ApiError e) when (!context.Response.HasStarted)
        {
            await e.WriteAsync(context.Response).ConfigureAwait(false);
        }
        catch (BadHttpRequestException e) when (!context.Response.HasStarted)
        {
            // Kestrel's own refusals (a body past its limit, a malformed chunk) keep their status.
            var message = e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "The request body is larger than the server's limit." : e.Message;
            await new ApiError(e.StatusCode, message, ApiError.InvalidRequest, null, e.StatusCode == StatusCodes.Status413PayloadTooLarge ? "request_too_large" : null).WriteAsync(context.Response).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client hung up: nobody is left to answer.
        }
        catch (Exception e) when (!context.Response.HasStarted && HostErrors.Classify(e) == HostErrorKind.Input)
        {
            var fix = HostErrors.Fix(e);
            await ApiError.BadRequest(fix is null ? e.Message : $"{e.Message} {fix}").WriteAsync(context.Response).ConfigureAwait(false);
        }
        catch (Exception e) when (!context.Response.HasStarted && HostErrors.Classify(e) == HostErrorKind.Engine)
        {
            // The remote engine behind this server failed: a gateway's error, not this server's bug.
            var fix = HostErrors.Fix(e);
            await new ApiError(StatusCodes.Status502BadGateway, fix is null ? e.Message : $"{e.Message} {fix}", "server_error", null, "engine_unavailable").WriteAsync(context.Response).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (!context.Response.HasStarted)
        {
            await new ApiError(StatusCodes.Status503ServiceUnavailable, "The server is stopping.", "server_error", null, "server_stopping").WriteAsync(context.Response).ConfigureAwait(false);
        }
#pragma warning disable CA1031 // A bug in one request becomes that request's 500, not the server's end.
        catch (Exception e) when (!context.Response.HasStarted)
#pragma warning restore CA1031
        {
            await Console.Error.WriteLineAsync($"localqa serve: internal error on {context.Request.Method} {context.Request.Path}: {e}").ConfigureAwait(false);
            await new ApiError(StatusCodes.Status500InternalServerError, $"Internal error ({e.GetType().Name}); the server log has the details.", "server_error").WriteAsync(context.Response).ConfigureAwait(false);
        }
    }

    private Task CheckHostAndKeyAsync(HttpContext context, RequestDelegate next)
    {
        if (_loopback && !_allowedHosts.Contains(context.Request.Host.Value ?? ""))
            throw new ApiError(StatusCodes.Status403Forbidden,
                $"The Host header '{context.Request.Host.Value}' is not this server's loopback address; a page served from another name is refused (DNS rebinding).",
                "permission_error", null, "host_not_allowed");
        if (_apiKeyHash is not null && !KeyMatches(context.Request.Headers.Authorization.ToString()))
            throw new ApiError(StatusCodes.Status401Unauthorized, "A valid API key is required: send 'Authorization: Bearer KEY'.", ApiError.InvalidRequest, null, "invalid_api_key");
        return next(context);
    }

    // Requests each client address has in the server now; an entry goes when its count is back to 0.
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, int> _perClient = new(StringComparer.Ordinal);

    /// <summary>
    /// One client may not hold more than its share: past <paramref name="limit"/> requests at once
    /// from its address, the next is refused with 429 (the shared queue's 503 is for everyone at once).
    /// </summary>
    private async Task LimitPerClientAsync(HttpContext context, RequestDelegate next, int limit)
    {
        var client = context.Connection.RemoteIpAddress?.ToString() ?? "";
        var count = _perClient.AddOrUpdate(client, 1, (_, n) => n + 1);
        try
        {
            if (count > limit) throw ApiError.TooManyFromClient(limit);
            await next(context).ConfigureAwait(false);
        }
        finally
        {
            if (_perClient.AddOrUpdate(client, 0, (_, n) => n - 1) == 0) _perClient.TryRemove(new KeyValuePair<string, int>(client, 0));
        }
    }

    /// <summary>
    /// Compares the key in constant time: both sides are hashed first, so neither the key's length
    /// nor its first differing byte shows in the time the comparison takes.
    /// </summary>
    private bool KeyMatches(string authorization)
    {
        const string scheme = "Bearer ";
        if (!authorization.StartsWith(scheme, StringComparison.OrdinalIgnoreCase)) return false;
        var offered = SHA256.HashData(Encoding.UTF8.GetBytes(authorization[scheme.Length..].Trim()));
        return CryptographicOperations.FixedTimeEquals(offered, Convert.FromHexString(_apiKeyHash!));
    }

    /// <summary>Completes when the server has been asked to stop (<see cref="StopAsync"/>) or <paramref name="cancellationToken"/> is cancelled.</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>Stops accepting, cancels the requests in flight and waits for them to end.</summary>
    public Task StopAsync(CancellationToken cancellationToken = default) => _app.StopAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync().ConfigureAwait(false);
        Admission.Dispose();
    }
}
