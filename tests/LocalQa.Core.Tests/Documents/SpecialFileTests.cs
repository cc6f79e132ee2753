using System.Diagnostics;
using LocalQa.Core.Documents;
using Xunit;

namespace LocalQa.Core.Tests.Documents;

/// <summary>Issue 24, case 3: files that are not regular files, in a folder or named on their own.</summary>
public sealed class SpecialFileTests
{
    private const string Article = "# Ferries\n\nThe ferry crosses the bay every morning at seven.\n";

    internal static string MakeFifo(string path)
    {
        if (!OperatingSystem.IsLinux())
        {
            Assert.Skip("Named pipes are checked on Linux only.");
        }

        try
        {
            using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [path]) { UseShellExecute = false })!;
            mkfifo.WaitForExit();
            Assert.Equal(0, mkfifo.ExitCode);
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Skip("mkfifo is not installed (Debian package coreutils).");
        }

        return path;
    }

    [Fact]
    public void A_folder_with_a_named_pipe_and_a_link_to_a_device_loads_its_other_files_without_opening_them()
    {
        using var folder = new TempFolder();
        folder.Write("a.md", Article);
        var fifo = MakeFifo(folder["pipe.txt"]);
        var zero = folder["zero.md"];
        File.CreateSymbolicLink(zero, "/dev/zero");
        folder.Write("z.txt", "The lighthouse keeper lit the lamp at dusk.\n");

        // Were the pipe opened, this would wait for a writer forever; /dev/zero would never end.
        var results = DocumentLoader.LoadMany([folder.Path], cancellationToken: TestContext.Current.CancellationToken).ToList();

        Assert.Equal(2, results.Count(r => r.IsLoaded));
        Assert.Contains(results, r => r.SkipReason == $"{fifo}: skipped, it is a named pipe (FIFO), not a regular file.");
        Assert.Contains(results, r => r.SkipReason == $"{zero}: skipped, it is a character device, not a regular file.");
    }

    [Fact]
    public async Task A_named_pipe_named_on_its_own_is_read_as_a_stream()
    {
        using var folder = new TempFolder();
        var fifo = MakeFifo(folder["article.md"]);

        // Opening the pipe for writing waits for the loader to open it for reading: no clock involved.
        var writer = Task.Run(() => File.WriteAllText(fifo, Article), TestContext.Current.CancellationToken);
        var result = DocumentLoader.Load(fifo, cancellationToken: TestContext.Current.CancellationToken);
        await writer;

        Assert.True(result.IsLoaded, result.SkipReason);
        Assert.Equal("Ferries", result.Document!.Title);
    }

    [Fact]
    public void A_device_named_on_its_own_is_read_only_up_to_the_size_limit()
    {
        if (!File.Exists("/dev/zero"))
        {
            Assert.Skip("/dev/zero is absent.");
        }

        var result = DocumentLoader.Load("/dev/zero", new LoadOptions { MaxFileBytes = 1 << 20 }, TestContext.Current.CancellationToken);

        Assert.False(result.IsLoaded);
        Assert.Contains("more than the limit of 1,048,576 bytes", result.SkipReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Regular_files_and_folders_are_not_special()
    {
        using var folder = new TempFolder();
        var file = folder.Write("a.txt", "text");

        Assert.Null(FileKind.Special(file));
        Assert.Null(FileKind.Special(folder.Path));
        Assert.Null(FileKind.Special(folder["missing.txt"]));
    }
}
