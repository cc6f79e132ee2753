using System.Diagnostics;
using System.Text.Json;

namespace LocalQa.Server.Tests;

/// <summary>Refusals, the bounded queue, LocalQa's own /api, and the SSE framing as curl reads it.</summary>
[Collection(ServerTests.Name)]
public sealed class HttpTests(ServerFixture fixture)
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static void AssertError(JsonElement body, string? code = null)
    {
        var error = body.GetProperty("error");
        Assert.Equal(["message", "type", "param", "code"], Servers.Keys(error));
        Assert.False(string.IsNullOrEmpty(error.GetProperty("message").GetString()));
        if (code is not null) Assert.Equal(code, error.GetProperty("code").GetString());
    }

    [Fact]
    public async Task Bad_requests_are_400s_with_OpenAIs_error_object()
    {
        await using var server = await Servers.StartAsync(fixture.Extractive);
        using var http = Servers.Http(server);
        foreach (var body in new[]
        {
            "{not json",
            "[]",
            """{"model":"localqa","messages":[]}""",
            """{"model":"localqa"}""",
            """{"messages":[{"role":"user","content":"Who founded FAIR?"}]}""",
            """{"model":"localqa","messages":[{"role":"tool","content":"x"}]}""",
            """{"model":"localqa","messages":[{"role":"user","content":"Who founded FAIR?"},{"role":"assistant","content":"LeCun"}]}""",
            """{"model":"localqa","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"x"}}]}]}""",
            """{"model":"localqa","max_tokens":-1,"messages":[{"role":"user","content":"Who founded FAIR?"}]}""",
        })
        {
            var (status, json, _) = await Servers.PostAsync(http, "/v1/chat/completions", body);
            Assert.True(status == 400, $"{body}: {status} {json}");
            AssertError(json);
        }
        var tooMany = JsonSerializer.Serialize(new { model = "localqa", messages = Enumerable.Repeat(new { role = "user", content = "Who?" }, new ServerOptions().MaxMessages + 1) });
        var (manyStatus, manyBody, _) = await Servers.PostAsync(http, "/v1/chat/completions", tooMany);
        Assert.Equal(400, manyStatus);
        Assert.Equal("messages", manyBody.GetProperty("error").GetProperty("param").GetString());

        var (embedStatus, embedBody, _) = await Servers.PostAsync(http, "/v1/embeddings", """{"model":"tiny-embed","input":"x"}""");
        Assert.Equal(404, embedStatus);
        AssertError(embedBody, "model_not_found");
    }

    [Fact]
    public async Task A_body_over_the_limit_is_a_413()
    {
        var options = new ServerOptions { MaxBodyBytes = 64 * 1024 };
        await using var server = await Servers.StartAsync(fixture.Extractive, options);
        using var http = Servers.Http(server);
        var big = Servers.ChatBody("localqa", new string('a', 100 * 1024));
        var (status, json, _) = await Servers.PostAsync(http, "/v1/chat/completions", big);
        Assert.Equal(413, status);
        AssertError(json, "request_too_large");
    }

    [Fact]
    public async Task Another_host_name_is_refused_on_loopback()
    {
        await using var server = await Servers.StartAsync(fixture.Extractive);
        using var http = Servers.Http(server);
        foreach (var host in new[] { "evil.example", $"evil.example:{server.Address.Port}", "127.0.0.1:1" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
            request.Headers.Host = host;
            using var response = await http.SendAsync(request, Ct);
            Assert.Equal(403, (int)response.StatusCode);
            AssertError(JsonDocument.Parse(await response.Content.ReadAsStringAsync(Ct)).RootElement, "host_not_allowed");
        }
        using var local = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        local.Headers.Host = $"localhost:{server.Address.Port}";
        using var allowed = await http.SendAsync(local, Ct);
        Assert.Equal(200, (int)allowed.StatusCode);
    }

    [Fact]
    public async Task When_the_queue_is_full_a_request_gets_503_with_Retry_After()
    {
        await using var server = await Servers.StartAsync(fixture.Extractive, new ServerOptions { Queue = 1 });
        var admitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var queued = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = 0;
        server.Admission.OnAdmitted = async ct =>
        {
            if (Interlocked.Exchange(ref first, 1) != 0) return;
            admitted.SetResult();
            await release.Task.WaitAsync(ct);
        };
        server.Admission.OnQueued = () => queued.TrySetResult();
        using var http = Servers.Http(server);
        var search = """{"query":"Who founded FAIR?"}""";
        var held = Servers.PostAsync(http, "/api/search", search);
        await admitted.Task.WaitAsync(Ct);
        var waiting = Servers.PostAsync(http, "/api/search", search);
        await queued.Task.WaitAsync(Ct);

        var (status, body, response) = await Servers.PostAsync(http, "/api/search", search);
        Assert.Equal(503, status);
        AssertError(body, "server_busy");
        Assert.NotNull(response.Headers.RetryAfter);

        release.SetResult();
        Assert.Equal(200, (await held).Status);
        Assert.Equal(200, (await waiting).Status);
        Assert.Equal(0, server.Admission.Present);
    }

    [Fact]
    public async Task A_client_past_its_own_limit_gets_429_with_Retry_After_while_the_queue_has_room()
    {
        await using var server = await Servers.StartAsync(fixture.Extractive, new ServerOptions { Queue = 8, ClientRequests = 1 });
        var admitted = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var release = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var first = 0;
        server.Admission.OnAdmitted = async ct =>
        {
            if (Interlocked.Exchange(ref first, 1) != 0) return;
            admitted.SetResult();
            await release.Task.WaitAsync(ct);
        };
        using var http = Servers.Http(server);
        var search = """{"query":"Who founded FAIR?"}""";
        var held = Servers.PostAsync(http, "/api/search", search);
        await admitted.Task.WaitAsync(Ct);

        var (status, body, response) = await Servers.PostAsync(http, "/api/search", search);
        Assert.Equal(429, status);
        AssertError(body, "rate_limit_exceeded");
        Assert.NotNull(response.Headers.RetryAfter);

        release.SetResult();
        Assert.Equal(200, (await held).Status);
        // Its request done, the client is under its limit again.
        Assert.Equal(200, (await Servers.PostAsync(http, "/api/search", search)).Status);
    }

    [Fact]
    public async Task Cors_answers_a_configured_origins_preflight_and_no_other()
    {
        await using var server = await Servers.StartAsync(fixture.Extractive, new ServerOptions { CorsOrigins = ["http://localhost:3000"] });
        using var http = Servers.Http(server);
        async Task<HttpResponseMessage> PreflightAsync(string origin)
        {
            using var request = new HttpRequestMessage(HttpMethod.Options, "/v1/chat/completions");
            request.Headers.Add("Origin", origin);
            request.Headers.Add("Access-Control-Request-Method", "POST");
            request.Headers.Add("Access-Control-Request-Headers", "authorization,content-type");
            return await http.SendAsync(request, Ct);
        }
        using var allowed = await PreflightAsync("http://localhost:3000");
        Assert.True(allowed.IsSuccessStatusCode, $"{(int)allowed.StatusCode}");
        Assert.Equal("http://localhost:3000", Assert.Single(allowed.Headers.GetValues("Access-Control-Allow-Origin")));
        using var other = await PreflightAsync("http://evil.example");
        Assert.False(other.Headers.Contains("Access-Control-Allow-Origin"));

        using var get = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        get.Headers.Add("Origin", "http://localhost:3000");
        using var models = await http.SendAsync(get, Ct);
        Assert.Equal(200, (int)models.StatusCode);
        Assert.Equal("http://localhost:3000", Assert.Single(models.Headers.GetValues("Access-Control-Allow-Origin")));

        // Without the setting no origin is answered (the default).
        await using var plain = await Servers.StartAsync(fixture.Extractive);
        using var plainHttp = Servers.Http(plain);
        using var plainGet = new HttpRequestMessage(HttpMethod.Get, "/v1/models");
        plainGet.Headers.Add("Origin", "http://localhost:3000");
        using var plainModels = await plainHttp.SendAsync(plainGet, Ct);
        Assert.False(plainModels.Headers.Contains("Access-Control-Allow-Origin"));
    }

    [Theory]
    [InlineData("*", null, "API key")]
    [InlineData("http://localhost:3000/app", null, "not a web origin")]
    [InlineData("localhost:3000", null, "not a web origin")]
    public void Cors_origins_are_checked_before_the_server_starts(string origin, string? key, string expected)
    {
        var e = Assert.Throws<LocalQa.Core.InvalidInputException>(() => new ServerOptions { CorsOrigins = [origin], ApiKey = key }.Validate());
        Assert.Contains(expected, e.Message + " " + e.Fix, StringComparison.Ordinal);
        new ServerOptions { CorsOrigins = ["*"], ApiKey = "k" }.Validate();
    }

    [Fact]
    public async Task Api_bodies_have_the_CLIs_json_keys()
    {
        await using var server = await Servers.StartAsync(fixture.Extractive);
        using var http = Servers.Http(server);

        var (askStatus, ask, _) = await Servers.PostAsync(http, "/api/ask", """{"question":"Which company did Meta acquire about 49% of?"}""");
        Assert.Equal(200, askStatus);
        Assert.Equal(["answer", "mode", "abstained", "sources", "cited", "invalid_citations", "note", "why", "timings"], Servers.Keys(ask));
        Assert.Equal(["rank", "document", "title", "chunk", "score", "text", "page"], Servers.Keys(ask.GetProperty("sources")[0]));
        Assert.Equal(["sentence", "passage", "score", "factors"], Servers.Keys(ask.GetProperty("why")[0]));
        Assert.Equal(["retrieval_ms", "prompt_tokens", "reused_tokens", "prompt_ms", "ttft_ms", "generated_tokens", "decode_ms", "total_ms"], Servers.Keys(ask.GetProperty("timings")));
        Assert.Equal("extractive", ask.GetProperty("mode").GetString());

        var article = await File.ReadAllTextAsync(Directory.GetFiles(Path.Combine(LocalQa.Hosting.LocalQaPaths.RepoRoot!, "seeds")).Order(StringComparer.Ordinal).First(), Ct);
        var (sumStatus, summary, _) = await Servers.PostAsync(http, "/api/summarize", JsonSerializer.Serialize(new { text = article, title = "article.txt" }));
        Assert.Equal(200, sumStatus);
        Assert.Equal(["source", "title", "summary", "key_points", "mode", "related", "words", "note", "why", "timings"], Servers.Keys(summary));
        Assert.Equal(["map_ms", "reduce_ms", "related_ms", "total_ms", "generated_tokens", "tokens_per_second", "map_sequences", "reduce_steps"], Servers.Keys(summary.GetProperty("timings")));

        var (searchStatus, search, _) = await Servers.PostAsync(http, "/api/search", """{"query":"Who founded FAIR?","top":3}""");
        Assert.Equal(200, searchStatus);
        Assert.Equal(3, search.GetArrayLength());
        Assert.Equal(1, search[0].GetProperty("rank").GetInt32());

        var (docsStatus, docs) = await Servers.GetAsync(http, "/api/documents");
        Assert.Equal(200, docsStatus);
        Assert.Equal(5, docs.GetArrayLength());
        Assert.Contains("path", Servers.Keys(docs[0]));

        var (healthStatus, health) = await Servers.GetAsync(http, "/health");
        Assert.Equal(200, healthStatus);
        Assert.Equal("ok", health.GetProperty("status").GetString());

        var (pathStatus, pathBody, _) = await Servers.PostAsync(http, "/api/summarize", """{"path":"/etc/passwd"}""");
        Assert.Equal(400, pathStatus);
        AssertError(pathBody);
        var (missing, _) = await Servers.GetAsync(http, "/api/nothing-here");
        Assert.Equal(404, missing);
    }

    [Fact]
    public async Task Curl_reads_the_SSE_framing_role_deltas_finish_usage_and_DONE()
    {
        if (!File.Exists("/usr/bin/curl"))
        {
            Assert.Skip("curl is not installed (/usr/bin/curl): the SSE framing is checked with it.");
        }
        await using var server = await Servers.StartAsync(fixture.Generative);
        var body = JsonSerializer.Serialize(new
        {
            model = "localqa",
            stream = true,
            max_tokens = 8,
            stream_options = new { include_usage = true },
            messages = new[] { new { role = "user", content = "Who founded FAIR?" } },
        });
        var curl = new ProcessStartInfo("/usr/bin/curl")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            ArgumentList = { "-sN", "--no-progress-meter", "-H", "Content-Type: application/json", "--data-binary", "@-", new Uri(server.Address, "v1/chat/completions").ToString() },
            RedirectStandardInput = true,
        };
        using var process = Process.Start(curl)!;
        await process.StandardInput.WriteAsync(body);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync(Ct);
        await process.WaitForExitAsync(Ct);
        Assert.Equal(0, process.ExitCode);

        var events = output.Split("\n\n", StringSplitOptions.RemoveEmptyEntries);
        Assert.All(events, e => Assert.StartsWith("data: ", e, StringComparison.Ordinal));
        var data = events.Select(e => e["data: ".Length..]).ToArray();
        Assert.Equal("[DONE]", data[^1]);
        var chunks = data[..^1].Select(d => JsonDocument.Parse(d).RootElement).ToArray();
        Assert.All(chunks, c => Assert.Equal("chat.completion.chunk", c.GetProperty("object").GetString()));
        Assert.Single(chunks.Select(c => c.GetProperty("id").GetString()).Distinct());

        var first = chunks[0].GetProperty("choices")[0];
        Assert.Equal("assistant", first.GetProperty("delta").GetProperty("role").GetString());
        foreach (var chunk in chunks[..^1])
        {
            var choice = chunk.GetProperty("choices")[0];
            Assert.Equal(JsonValueKind.Object, choice.GetProperty("delta").ValueKind);
        }
        var finish = chunks[^2];
        Assert.NotEqual(JsonValueKind.Null, finish.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind);
        Assert.Equal("generative", finish.GetProperty("localqa").GetProperty("mode").GetString());
        Assert.NotEqual(0, finish.GetProperty("localqa").GetProperty("sources").GetArrayLength());
        Assert.All(chunks[1..^2], c => Assert.Equal(JsonValueKind.Null, c.GetProperty("choices")[0].GetProperty("finish_reason").ValueKind));
        var usage = chunks[^1];
        Assert.Equal(0, usage.GetProperty("choices").GetArrayLength());
        Assert.True(usage.GetProperty("usage").GetProperty("completion_tokens").GetInt32() <= 8);
        Assert.DoesNotContain("\"delta\":null", output, StringComparison.Ordinal);
    }
}
