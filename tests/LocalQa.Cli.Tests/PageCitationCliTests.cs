using System.Text.Json;

namespace LocalQa.Cli.Tests;

/// <summary>ask names the page of a PDF passage in its sources, as text ("p. 7") and in --json ("page"); a text file's source names none.</summary>
public sealed class PageCitationCliTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    [Fact]
    public void Ask_cites_the_page_of_a_pdf_passage()
    {
        var folder = Directory.CreateDirectory(Path.Combine(_cli.Home, "papers")).FullName;
        File.Copy(Path.Combine(CliRunner.RepoRoot, "tests", "LocalQa.Core.Tests", "Documents", "TestDocuments", "two-column-groff.pdf"), Path.Combine(folder, "tides.pdf"));
        Assert.Equal(0, _cli.Run("ingest", folder).ExitCode);

        var json = JsonDocument.Parse(_cli.Run("ask", "Where does record 35 come from?", "--json").Out).RootElement;
        var source = json.GetProperty("sources").EnumerateArray().First(s => s.GetProperty("text").GetString()!.Contains("Record 35 comes", StringComparison.Ordinal));
        var page = source.GetProperty("page").GetInt32();
        Assert.True(page > 1, $"record 35 is on a later page of the paper, not {page}");

        var text = _cli.Run("ask", "Where does record 35 come from?");
        Assert.Equal(0, text.ExitCode);
        Assert.Contains($"tides.pdf (p. {page}, chunk ", text.Out, StringComparison.Ordinal);
    }
}
