using LocalQa.Bench;
using LocalQa.Core.Documents;

namespace LocalQa.Core.Tests.Bench;

/// <summary>
/// The PDF bench on a few pages: the PDF it writes reads back as a real report would (every page,
/// running header and page numbers gone), and its result has the shape the JSON promises. Its speed
/// is for the real runs.
/// </summary>
public sealed class PdfBenchTests
{
    [Fact]
    public void The_generated_pdf_reads_back_page_by_page_without_its_running_header_and_page_numbers()
    {
        using var temp = new TempFolder();
        var path = temp["report.pdf"];
        PdfBench.Write(path, 12, new SyntheticCorpus());

        var document = DocumentLoader.Load(path).Document;

        Assert.NotNull(document);
        Assert.Equal("The Tarnby Harbour Report", document.Title);
        Assert.Equal(Enumerable.Range(1, 12), document.Pages.Select(p => p.Page));
        Assert.DoesNotContain("The Tarnby Harbour Report", document.Text, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?m)^\d+$", document.Text);
        Assert.Contains(document.Headings, h => document.Text.Substring(h.Start, h.Length).StartsWith("Part 1:", StringComparison.Ordinal));
    }

    [Fact]
    public void A_run_reports_pages_per_second_and_both_peaks()
    {
        using var temp = new TempFolder();

        var result = PdfBench.Run(temp.Path, 20, new PeakMemory());

        Assert.Equal(20, result.Pages);
        Assert.Equal(2, result.SmallPages);
        Assert.True(result.FileBytes > 0);
        Assert.True(result.Chunks > 0);
        Assert.True(result.PagesPerSecond > 0);
        Assert.True(result.PeakMemoryMb > 0 && result.SmallPeakMemoryMb > 0);
        Assert.True(File.Exists(temp["report-20.pdf"]) && File.Exists(temp["report-2.pdf"]));
    }
}
