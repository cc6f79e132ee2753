using System.Diagnostics;

namespace LocalQa.Cli.Tests;

/// <summary>Issue 24: bad files, paths and settings given to the real <c>localqa</c>.</summary>
public sealed class BadInputFilesCliTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private string Library(params (string Name, string Text)[] files)
    {
        var library = Directory.CreateDirectory(Path.Combine(_cli.Home, "library")).FullName;
        foreach (var (name, text) in files) File.WriteAllText(Path.Combine(library, name), text);
        return library;
    }

    [Fact]
    public void An_empty_path_to_ingest_is_bad_input()
    {
        var r = _cli.Run("ingest", "");

        Assert.True(r.ExitCode == 2, r.Err);
        Assert.Contains("An empty path was given", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_with_a_named_pipe_a_device_link_and_deep_nesting_ingests_its_other_files()
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("Named pipes are checked on Linux only.");
        var library = Library(
            ("a.md", "# Ferries\n\nThe ferry crosses the bay every morning at seven.\n"),
            ("deep.md", new string('>', 200) + " Quoted far down.\n"),
            ("list.md", string.Concat(Enumerable.Range(0, 150).Select(i => new string(' ', 2 * i) + "- item\n"))),
            ("divs.html", string.Concat(Enumerable.Repeat("<div>", 20_000)) + "Deep in the page." + string.Concat(Enumerable.Repeat("</div>", 20_000))),
            ("z.txt", "The lighthouse keeper lit the lamp at dusk.\n"));
        try
        {
            using var mkfifo = Process.Start(new ProcessStartInfo("mkfifo", [Path.Combine(library, "pipe.txt")]) { UseShellExecute = false })!;
            mkfifo.WaitForExit();
        }
        catch (System.ComponentModel.Win32Exception)
        {
            Assert.Skip("mkfifo is not installed (Debian package coreutils).");
        }
        File.CreateSymbolicLink(Path.Combine(library, "zero.md"), "/dev/zero");

        var r = _cli.Run("ingest", library);

        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("5 added", r.Out, StringComparison.Ordinal);
        Assert.Contains("pipe.txt: skipped, it is a named pipe (FIFO), not a regular file.", r.Err, StringComparison.Ordinal);
        Assert.Contains("zero.md: skipped, it is a character device, not a regular file.", r.Err, StringComparison.Ordinal);
        Assert.Contains("deep.md: its Markdown nests", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Summarize_reads_dev_stdin_from_a_pipe()
    {
        if (!File.Exists("/dev/stdin")) Assert.Skip("/dev/stdin is absent.");

        // CliRunner gives the child a pipe as its standard input.
        var r = _cli.Run(["summarize", "/dev/stdin"], "The ferry crosses the bay every morning at seven. It carries cars and bicycles.\n");

        Assert.True(r.ExitCode == 0, r.Err);
        Assert.Contains("ferry", r.Out, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("--threads", "100000")]
    [InlineData("--context", "99999999")]
    public void A_setting_past_its_upper_bound_is_bad_input_before_the_engine_starts(string flag, string value)
    {
        var r = _cli.Run("config", "show", flag, value);

        Assert.True(r.ExitCode == 2, r.Err);
        Assert.Contains($"{flag} is {value}; it must be at most", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_many_threads_from_the_environment_is_bad_input_during_ingest()
    {
        var library = Library(("a.txt", "The ferry crosses the bay every morning at seven.\n"));

        var r = _cli.Run(["ingest", library], null, new Dictionary<string, string?> { ["LOCALQA_THREADS"] = "100000" });

        Assert.True(r.ExitCode == 2, r.Err);
        Assert.Contains("LOCALQA_THREADS is 100000; it must be at most 512.", r.Err, StringComparison.Ordinal);
    }
}
