using System.Text.RegularExpressions;
using LocalQa.Core.Documents;
using UglyToad.PdfPig;

namespace LocalQa.Core.Tests.Documents;

public sealed class PdfLoaderTests
{
    // In two-column-groff.pdf this sentence starts at the foot of the left column of page 1 and ends
    // at the top of the right column, hyphenating "Morwick" on the way (the first test checks that it
    // still does).
    private const string CrossingSentence =
        "For record 3 the keepers at Morwick wrote the height of the morning tide beside the direction of the wind, the state of the sea " +
        "and the number of vessels waiting outside the bar, and on the days when fog hid the gauge they estimated the height from the " +
        "marks on the quay wall, noting that the figure was uncertain so that later readers would not mistake it for a measurement " +
        "taken at the staff itself.";

    private static Document LoadPdf(string path)
    {
        var result = DocumentLoader.Load(path);
        Assert.True(result.IsLoaded, result.SkipReason);
        Assert.Equal(DocumentFormat.Pdf, result.Format);
        return result.Document!;
    }

    [Fact]
    public void The_sentence_used_below_really_crosses_the_column_break()
    {
        using var pdf = PdfDocument.Open(TestDocumentFiles.TwoColumnPdf);
        var page = pdf.GetPage(1);
        var middle = page.Width / 2;
        var words = page.GetWords().ToList();
        var start = words.FindIndex(w => w.Text == "record" && words.IndexOf(w) + 1 < words.Count && words[words.IndexOf(w) + 1].Text == "3");
        Assert.True(start > 0, "the sentence is not on page 1");
        Assert.True(words[start].BoundingBox.Right < middle, "the sentence should start in the left column");
        var end = words.FindIndex(start, w => w.Text == "itself.");
        Assert.True(end > start && words[end].BoundingBox.Left > middle, "the sentence should end in the right column");
    }

    [Fact]
    public void A_two_column_page_is_read_column_by_column_and_a_sentence_across_the_break_comes_out_whole()
    {
        var document = LoadPdf(TestDocumentFiles.TwoColumnPdf);

        Assert.Contains(CrossingSentence, document.Text.Split('\n').Single(l => l.Contains(CrossingSentence, StringComparison.Ordinal)), StringComparison.Ordinal);
        var records = Regex.Matches(document.Text, @"Record (\d+) comes").Select(m => int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture)).ToList();
        Assert.Equal(Enumerable.Range(0, 36), records);
    }

    [Fact]
    public void Running_headers_footers_and_page_numbers_are_removed()
    {
        var groff = LoadPdf(TestDocumentFiles.TwoColumnPdf);
        Assert.DoesNotContain("Northern Coast Tides, 1851", groff.Text, StringComparison.Ordinal);
        Assert.DoesNotContain("Working paper 12", groff.Text, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?m)^Page \d+$", groff.Text);
        Assert.StartsWith("Tidal Records of the Northern Coast", groff.Text, StringComparison.Ordinal);

        // Chromium's own header and footer: the date and title, the file's URL and "1/3".
        var chromium = LoadPdf(TestDocumentFiles.ChromiumPdf);
        Assert.DoesNotContain("file://", chromium.Text, StringComparison.Ordinal);
        Assert.DoesNotMatch(@"(?m)^\d+/\d+$", chromium.Text);
        Assert.Single(Regex.Matches(chromium.Text, "Lighthouses of the Northern Coast"));
    }

    [Fact]
    public void Every_block_keeps_its_page()
    {
        var document = LoadPdf(TestDocumentFiles.TwoColumnPdf);

        Assert.Equal(1, document.Pages[0].Page);
        Assert.True(document.Pages.Count >= 2, "the paper has several pages");
        Assert.Equal(1, document.PageAt(document.Text.IndexOf("Record 0 comes", StringComparison.Ordinal)));
        var lastPage = document.PageAt(document.Text.IndexOf("Record 35 comes", StringComparison.Ordinal));
        Assert.Equal(document.Pages[^1].Page, lastPage);
        Assert.True(lastPage > 1);
        Assert.Equal(Enumerable.Range(1, document.Pages.Count), document.Pages.Select(p => p.Page));
    }

    [Fact]
    public void Headings_come_from_font_sizes_and_the_title_from_the_document_information()
    {
        var document = LoadPdf(TestDocumentFiles.ChromiumPdf);
        var headings = document.Headings.ToDictionary(h => document.Text.Substring(h.Start, h.Length), h => h.Level);

        Assert.Equal("Lighthouses of the Northern Coast", document.Title);
        Assert.True(headings.ContainsKey("Early Lights"), string.Join(" / ", headings.Keys));
        Assert.True(headings.ContainsKey("The Range Lights of Fenwick"), string.Join(" / ", headings.Keys));
        Assert.True(headings["Early Lights"] < headings["The Range Lights of Fenwick"]);
        Assert.DoesNotContain(headings.Keys, h => h.StartsWith("The first light", StringComparison.Ordinal));
    }

    [Fact]
    public void Words_hyphenated_at_a_line_end_are_joined()
    {
        Assert.Equal("recorded at dawn", PdfParser.JoinLines(["recor-", "ded at dawn"]));
        Assert.Equal("the north- East wind", PdfParser.JoinLines(["the north-", "East wind"]));

        // groff hyphenates freely in narrow columns; none of its breaks is left in the text.
        var document = LoadPdf(TestDocumentFiles.TwoColumnPdf);
        Assert.DoesNotMatch(@"\p{Ll}- \p{Ll}", document.Text);
    }

    [Fact]
    public void Ligatures_and_odd_spaces_are_normalized()
    {
        Assert.Equal("find the flow of the office", PdfParser.Normalize("\uFB01nd the \uFB02ow of the o\uFB03ce"));
        Assert.Equal("a b c d", PdfParser.Normalize("a\u2009b\u00A0c\u200B \u3000d"));

        var document = LoadPdf(TestDocumentFiles.TwoColumnPdf);
        Assert.Contains("the figure was uncertain", document.Text, StringComparison.Ordinal);
        Assert.DoesNotContain('\uFB01', document.Text);
    }

    [Fact]
    public void A_scanned_pdf_without_a_text_layer_is_skipped_with_a_reason_naming_it()
    {
        var result = DocumentLoader.Load(TestDocumentFiles.ScannedPdf);

        Assert.False(result.IsLoaded);
        Assert.Contains(TestDocumentFiles.ScannedPdf, result.SkipReason, StringComparison.Ordinal);
        Assert.Contains("no text layer; OCR is not supported", result.SkipReason, StringComparison.Ordinal);
        Assert.Empty(result.Warnings);
    }

    [Fact]
    public void An_encrypted_pdf_is_skipped_with_a_reason_naming_it()
    {
        var result = DocumentLoader.Load(TestDocumentFiles.EncryptedPdf);

        Assert.False(result.IsLoaded);
        Assert.Contains(TestDocumentFiles.EncryptedPdf, result.SkipReason, StringComparison.Ordinal);
        Assert.Contains("encrypted", result.SkipReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_file_named_pdf_that_is_not_one_is_skipped_naming_it()
    {
        using var folder = new TempFolder();
        var path = folder.Write("notes.pdf", "just some words, not a PDF");

        var result = DocumentLoader.Load(path);

        Assert.False(result.IsLoaded);
        Assert.Contains(path, result.SkipReason, StringComparison.Ordinal);
        Assert.Contains("not a readable PDF", result.SkipReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Text_given_under_a_pdf_name_is_read_as_plain_text()
    {
        var result = DocumentLoader.LoadText("Pasted words from a report.", "pasted.pdf");

        Assert.True(result.IsLoaded, result.SkipReason);
        Assert.Equal(DocumentFormat.PlainText, result.Format);
        Assert.Equal("Pasted words from a report.", result.Document!.Text);
    }

    /// <summary>
    /// Truncated and mutated copies of real PDFs (seeded; bounded by count and size, not by time):
    /// each loads or is skipped with a reason naming it, and nothing escapes.
    /// </summary>
    [Fact]
    public void Truncated_and_mutated_pdfs_never_throw()
    {
        using var folder = new TempFolder();
        var random = new Random(27);
        var cases = 0;
        foreach (var source in new[] { TestDocumentFiles.TwoColumnPdf, TestDocumentFiles.ChromiumPdf })
        {
            var bytes = File.ReadAllBytes(source);
            for (var i = 0; i < 12; i++)
            {
                var truncated = bytes[..random.Next(0, bytes.Length)];
                Check(folder.Write($"cut-{cases++}.pdf", truncated));

                var mutated = (byte[])bytes.Clone();
                for (var k = random.Next(1, 40); k > 0; k--)
                {
                    mutated[random.Next(mutated.Length)] = (byte)random.Next(256);
                }

                Check(folder.Write($"mutated-{cases++}.pdf", mutated));
            }
        }

        static void Check(string path)
        {
            var result = DocumentLoader.Load(path);
            Assert.True(result.IsLoaded || result.SkipReason!.Contains(path, StringComparison.Ordinal), result.SkipReason);
        }
    }
}
