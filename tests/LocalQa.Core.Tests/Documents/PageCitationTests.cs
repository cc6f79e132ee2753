using LocalQa.Core.Documents;
using LocalQa.Core.Index;
using LocalQa.Core.Tests.Index;
using Microsoft.Data.Sqlite;

namespace LocalQa.Core.Tests.Documents;

/// <summary>
/// Citations name the page a passage starts on where the document has pages (a PDF printed by groff
/// here), from the chunk through the index to the answer's sources and what a summary relates to;
/// documents without pages cite none. An index made before pages were kept forgets its PDFs' hashes
/// once, so the next ingest reads them again and their citations get pages.
/// </summary>
public sealed class PageCitationTests
{
    [Fact]
    public async Task An_answer_from_a_pdf_cites_the_page_its_passage_is_on()
    {
        using var folder = new TempFolder();
        var docs = folder.Sub("docs");
        var pdf = Path.Combine(docs, "tides.pdf");
        File.Copy(TestDocumentFiles.TwoColumnPdf, pdf);
        File.WriteAllText(Path.Combine(docs, "notes.txt"), "Keeper's notes\n\nThe Blyth lantern was cleaned on Tuesday by the harbour office.");
        var expected = DocumentLoader.Load(pdf).Document!;
        var lastPage = expected.PageAt(expected.Text.IndexOf("Record 35 comes", StringComparison.Ordinal));
        Assert.True(lastPage > 1, "the record is on a later page of the paper");

        using var qa = new LocalQaBuilder().WithIndex(folder.IndexPath).WithPrompts(IndexTestData.Prompts()).Build();
        await qa.IngestAsync([docs], cancellationToken: TestContext.Current.CancellationToken);
        var answer = await qa.AskAsync("Where does record 35 come from?", cancellationToken: TestContext.Current.CancellationToken);

        var cited = answer.Sources.First(s => s.Text.Contains("Record 35 comes", StringComparison.Ordinal));
        Assert.Equal(pdf, cited.Document);
        Assert.Equal(lastPage, cited.Page);
        // Every passage of the PDF names a page of it, and the search says the same as the answer.
        Assert.All(answer.Sources.Where(s => s.Document == pdf), s => Assert.InRange(s.Page!.Value, 1, expected.Pages[^1].Page));
        var found = await qa.SearchAsync("Record 35 comes from the tide gauge at Blyth", 1, TestContext.Current.CancellationToken);
        Assert.Equal(lastPage, found[0].Page);
        var notes = await qa.SearchAsync("lantern cleaned on Tuesday", 1, TestContext.Current.CancellationToken);
        Assert.EndsWith("notes.txt", notes[0].DocumentPath, StringComparison.Ordinal);
        Assert.Null(notes[0].Page);
    }

    [Fact]
    public async Task A_summary_relates_to_a_pdf_passage_with_its_page()
    {
        using var folder = new TempFolder();
        var docs = folder.Sub("docs");
        File.Copy(TestDocumentFiles.TwoColumnPdf, Path.Combine(docs, "tides.pdf"));
        using var qa = new LocalQaBuilder().WithIndex(folder.IndexPath).WithPrompts(IndexTestData.Prompts()).Build();
        await qa.IngestAsync([docs], cancellationToken: TestContext.Current.CancellationToken);

        var article = DocumentLoader.LoadText(string.Join("\n\n", Enumerable.Range(30, 6).Select(i =>
            $"Record {i} comes from the tide gauge at Blyth, which the harbour office read every morning at six.")), "new.txt").Document!;
        var summary = (await qa.SummarizeAsync([article], cancellationToken: TestContext.Current.CancellationToken))[0];

        var related = Assert.Single(summary.Related);
        Assert.NotNull(related.Page);
    }

    [Fact]
    public void An_index_from_before_pages_forgets_its_pdfs_hashes_so_the_next_ingest_reads_them_again()
    {
        using var folder = new TempFolder();
        using (var connection = IndexSchemaTests.OpenRaw(folder.IndexPath))
        {
            IndexMigrations.MigrateTo(connection, 2, IndexCreationOptions.Default);
            foreach (var path in new[] { "/docs/paper.PDF", "/docs/notes.txt" })
            {
                using var insert = connection.CreateCommand();
                insert.CommandText = "INSERT INTO documents(path, title, content_hash, size, modified, ingested) VALUES ($path, 't', 'abc', 1, 0, 0)";
                insert.Parameters.AddWithValue("$path", path);
                insert.ExecuteNonQuery();
            }
        }

        using var index = LocalQaIndex.Open(folder.IndexPath);

        var documents = index.ListDocuments().ToDictionary(d => d.Path);
        Assert.Equal("", documents["/docs/paper.PDF"].ContentHash);
        Assert.Equal("abc", documents["/docs/notes.txt"].ContentHash);
        Assert.True(index.IntegrityCheck().IsOk);
    }
}
