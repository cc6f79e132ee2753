using LocalQa.Core.Chunking;
using LocalQa.Core.Documents;
using LocalQa.Core.Documents.Cleaning;
using LocalQa.Core.Index;
using LocalQa.Core.Ingest;

namespace LocalQa.Core.Tests.Documents;

public sealed class PackagedFolderIngestTests
{
    [Fact]
    public async Task A_folder_of_pdf_word_and_epub_files_is_ingested_and_the_scan_and_the_encrypted_file_each_get_one_warning()
    {
        using var folder = new TempFolder();
        var docs = folder.Sub("docs");
        foreach (var file in Directory.GetFiles(TestDocumentFiles.Folder).Where(f => Path.GetExtension(f) is ".pdf" or ".docx" or ".epub"))
        {
            File.Copy(file, Path.Combine(docs, Path.GetFileName(file)));
        }

        File.WriteAllText(Path.Combine(docs, "notes.txt"), "Keeper's notes\n\nThe Kelmsby lantern was cleaned on Tuesday.");
        var scanned = Path.Combine(docs, "scanned.pdf");
        var encrypted = Path.Combine(docs, "encrypted.pdf");

        using var index = LocalQaIndex.Open(folder.IndexPath);
        var report = await new Ingestor(index, new Chunker()).IngestAsync([docs]);

        // two-column-groff.pdf, article-chromium.pdf, article.docx, article.epub and notes.txt.
        Assert.Equal(5, report.Added);
        Assert.Equal(2, report.Skipped);
        var scanWarning = Assert.Single(report.Warnings, w => w.Path == scanned);
        Assert.Contains("no text layer; OCR is not supported", scanWarning.Message, StringComparison.Ordinal);
        Assert.Single(report.Warnings, w => w.Path == encrypted);
        Assert.Equal(2, report.Warnings.Count);
        Assert.Equal(5, index.Stats().Documents);
    }

    [Fact]
    public void Pages_survive_decomposing_and_cleaning_across_documents()
    {
        List<TextBlock> blocks =
        [
            new("A heading on page one", BlockKind.Heading, 1) { Page = 1 },
            new("A paragraph that says something about the first page of the report.") { Page = 1 },
            new("Shared boilerplate paragraph repeated in every document of the corpus here.") { Page = 2 },
            new("The paragraph on the third page that only this document has to say.") { Page = 3 },
        ];
        var (text, headings, spans, pages) = DocumentText.Compose(blocks);
        var paged = new Document("a.pdf", "A", text, "", 0, default) { Headings = headings, Blocks = spans, Pages = pages };
        Assert.Equal([new PageSpan(0, 1), new PageSpan(text.IndexOf("Shared", StringComparison.Ordinal), 2), new PageSpan(text.IndexOf("The paragraph on the third", StringComparison.Ordinal), 3)], paged.Pages);
        Assert.Equal([1, 1, 2, 3], DocumentText.Decompose(paged).Select(b => b.Page));

        var other = DocumentLoader.LoadText("Other\n\nShared boilerplate paragraph repeated in every document of the corpus here.\n\nSomething else entirely.", "b.txt").Document!;
        var cleaned = CorpusCleaner.RemoveRepeatedParagraphs([paged, other], minDocuments: 2).Documents[0];

        Assert.DoesNotContain("Shared boilerplate", cleaned.Text, StringComparison.Ordinal);
        Assert.Equal(3, cleaned.PageAt(cleaned.Text.IndexOf("The paragraph on the third", StringComparison.Ordinal)));
        Assert.Equal(1, cleaned.PageAt(0));
    }
}
