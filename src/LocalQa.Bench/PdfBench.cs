using System.Globalization;
using System.Text;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace LocalQa.Bench;

/// <summary>One PDF ingested, and the same run on a PDF a tenth its length to show how memory grows with pages.</summary>
/// <param name="Pages">Pages of the measured PDF.</param>
/// <param name="FileBytes">Its size on disk.</param>
/// <param name="Chunks">Chunks it made.</param>
/// <param name="Seconds">Load, clean, chunk and index of the file, as <c>localqa ingest</c> does them.</param>
/// <param name="PeakMemoryMb">Peak resident memory of the process during that ingest (baseline included).</param>
/// <param name="PeakIsolated">True when the peak was reset before the run (Linux).</param>
/// <param name="SmallPages">Pages of the short PDF.</param>
/// <param name="SmallPeakMemoryMb">Peak resident memory while ingesting the short PDF.</param>
public sealed record PdfBenchResult(int Pages, long FileBytes, int Chunks, double Seconds, double PeakMemoryMb, bool PeakIsolated, int SmallPages, double SmallPeakMemoryMb)
{
    public double PagesPerSecond => Pages / Seconds;

    /// <summary>What each page beyond the short PDF's added to the peak, in KiB: near zero when pages are streamed.</summary>
    public double PeakKibPerExtraPage => Pages > SmallPages ? (PeakMemoryMb - SmallPeakMemoryMb) * 1024 / (Pages - SmallPages) : 0;
}

/// <summary>
/// PDF ingest speed in pages per second, and peak memory for a long PDF. The PDFs are written here
/// with PdfPig's builder: pages of body text with a running header and a page number (which the
/// parser removes), a heading now and then, the text from <see cref="SyntheticCorpus"/>.
/// </summary>
public static class PdfBench
{
    private const double Margin = 72;
    private const double BodySize = 11;
    private const double Leading = 14;
    private const int LineChars = 82;

    public static PdfBenchResult Run(string work, int pages, PeakMemory memory, Action<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(memory);
        ArgumentOutOfRangeException.ThrowIfLessThan(pages, 1);
        Directory.CreateDirectory(work);
        var corpus = new SyntheticCorpus();
        var smallPages = Math.Max(1, pages / 10);
        var small = Path.Combine(work, $"report-{smallPages}.pdf");
        var large = Path.Combine(work, $"report-{pages}.pdf");
        progress?.Invoke($"pdf: writing a {smallPages}-page and a {pages}-page PDF");
        Write(small, smallPages, corpus);
        Write(large, pages, corpus);

        // Once unmeasured, so that neither figure holds the first parse's one-time costs (JIT, PdfPig's
        // font tables), then the writer's and the warm-up's garbage returned, so neither peak counts it.
        IngestBench.Run([small], Path.Combine(work, "pdf-warm-up.db"), null, new PeakMemory(), null, ct);
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        var smallRun = IngestBench.Run([small], Path.Combine(work, "pdf-small.db"), null, memory, null, ct);
        GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
        progress?.Invoke($"pdf: ingesting {pages} pages");
        var largeRun = IngestBench.Run([large], Path.Combine(work, "pdf.db"), null, memory, null, ct);
        if (largeRun.Documents != 1) throw new InvalidOperationException($"The generated {pages}-page PDF was not ingested.");
        return new PdfBenchResult(pages, new FileInfo(large).Length, largeRun.Chunks, largeRun.Seconds, largeRun.PeakMemoryMb, largeRun.PeakIsolated, smallPages, smallRun.PeakMemoryMb);
    }

    /// <summary>Writes a PDF of <paramref name="pages"/> A4 pages of text, straight to the file.</summary>
    public static void Write(string path, int pages, SyntheticCorpus corpus)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        using var file = File.Create(path);
        using var builder = new PdfDocumentBuilder(file);
        builder.DocumentInformation.Title = "The Tarnby Harbour Report";
        var body = builder.AddStandard14Font(Standard14Font.Helvetica);
        var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
        var paragraph = 0;
        // Lines still to set: a paragraph that does not fit goes on over the page, as in a real report.
        var lines = new Queue<string?>();
        for (var number = 1; number <= pages; number++)
        {
            var page = builder.AddPage(PageSize.A4);
            var top = page.PageSize.Top - Margin;
            var bottom = page.PageSize.Bottom + Margin;
            page.AddText("The Tarnby Harbour Report", 9, new PdfPoint(Margin, top + 24), body);
            page.AddText(number.ToString(CultureInfo.InvariantCulture), 9, new PdfPoint(page.PageSize.Width / 2, bottom - 30), body);
            var y = top;
            if (number % 4 == 1 && lines.Count == 0)
            {
                page.AddText($"Part {((number / 4) + 1).ToString(CultureInfo.InvariantCulture)}: the harbour and its boats", 16, new PdfPoint(Margin, y), bold);
                y -= Leading * 2;
            }

            while (y > bottom)
            {
                if (lines.Count == 0)
                {
                    foreach (var line in Wrap(corpus.Passage(paragraph++, 70))) lines.Enqueue(line);
                    // The space between paragraphs.
                    lines.Enqueue(null);
                }

                var next = lines.Dequeue();
                if (next is not null) page.AddText(next, BodySize, new PdfPoint(Margin, y), body);
                y -= next is null ? Leading / 2 : Leading;
            }
        }
    }

    private static List<string> Wrap(string text)
    {
        var lines = new List<string>();
        var line = new StringBuilder();
        foreach (var word in text.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            if (line.Length > 0 && line.Length + 1 + word.Length > LineChars)
            {
                lines.Add(line.ToString());
                line.Clear();
            }

            if (line.Length > 0) line.Append(' ');
            line.Append(word);
        }

        if (line.Length > 0) lines.Add(line.ToString());
        return lines;
    }
}
