using System.Globalization;
using System.Text.RegularExpressions;
using LocalQa.Core.Chunking;
using LocalQa.Core.Documents;
using LocalQa.Core.Index;
using LocalQa.Core.Ingest;
using LocalQa.Core.Retrieval;
using UglyToad.PdfPig.Content;
using UglyToad.PdfPig.Core;
using UglyToad.PdfPig.Fonts.Standard14Fonts;
using UglyToad.PdfPig.Writer;

namespace LocalQa.Core.Tests.Documents;

/// <summary>
/// A PDF's pages are streamed: the loader hands a section on before it has read pages far beyond
/// it, running headers are found among a page's neighbours (so one that changes with the chapter
/// goes too), every chunk keeps its page through the index, and a PDF stopped half-way or broken
/// deep inside leaves the indexed version whole. The PDFs are written here with PdfPig's builder.
/// </summary>
public sealed class PdfStreamingTests
{
    private const int Pages = 60;
    private const int ChapterPages = 20;

    // One running head per chapter: each is on a third of the pages, which the whole-document
    // comparison (a line on at least half of all pages) kept; no digits, so they differ once masked.
    private static readonly string[] RunningHeads = ["Ledger of the Harbour: The Quay", "Ledger of the Harbour: The Boats", "Ledger of the Harbour: The Light"];

    private static readonly string[] Words = ["harbour", "boat", "lantern", "storm", "captain", "net", "herring", "tide", "keeper", "rope", "quay", "gull"];

    /// <summary>
    /// Writes a report of <paramref name="pages"/> A4 pages: a running head that changes every
    /// <see cref="ChapterPages"/> pages, a page number at the foot, a heading where each chapter
    /// starts, and paragraphs whose every sentence names its page as "folioN" and ends on its page.
    /// </summary>
    private static string WritePdf(string path, int pages, string marker = "")
    {
        using (var file = File.Create(path))
        using (var builder = new PdfDocumentBuilder(file))
        {
            var body = builder.AddStandard14Font(Standard14Font.Helvetica);
            var bold = builder.AddStandard14Font(Standard14Font.HelveticaBold);
            var random = new Random(pages);
            for (var number = 1; number <= pages; number++)
            {
                var page = builder.AddPage(PageSize.A4);
                var top = page.PageSize.Top - 72;
                page.AddText(RunningHeads[(number - 1) / ChapterPages % RunningHeads.Length], 9, new PdfPoint(72, top + 24), body);
                page.AddText(number.ToString(CultureInfo.InvariantCulture), 9, new PdfPoint(page.PageSize.Width / 2, 42), body);
                var y = top;
                if ((number - 1) % ChapterPages == 0)
                {
                    page.AddText($"Chapter {((number - 1) / ChapterPages) + 1} of the ledger", 16, new PdfPoint(72, y), bold);
                    y -= 28;
                }

                for (var paragraph = 0; paragraph < 4; paragraph++)
                {
                    for (var line = 0; line < 5; line++)
                    {
                        // Each line a sentence: a paragraph's lines join into sentences that all name the page.
                        var words = string.Join(' ', Enumerable.Range(0, 9).Select(_ => Words[random.Next(Words.Length)]));
                        page.AddText($"The folio{number} {words}.", 11, new PdfPoint(72, y), body);
                        y -= 14;
                    }

                    y -= 10;
                }

                if (number == pages && marker.Length > 0)
                {
                    page.AddText($"The last line names the {marker} of the harbour.", 11, new PdfPoint(72, y), body);
                }
            }
        }

        return path;
    }

    private static int FirstFolio(string text) =>
        int.Parse(Regex.Match(text, @"folio(\d+)").Groups[1].Value, CultureInfo.InvariantCulture);

    [Fact]
    public void Sections_are_handed_on_while_later_pages_are_still_unread()
    {
        using var folder = new TempFolder();
        var path = WritePdf(folder["ledger.pdf"], Pages);
        var pagesRead = 0;
        var sections = new List<(DocumentSection Section, int PagesRead)>();

        var result = DocumentLoader.LoadSectionsWithPageHook(
            path,
            section => sections.Add((section, pagesRead)),
            new LoadOptions { SectionChars = 2_000 },
            page =>
            {
                Assert.Equal(pagesRead + 1, page);
                pagesRead = page;
            },
            TestContext.Current.CancellationToken);

        Assert.True(result.IsLoaded, result.SkipReason);
        Assert.Equal(Pages, pagesRead);
        Assert.True(sections.Count > Pages / 2, $"{sections.Count} sections");
        // The first section went to the caller when no more than the window after page 1 was read,
        // well before the end of the PDF (a whole-document read hands on nothing until page 60 is read).
        Assert.True(PdfParser.RunningLineWindow + 2 <= Pages / 2, "the PDF is long enough to tell streaming from a whole read");
        Assert.InRange(sections[0].PagesRead, 1, PdfParser.RunningLineWindow + 2);
        Assert.InRange(sections.Count(s => s.PagesRead < Pages), sections.Count / 2, sections.Count);
        foreach (var (section, read) in sections)
        {
            // A section's pages, read no further ahead than the window: what is held does not grow with the PDF.
            Assert.NotEmpty(section.Pages);
            Assert.Equal(0, section.Pages[0].Start);
            Assert.InRange(read, section.Pages[^1].Page, section.Pages[^1].Page + PdfParser.RunningLineWindow + 1);
        }

        Assert.Equal(Enumerable.Range(1, Pages), sections.SelectMany(s => s.Section.Pages).Select(p => p.Page).Distinct());
    }

    [Fact]
    public void Running_heads_that_change_with_the_chapter_are_removed_and_every_block_keeps_its_page()
    {
        using var folder = new TempFolder();
        var path = WritePdf(folder["ledger.pdf"], Pages);

        var document = DocumentLoader.Load(path, cancellationToken: TestContext.Current.CancellationToken).Document!;

        Assert.DoesNotContain("Ledger of the Harbour", document.Text, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?m)^\d+$", document.Text);
        Assert.Equal(Enumerable.Range(1, Pages), document.Pages.Select(p => p.Page));
        var headings = document.Headings.Select(h => document.Text.Substring(h.Start, h.Length)).ToList();
        Assert.Equal(["Chapter 1 of the ledger", "Chapter 2 of the ledger", "Chapter 3 of the ledger"], headings);
        foreach (var line in document.Text.Split('\n').Where(l => l.Contains("folio", StringComparison.Ordinal)))
        {
            Assert.Equal(FirstFolio(line), document.PageAt(document.Text.IndexOf(line, StringComparison.Ordinal)));
        }
    }

    [Fact]
    public async Task An_ingested_pdf_cites_each_chunk_on_its_page_and_its_chunks_point_into_the_text_loaded_whole()
    {
        using var folder = new TempFolder();
        var path = WritePdf(folder["ledger.pdf"], Pages, "zanzibarite");
        var options = new IngestOptions { Load = new LoadOptions { SectionChars = 8_000 } };
        using var index = LocalQaIndex.Open(folder.IndexPath);
        var progress = new List<IngestProgress>();

        var report = await new Ingestor(index, new Chunker()).IngestAsync([path], options, new SyncProgress(progress.Add), TestContext.Current.CancellationToken);

        Assert.Equal(1, report.Added);
        var sectionReports = progress.Where(p => p.CurrentBytes > 0).ToList();
        Assert.True(sectionReports.Count > 5, $"{sectionReports.Count} section reports");
        Assert.True(sectionReports.Select(p => p.CurrentBytesDone).SequenceEqual(sectionReports.Select(p => p.CurrentBytesDone).Order()), "progress never goes back");
        var whole = DocumentLoader.Load(path, cancellationToken: TestContext.Current.CancellationToken).Document!;
        var doc = Assert.Single(index.ListDocuments());
        Assert.Equal(whole.ContentHash, doc.ContentHash);
        Assert.Equal("Chapter 1 of the ledger", doc.Title);
        var chunks = index.GetNeighbours(doc.Id, 0, before: 0, after: doc.ChunkCount);
        Assert.Equal(doc.ChunkCount, chunks.Count);
        foreach (var chunk in chunks)
        {
            Assert.Equal(whole.Text.Substring(chunk.Start, chunk.Length), chunk.Text);
            Assert.Equal(whole.PageAt(chunk.Start), chunk.Page);
            Assert.Equal(FirstFolio(chunk.Text), chunk.Page);
            Assert.DoesNotContain("Ledger of the Harbour", chunk.Text, StringComparison.Ordinal);
        }

        Assert.Equal(Enumerable.Range(1, Pages), chunks.Select(c => c.Page!.Value).Distinct().Order());
        var hit = Assert.Single(Retriever.SearchFullText(index, "zanzibarite", 3));
        Assert.Equal(Pages, hit.Chunk.Page);
        Assert.True(index.IntegrityCheck().IsOk);
    }

    [Fact]
    public async Task A_pdf_stopped_half_way_leaves_the_previous_version_whole()
    {
        using var folder = new TempFolder();
        var path = WritePdf(folder["ledger.pdf"], 24, "oldmarker");
        var options = new IngestOptions { Load = new LoadOptions { SectionChars = 4_000 } };
        using var index = LocalQaIndex.Open(folder.IndexPath);
        var ingestor = new Ingestor(index, new Chunker());
        await ingestor.IngestAsync([path], options, null, TestContext.Current.CancellationToken);
        var before = Assert.Single(index.ListDocuments());

        WritePdf(path, Pages, "newmarker");
        using var stop = new CancellationTokenSource();
        var sections = 0;
        var progress = new SyncProgress(p =>
        {
            if (p.CurrentBytes > 0 && ++sections == 5) stop.Cancel();
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => ingestor.IngestAsync([path], options, progress, stop.Token));

        var after = Assert.Single(index.ListDocuments());
        Assert.Equal((before.ContentHash, before.ChunkCount, before.Title), (after.ContentHash, after.ChunkCount, after.Title));
        Assert.NotEmpty(Retriever.SearchFullText(index, "oldmarker", 3));
        Assert.Empty(Retriever.SearchFullText(index, "folio40", 3));
        Assert.True(index.IntegrityCheck().IsOk);

        var completed = await ingestor.IngestAsync([path], options, null, TestContext.Current.CancellationToken);
        Assert.Equal(1, completed.Updated);
        Assert.NotEmpty(Retriever.SearchFullText(index, "newmarker", 3));
        Assert.Empty(Retriever.SearchFullText(index, "oldmarker", 3));
    }

    /// <summary>
    /// Truncated and mutated copies of real PDFs (seeded; bounded by count, not by time) read a
    /// section at a time: nothing escapes, a damaged file is skipped naming it, and what is read is
    /// exactly what loading the file whole gives (one parser, whichever way it is read).
    /// </summary>
    [Fact]
    public void Damaged_pdfs_read_in_sections_are_skipped_naming_them_or_read_as_when_loaded_whole()
    {
        using var folder = new TempFolder();
        var random = new Random(61);
        var cases = 0;
        var read = 0;
        foreach (var source in new[] { TestDocumentFiles.TwoColumnPdf, TestDocumentFiles.ChromiumPdf, WritePdf(folder["ledger.pdf"], 30) })
        {
            var bytes = File.ReadAllBytes(source);
            for (var i = 0; i < 8; i++)
            {
                Check(folder.Write($"cut-{cases++}.pdf", bytes[..random.Next(bytes.Length / 4, bytes.Length)]));
                var mutated = (byte[])bytes.Clone();
                for (var k = random.Next(1, 40); k > 0; k--)
                {
                    mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                }

                Check(folder.Write($"mutated-{cases++}.pdf", mutated));
            }
        }

        // Some of the damaged copies still read: the comparison above was made, not only the skips.
        Assert.True(read > 0, "no damaged copy was readable");

        void Check(string path)
        {
            var sections = new List<DocumentSection>();
            var sectioned = DocumentLoader.LoadSections(path, sections.Add, cancellationToken: TestContext.Current.CancellationToken);
            var whole = DocumentLoader.Load(path, cancellationToken: TestContext.Current.CancellationToken);
            Assert.True(sectioned.IsLoaded || sectioned.SkipReason!.Contains(path, StringComparison.Ordinal), sectioned.SkipReason);
            Assert.Equal(whole.IsLoaded, sectioned.IsLoaded);
            if (whole.Document is { } document)
            {
                read++;
                Assert.Equal(document.Text, string.Join("\n\n", sections.Select(s => s.Text)));
                Assert.Equal(document.Title, sectioned.Title);
                Assert.Equal(document.Pages, sections.SelectMany(s => s.Pages.Select(p => p with { Start = (int)s.Offset + p.Start })).DistinctBy(p => p.Page));
            }
        }
    }

    /// <summary>Reports on the calling thread: <see cref="Progress{T}"/> would post to the thread pool.</summary>
    private sealed class SyncProgress(Action<IngestProgress> report) : IProgress<IngestProgress>
    {
        public void Report(IngestProgress value) => report(value);
    }
}
