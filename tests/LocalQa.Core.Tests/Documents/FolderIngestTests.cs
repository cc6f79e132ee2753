using System.Runtime.Versioning;
using LocalQa.Core.Documents;
using LocalQa.Llama;
using Xunit;

namespace LocalQa.Core.Tests.Documents;

public sealed class FolderIngestTests
{
    [Fact]
    public void Enumerates_supported_files_recursively_in_a_stable_order_and_skips_hidden_entries()
    {
        using var folder = new TempFolder();
        folder.Write("b.txt", "B");
        folder.Write("a.md", "# A");
        folder.Write("sub/c.html", "<p>C</p>");
        folder.Write("sub/deeper/d.htm", "<p>D</p>");
        folder.Write("sub/image.png", [0x89, (byte)'P']);
        folder.Write("notes.log", "not picked from a folder");
        folder.Write(".git/config.txt", "hidden");
        folder.Write(".hidden.txt", "hidden");

        var found = DocumentLoader.EnumerateFiles([folder.Path]);

        Assert.Equal(
            ["a.md", "b.txt", Path.Combine("sub", "c.html"), Path.Combine("sub", "deeper", "d.htm")],
            found.Files.Select(f => Path.GetRelativePath(folder.Path, f)));
        Assert.Empty(found.Warnings);
    }

    [Fact]
    public void An_explicit_file_is_taken_whatever_its_extension_and_only_once()
    {
        using var folder = new TempFolder();
        var log = folder.Write("notes.log", "Plain words.");
        var txt = folder.Write("a.txt", "A");

        var found = DocumentLoader.EnumerateFiles([log, folder.Path, txt]);

        Assert.Equal([log, txt], found.Files);
    }

    [Fact]
    public void A_missing_path_is_a_user_error_that_names_it()
    {
        using var folder = new TempFolder();
        var missing = Path.Combine(folder.Path, "nope");

        var error = Assert.Throws<InvalidInputException>(() => DocumentLoader.EnumerateFiles([folder.Path, missing]));

        Assert.Contains(missing, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Loading_a_folder_reports_each_file_and_skips_binaries_without_stopping()
    {
        using var folder = new TempFolder();
        folder.Write("1-good.txt", "First Article\n\nSome text about Meta.");
        var pdf = folder.Write("2-paper.txt", [.. "%PDF-1.4\n"u8, 0, 1, 2]);
        folder.Write("3-good.md", "# Second Article\n\nMore text.");
        var empty = folder.Write("4-empty.txt", "");

        var results = DocumentLoader.LoadMany([folder.Path], cancellationToken: TestContext.Current.CancellationToken).ToList();

        Assert.Equal(4, results.Count);
        Assert.Equal(["First Article", "Second Article"], results.Where(r => r.IsLoaded).Select(r => r.Document!.Title));
        var skipped = results.Where(r => !r.IsLoaded).ToList();
        Assert.Equal([pdf, empty], skipped.Select(r => r.Path));
        Assert.Contains("PDF", skipped[0].SkipReason, StringComparison.Ordinal);
        Assert.Contains(pdf, skipped[0].SkipReason, StringComparison.Ordinal);
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void An_unreadable_folder_becomes_a_warning_that_names_it()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix permissions are needed to make a folder unreadable.");
        }

        using var folder = new TempFolder();
        folder.Write("ok.txt", "Readable text.");
        var locked = Path.Combine(folder.Path, "locked");
        folder.Write("locked/secret.txt", "Unreadable text.");
        File.SetUnixFileMode(locked, UnixFileMode.None);
        try
        {
            if (CanList(locked))
            {
                Assert.Skip("Running with privileges that ignore folder permissions (root).");
            }

            var found = DocumentLoader.EnumerateFiles([folder.Path]);
            var results = DocumentLoader.LoadMany([folder.Path], cancellationToken: TestContext.Current.CancellationToken).ToList();

            Assert.Equal([Path.Combine(folder.Path, "ok.txt")], found.Files);
            var warning = Assert.Single(found.Warnings);
            Assert.Equal(locked, warning.Path);
            Assert.Contains(locked, warning.Message, StringComparison.Ordinal);
            Assert.Contains(results, r => !r.IsLoaded && r.Path == locked);
            Assert.Contains(results, r => r.IsLoaded);
        }
        finally
        {
            File.SetUnixFileMode(locked, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public void An_unreadable_file_is_skipped_with_a_reason_that_names_it()
    {
        if (OperatingSystem.IsWindows())
        {
            Assert.Skip("Unix permissions are needed to make a file unreadable.");
        }

        using var folder = new TempFolder();
        var path = folder.Write("secret.txt", "Unreadable text.");
        File.SetUnixFileMode(path, UnixFileMode.None);
        if (CanRead(path))
        {
            Assert.Skip("Running with privileges that ignore file permissions (root).");
        }

        var result = DocumentLoader.Load(path, cancellationToken: TestContext.Current.CancellationToken);
        var found = DocumentLoader.EnumerateFiles([folder.Path]);
        var all = DocumentLoader.LoadMany([folder.Path], cancellationToken: TestContext.Current.CancellationToken).ToList();

        Assert.False(result.IsLoaded);
        Assert.Contains(path, result.SkipReason, StringComparison.Ordinal);
        Assert.Contains("permission denied", result.SkipReason, StringComparison.Ordinal);
        Assert.Empty(found.Files);
        Assert.Equal(path, Assert.Single(found.Warnings).Path);
        Assert.Contains("permission denied", Assert.Single(all).SkipReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symbolic_link_cycle_does_not_loop_forever()
    {
        using var folder = new TempFolder();
        folder.Write("sub/a.txt", "A");
        try
        {
            Directory.CreateSymbolicLink(Path.Combine(folder.Path, "sub", "loop"), folder.Path);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            Assert.Skip("Symbolic links cannot be created here: " + ex.Message);
        }

        var found = DocumentLoader.EnumerateFiles([folder.Path]);

        Assert.Equal([Path.Combine(folder.Path, "sub", "a.txt")], found.Files);
    }

    private static bool CanList(string folder)
    {
        try
        {
            _ = Directory.GetFileSystemEntries(folder);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }

    private static bool CanRead(string file)
    {
        try
        {
            using var stream = File.OpenRead(file);
            return true;
        }
        catch (UnauthorizedAccessException)
        {
            return false;
        }
    }
}
