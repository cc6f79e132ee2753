using System.IO.Compression;
using System.Text;
using LocalQa.Core.Documents;

namespace LocalQa.Core.Tests.Documents;

public sealed class DocxAndEpubLoaderTests
{
    private static Document LoadAs(string path, DocumentFormat format)
    {
        var result = DocumentLoader.Load(path);
        Assert.True(result.IsLoaded, result.SkipReason);
        Assert.Equal(format, result.Format);
        return result.Document!;
    }

    private static Dictionary<string, int> Headings(Document document) =>
        document.Headings.GroupBy(h => document.Text.Substring(h.Start, h.Length)).ToDictionary(g => g.Key, g => g.First().Level);

    [Fact]
    public void Word_heading_styles_become_headings_with_their_levels()
    {
        var document = LoadAs(TestDocumentFiles.Docx, DocumentFormat.Docx);
        var headings = Headings(document);

        Assert.Equal("Lighthouses of the Northern Coast", document.Title);
        Assert.Equal(1, headings["Early Lights"]);
        Assert.Equal(1, headings["Oil and Lenses"]);
        Assert.Equal(2, headings["The Range Lights of Fenwick"]);
        Assert.Contains("Whale oil replaced candles in 1790", document.Text, StringComparison.Ordinal);
    }

    [Fact]
    public void Word_tables_are_table_rows_not_sentences()
    {
        var document = LoadAs(TestDocumentFiles.Docx, DocumentFormat.Docx);

        var rows = document.Blocks.Where(b => b.Kind == BlockKind.TableRow).Select(b => document.Text.Substring(b.Start, b.Length)).ToList();
        Assert.Equal(["Station | First lit | Height (m) | Range (miles)", "Kelmsby | 1671 | 34 | 20", "Fenwick | 1862 | 18 | 12", "Carrow | 1905 | 41 | 24"], rows);
    }

    [Fact]
    public void Word_footnotes_are_kept_and_comments_and_tracked_deletions_left_out()
    {
        var document = LoadAs(TestDocumentFiles.Docx, DocumentFormat.Docx);

        Assert.Contains("oldest surviving logbook of the station.[1]", document.Text, StringComparison.Ordinal);
        Assert.Contains("[1] The logbook is held in the county archive at Morwick, catalogue number KL/7/1.", document.Text, StringComparison.Ordinal);
        Assert.Contains("The society thanks the county archive for access to the logbooks.", document.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Ask the archive which name it prefers", document.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("disputed pamphlet", document.Text, StringComparison.Ordinal);
        Assert.Contains("first lit in 1671, according to the harbour accounts.", document.Text, StringComparison.Ordinal);
    }

    /// <summary>
    /// Markup pandoc does not write: plain text runs inside a tracked deletion or a move's source,
    /// and a drawing's fallback copy of text its preferred form already holds.
    /// </summary>
    [Fact]
    public void Word_text_deleted_moved_away_or_repeated_in_a_fallback_is_left_out()
    {
        using var folder = new TempFolder();
        var path = folder["edited.docx"];
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            Add(zip, "[Content_Types].xml", """<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>""");
            Add(zip, "_rels/.rels", """<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="r1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="word/document.xml"/></Relationships>""");
            Add(zip, "word/document.xml", """
                <?xml version="1.0"?>
                <w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main" xmlns:mc="http://schemas.openxmlformats.org/markup-compatibility/2006"><w:body>
                <w:p><w:r><w:t xml:space="preserve">Kept words </w:t></w:r><w:del w:id="1" w:author="A"><w:r><w:t>deleted words </w:t></w:r></w:del><w:moveFrom w:id="2" w:author="A"><w:r><w:t>moved-away words </w:t></w:r></w:moveFrom><w:moveTo w:id="3" w:author="A"><w:r><w:t xml:space="preserve">moved-here words </w:t></w:r></w:moveTo><w:r><w:t>end.</w:t></w:r></w:p>
                <w:p><mc:AlternateContent><mc:Choice Requires="wps"><w:r><w:t>Preferred copy.</w:t></w:r></mc:Choice><mc:Fallback><w:r><w:t>Fallback copy.</w:t></w:r></mc:Fallback></mc:AlternateContent></w:p>
                </w:body></w:document>
                """);
        }

        var document = LoadAs(path, DocumentFormat.Docx);

        Assert.Equal("Kept words moved-here words end.\n\nPreferred copy.", document.Text);
    }

    [Fact]
    public void Epub_chapters_are_read_in_spine_order_with_their_titles_as_headings()
    {
        var document = LoadAs(TestDocumentFiles.Epub, DocumentFormat.Epub);
        var headings = Headings(document);

        Assert.Equal("Lighthouses of the Northern Coast", document.Title);
        var early = document.Text.IndexOf("The first light on the northern coast", StringComparison.Ordinal);
        var oil = document.Text.IndexOf("Whale oil replaced candles", StringComparison.Ordinal);
        var electric = document.Text.IndexOf("Carrow Point received the first electric light", StringComparison.Ordinal);
        Assert.True(early >= 0 && early < oil && oil < electric);
        Assert.Equal("Early Lights", document.HeadingAt(early));
        Assert.Equal("Electric Light", document.HeadingAt(electric));
        Assert.Equal(1, headings["Oil and Lenses"]);

        // The navigation document lists every chapter again; it is not read as a chapter.
        Assert.Single(document.Headings, h => document.Text.Substring(h.Start, h.Length) == "Early Lights");
    }

    [Fact]
    public void Epub_spine_order_wins_over_the_order_of_files_and_chapters_without_a_heading_take_the_toc_title()
    {
        using var folder = new TempFolder();
        var path = folder["book.epub"];
        using (var zip = ZipFile.Open(path, ZipArchiveMode.Create))
        {
            Add(zip, "mimetype", "application/epub+zip");
            Add(zip, "META-INF/container.xml", """<?xml version="1.0"?><container version="1.0" xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles><rootfile full-path="OEBPS/content.opf" media-type="application/oebps-package+xml"/></rootfiles></container>""");
            Add(zip, "OEBPS/content.opf", """
                <?xml version="1.0"?>
                <package xmlns="http://www.idpf.org/2007/opf" version="3.0"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/"><dc:title>Two Chapters</dc:title></metadata>
                <manifest><item id="a" href="text/a.xhtml" media-type="application/xhtml+xml"/><item id="b" href="text/b.xhtml" media-type="application/xhtml+xml"/>
                <item id="nav" href="nav.xhtml" media-type="application/xhtml+xml" properties="nav"/></manifest>
                <spine><itemref idref="b"/><itemref idref="a"/></spine></package>
                """);
            Add(zip, "OEBPS/nav.xhtml", """<html xmlns:epub="http://www.idpf.org/2007/ops"><body><nav epub:type="toc"><ol><li><a href="text/b.xhtml">The Second File First</a></li><li><a href="text/a.xhtml#top">The First File Last</a></li></ol></nav></body></html>""");
            Add(zip, "OEBPS/text/a.xhtml", "<html><head><title>Two Chapters</title></head><body><p>Text of the file listed first in the archive.</p></body></html>");
            Add(zip, "OEBPS/text/b.xhtml", "<html><head><title>Two Chapters</title></head><body><p>Text of the file the spine reads first.</p></body></html>");
        }

        var document = LoadAs(path, DocumentFormat.Epub);

        Assert.Equal(
            "The Second File First\n\nText of the file the spine reads first.\n\nThe First File Last\n\nText of the file listed first in the archive.",
            document.Text);
        Assert.Equal(2, document.Headings.Count);
        Assert.Equal("Two Chapters", document.Title);

    }

    private static void Add(ZipArchive zip, string name, string text)
    {
        using var stream = zip.CreateEntry(name).Open();
        stream.Write(Encoding.UTF8.GetBytes(text));
    }

    [Theory]
    [InlineData("article.docx")]
    [InlineData("article.epub")]
    public void A_damaged_word_or_epub_file_is_skipped_naming_it(string name)
    {
        using var folder = new TempFolder();
        var bytes = File.ReadAllBytes(Path.Combine(TestDocumentFiles.Folder, name));
        var random = new Random(5);
        for (var i = 0; i < 8; i++)
        {
            var cut = folder.Write($"cut-{i}{Path.GetExtension(name)}", bytes[..random.Next(0, bytes.Length)]);
            var result = DocumentLoader.Load(cut);
            Assert.True(result.IsLoaded || result.SkipReason!.Contains(cut, StringComparison.Ordinal), result.SkipReason);
        }

        var garbage = folder.Write("garbage" + Path.GetExtension(name), "plain words, not a zip");
        var skipped = DocumentLoader.Load(garbage);
        Assert.False(skipped.IsLoaded);
        Assert.Contains(garbage, skipped.SkipReason, StringComparison.Ordinal);
    }
}
