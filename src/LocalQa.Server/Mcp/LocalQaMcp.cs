using System.Globalization;
using System.Text.Json;
using LocalQa.Core;
using LocalQa.Core.Answering;
using LocalQa.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using ModelContextProtocol;
using ModelContextProtocol.Protocol;
using ModelContextProtocol.Server;

namespace LocalQa.Server.Mcp;

/// <summary>
/// LocalQa as an MCP server: the tools and resources over one library, served over stdio
/// (<c>localqa mcp</c>, <see cref="RunStdioAsync"/>) or as streamable HTTP at <c>/mcp</c> of
/// <c>localqa serve</c> (<see cref="LocalQaServer"/>), the same code behind both.
/// </summary>
public static class LocalQaMcp
{
    /// <summary>The server's name in the MCP handshake.</summary>
    public const string ServerName = "localqa";

    /// <summary>The tools' structured output in snake_case, as the command line's --json writes it.</summary>
    internal static JsonSerializerOptions JsonOptions { get; } = new(McpJsonUtilities.DefaultOptions)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        // A null says something here (no next page, no note), and a model reads the keys it is shown.
        DefaultIgnoreCondition = System.Text.Json.Serialization.JsonIgnoreCondition.Never,
    };

    internal static string DocumentUri(long id) => string.Create(CultureInfo.InvariantCulture, $"localqa://documents/{id}");

    /// <summary>Registers the tools and resources over <paramref name="library"/>.</summary>
    internal static IMcpServerBuilder AddLocalQaMcp(this IServiceCollection services, McpLibrary library)
    {
        services.AddSingleton(library);
        return services
            .AddMcpServer(o =>
            {
                o.ServerInfo = new Implementation { Name = ServerName, Version = typeof(LocalQaMcp).Assembly.GetName().Version?.ToString(3) ?? "0.0.0" };
                o.ServerInstructions = "LocalQa searches and answers from the user's own library of articles, offline. " +
                    "Use search_articles to find passages, ask for a cited answer (pass conversation_id back for follow-ups), " +
                    "summarize_text for an article you hold, list_documents and get_document to read the library.";
            })
            .WithTools([typeof(LocalQaMcpTools)], JsonOptions)
            .WithResources([typeof(LocalQaMcpResources)])
            .WithRequestFilters(f => f.AddCallToolFilter(ToolArguments.Filter));
    }

    /// <summary>
    /// Serves MCP over this process's stdin and stdout until the client closes stdin or
    /// <paramref name="cancellationToken"/> is cancelled. Nothing but the protocol goes to stdout:
    /// the SDK's log (warnings and worse) goes to stderr.
    /// </summary>
    public static async Task RunStdioAsync(LocalQaLibrary library, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(library);
        using var mcp = new McpLibrary(library);
        var builder = Host.CreateEmptyApplicationBuilder(new HostApplicationBuilderSettings { ApplicationName = "LocalQa.Mcp" });
        builder.Logging.AddConsole(o => o.LogToStandardErrorThreshold = LogLevel.Trace).SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddLocalQaMcp(mcp).WithStdioServerTransport();
        using var host = builder.Build();
        await host.RunAsync(cancellationToken).ConfigureAwait(false);
    }

    /// <summary>
    /// Runs one call in the library's turn. A caller's mistake (the library's
    /// <see cref="InvalidInputException"/>, an engine refusal) becomes a tool error carrying the same
    /// message and fix the command line prints; a bug becomes a tool error that says so, logged on
    /// stderr; neither ends the server.
    /// </summary>
    internal static async Task<T> GuardAsync<T>(McpLibrary library, Func<CancellationToken, Task<T>> work, CancellationToken ct)
    {
        try
        {
            using (await library.TurnAsync(ct).ConfigureAwait(false))
                return await work(ct).ConfigureAwait(false);
        }
        catch (McpException)
        {
            throw;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception e) when (HostErrors.Classify(e) == HostErrorKind.Input)
        {
            var fix = HostErrors.Fix(e);
            throw new McpException(fix is null ? e.Message : $"{e.Message} {fix}", e);
        }
#pragma warning disable CA1031 // A bug in one call becomes that call's error, not the server's end.
        catch (Exception e)
#pragma warning restore CA1031
        {
            await Console.Error.WriteLineAsync($"localqa mcp: internal error: {e}").ConfigureAwait(false);
            throw new McpException($"Internal error ({e.GetType().Name}: {e.Message}); the server's log (stderr) has the details.", e);
        }
    }

    internal static void CheckText(string? text, string name)
    {
        if (string.IsNullOrWhiteSpace(text))
            throw new InvalidInputException($"'{name}' is empty.", $"Pass a non-empty '{name}'.");
        var limit = new AskOptions().MaxQuestionChars;
        if (text.Length > limit)
            throw new InvalidInputException(string.Create(CultureInfo.InvariantCulture, $"'{name}' is {text.Length:N0} characters long; the limit is {limit:N0}."), $"Shorten '{name}' to its essentials.");
    }

    internal static void CheckRange(int value, int min, int max, string name)
    {
        if (value < min || value > max)
            throw new InvalidInputException(string.Create(CultureInfo.InvariantCulture, $"'{name}' is {value}; it must be from {min} to {max}."), string.Create(CultureInfo.InvariantCulture, $"Pass a '{name}' from {min} to {max}."));
    }
}
