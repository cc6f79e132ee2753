using System.Net;
using LocalQa.McpTesting;
using ModelContextProtocol.Client;

namespace LocalQa.Server.Tests;

/// <summary>
/// <c>/mcp</c> on a real server on 127.0.0.1 (streamable HTTP, stateless), driven by the MCP SDK's
/// own client; the library without a chat model, whose answers are extractive.
/// </summary>
[Collection(ServerTests.Name)]
public sealed class McpHttpTests(ServerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static Task<McpClient> ConnectAsync(LocalQaServer server, string? key = null) =>
        McpClient.CreateAsync(new HttpClientTransport(new HttpClientTransportOptions
        {
            Endpoint = new Uri(server.Address, "mcp"),
            TransportMode = HttpTransportMode.StreamableHttp,
            AdditionalHeaders = key is null ? null : new Dictionary<string, string> { ["Authorization"] = $"Bearer {key}" },
        }), cancellationToken: Ct);

    [Fact]
    public async Task Lists_the_tools_search_finds_who_founded_FAIR_and_ask_cites()
    {
        await using var server = await Servers.StartAsync(fixture.Extractive);
        await using var client = await ConnectAsync(server);
        await McpCalls.AssertToolsAsync(client, Ct);
        await McpCalls.AssertSearchFindsFairAsync(client, Ct);
        var answer = await McpCalls.AssertAskCitesAsync(client, Ct);

        // Stateless HTTP keeps no session, yet a conversation continues by its id.
        var id = answer.GetProperty("conversation_id").GetString();
        var followUp = await McpCalls.CallOkAsync(client, "ask", new { question = "When was it founded?", conversation_id = id }, Ct);
        Assert.Equal(id, followUp.GetProperty("conversation_id").GetString());

        var bad = await McpCalls.CallAsync(client, "search_articles", new { query = "FAIR", top_k = 500 }, Ct);
        Assert.True(bad.IsError);
        Assert.Contains("'top_k' is 500; it must be from 1 to 50.", bad.Text, StringComparison.Ordinal);
        Assert.Equal(0, server.Admission.Present);
    }

    [Fact]
    public async Task Mcp_is_behind_the_servers_key_and_host_checks()
    {
        await using var server = await Servers.StartAsync(fixture.Extractive, new ServerOptions { ApiKey = "s3cret-key" });
        using var http = Servers.Http(server);
        var initialize = """{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"t","version":"1"}}}""";

        var (status, body, _) = await Servers.PostAsync(http, "/mcp", initialize);
        Assert.Equal(401, status);
        Assert.Equal("invalid_api_key", body.GetProperty("error").GetProperty("code").GetString());
        await Assert.ThrowsAnyAsync<Exception>(() => ConnectAsync(server, "wrong-key"));

        using var rebound = new HttpRequestMessage(HttpMethod.Post, new Uri(server.Address, "mcp"));
        rebound.Headers.Host = $"attacker.example:{server.Address.Port}";
        rebound.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", "s3cret-key");
        rebound.Content = new StringContent(initialize, System.Text.Encoding.UTF8, "application/json");
        using var refused = await http.SendAsync(rebound, Ct);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);

        await using var client = await ConnectAsync(server, "s3cret-key");
        await McpCalls.AssertSearchFindsFairAsync(client, Ct);
    }

    [Fact]
    public async Task A_call_cancelled_mid_way_frees_the_turn_and_the_next_call_is_answered()
    {
        await using var server = await Servers.StartAsync(fixture.Extractive);
        var admitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = 0;
        // The first call holds its turn until its own request is cancelled: the test knows it is mid-call.
        server.Admission.OnAdmitted = async ct =>
        {
            if (Interlocked.Exchange(ref first, 1) != 0) return;
            admitted.SetResult();
            await Task.Delay(Timeout.Infinite, ct);
        };
        await using var client = await ConnectAsync(server);
        using var leave = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        var call = McpCalls.CallAsync(client, "search_articles", new { query = "Who founded FAIR?" }, leave.Token);
        await admitted.Task.WaitAsync(Ct);
        await leave.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => call);

        await McpCalls.AssertSearchFindsFairAsync(client, Ct);
    }
}
