using System.Text.Json.Nodes;
using LocalQa.Cli.Commands;
using LocalQa.Core.Tests;
using LocalQa.Core.Tests.Models;

namespace LocalQa.Cli.Tests;

public sealed class ConfigCommandTests : IDisposable
{
    private readonly TempFolder _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task Config_show_json_gives_each_setting_its_value_and_source()
    {
        await File.WriteAllTextAsync(Path.Combine(_dir.Sub("config"), "localqa.json"), "{\n  \"context_size\": 2048\n}", TestContext.Current.CancellationToken);
        var resolver = ModelsCommandTests.Isolated(_dir, new Dictionary<string, string> { ["LOCALQA_THREADS"] = "3" });

        var (code, stdout, stderr) = await ModelsCommandTests.RunIsolated(cli => ConfigCommand.Create(cli, () => resolver),
            "config", "show", "--json", "--gpu-layers", "5");

        Assert.True(code == 0, stderr);
        var json = JsonNode.Parse(stdout)!.AsObject();
        var settings = json["settings"]!;
        Assert.Equal(3, (int?)settings["threads"]!["value"]);
        Assert.Equal("environment", (string?)settings["threads"]!["source"]);
        Assert.Equal("LOCALQA_THREADS", (string?)settings["threads"]!["from"]);
        Assert.Equal(5, (int?)settings["gpu_layers"]!["value"]);
        Assert.Equal("flag", (string?)settings["gpu_layers"]!["source"]);
        Assert.Equal("--gpu-layers", (string?)settings["gpu_layers"]!["from"]);
        Assert.Equal(2048, (int?)settings["context_size"]!["value"]);
        Assert.Equal("file", (string?)settings["context_size"]!["source"]);
        Assert.Equal(2, (int?)settings["context_size"]!["line"]);
        Assert.Equal(Path.Combine(_dir["home"], "index.db"), (string?)settings["index"]!["value"]);
        Assert.Equal("default", (string?)settings["index"]!["source"]);
        Assert.Null(settings["chat_model"]!["value"]);
        Assert.Single(json["config_files"]!.AsArray());
    }

    [Fact]
    public async Task Config_show_prints_where_each_setting_comes_from()
    {
        var resolver = ModelsCommandTests.Isolated(_dir);

        var (code, stdout, _) = await ModelsCommandTests.RunIsolated(cli => ConfigCommand.Create(cli, () => resolver),
            "config", "show", "--threads", "2", "--model", "nowhere/model.gguf");

        Assert.Equal(ExitCodes.Ok, code);
        Assert.Contains("from flag --threads", stdout, StringComparison.Ordinal);
        Assert.Contains("model.gguf  (not found)", stdout, StringComparison.Ordinal);
        Assert.Contains("settings files: none", stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_bad_flag_value_exits_2()
    {
        using var output = new StringWriter();
        using var error = new StringWriter();

        var code = await CliApp.RunAsync(["config", "show", "--threads", "0"], output, error, TestContext.Current.CancellationToken);

        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("--threads is 0", error.ToString(), StringComparison.Ordinal);
    }
}
