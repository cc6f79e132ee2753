using System.Text.Json;
using System.Text.RegularExpressions;

namespace LocalQa.Cli.Tests;

/// <summary>The host configurations in docs/mcp.md are valid JSON that starts the real verb.</summary>
public sealed partial class McpDocsTests
{
    [GeneratedRegex(@"```json\n(.*?)\n```", RegexOptions.Singleline)]
    private static partial Regex JsonBlock();

    [Fact]
    public void The_Claude_Desktop_and_VS_Code_configurations_start_localqa_mcp()
    {
        var doc = File.ReadAllText(Path.Combine(CliRunner.RepoRoot, "docs", "mcp.md"));
        var blocks = JsonBlock().Matches(doc).Select(m => JsonDocument.Parse(m.Groups[1].Value)).ToList();
        var claude = Assert.Single(blocks, b => b.RootElement.TryGetProperty("mcpServers", out _)).RootElement.GetProperty("mcpServers").GetProperty("localqa");
        var vscode = Assert.Single(blocks, b => b.RootElement.TryGetProperty("servers", out _)).RootElement.GetProperty("servers").GetProperty("localqa");
        Assert.Equal("stdio", vscode.GetProperty("type").GetString());
        var verbs = CliApp.Build(new CliContext(TextWriter.Null, TextWriter.Null)).Subcommands.Select(c => c.Name).ToList();
        foreach (var server in new[] { claude, vscode })
        {
            Assert.Equal("localqa", server.GetProperty("command").GetString());
            var args = server.GetProperty("args").EnumerateArray().Select(a => a.GetString()).ToArray();
            Assert.Equal(["mcp"], args);
            Assert.Contains(args[0], verbs);
        }
        if (claude.TryGetProperty("env", out var env))
            Assert.All(env.EnumerateObject(), v => Assert.StartsWith("LOCALQA_", v.Name, StringComparison.Ordinal));
        foreach (var b in blocks) b.Dispose();
    }
}
