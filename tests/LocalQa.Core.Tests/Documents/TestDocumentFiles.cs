namespace LocalQa.Core.Tests.Documents;

/// <summary>
/// The committed documents made by other tools (TestDocuments/make-test-documents.sh): tests read
/// these files, so they need neither groff, Chromium nor pandoc.
/// </summary>
internal static class TestDocumentFiles
{
    public static string Folder => Path.Combine(TestPaths.TestProjectFolder, "Documents", "TestDocuments");

    public static string TwoColumnPdf => Get("two-column-groff.pdf");

    public static string ChromiumPdf => Get("article-chromium.pdf");

    public static string ScannedPdf => Get("scanned.pdf");

    public static string EncryptedPdf => Get("encrypted.pdf");

    public static string Docx => Get("article.docx");

    public static string Epub => Get("article.epub");

    private static string Get(string name)
    {
        var path = Path.Combine(Folder, name);
        Assert.True(File.Exists(path), $"{path} is missing: it is committed; TestDocuments/make-test-documents.sh remakes it.");
        return path;
    }
}
