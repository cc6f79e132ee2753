using System.Diagnostics;
using System.Security.Cryptography;
using System.Text.Json;
using Microsoft.Data.Sqlite;

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
    public void An_empty_path_to_summarize_is_bad_input()
    {
        var r = _cli.Run("summarize", "");

        Assert.True(r.ExitCode == 2, r.Err);
        Assert.Contains("An empty path was given", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("internal error", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_binary_prompt_file_is_named_as_not_text_not_as_too_long()
    {
        var prompts = Directory.CreateDirectory(Path.Combine(_cli.Home, "prompts")).FullName;
        foreach (var file in Directory.GetFiles(Path.Combine(CliRunner.RepoRoot, "prompts")))
            File.Copy(file, Path.Combine(prompts, Path.GetFileName(file)));
        var binary = new byte[3000];
        new Random(5).NextBytes(binary);
        File.WriteAllBytes(Path.Combine(prompts, "answer.txt"), binary);

        var r = _cli.Run("ask", "What did the ferry carry?", "--prompts", prompts);

        Assert.True(r.ExitCode == 2, r.Err);
        Assert.Contains($"Prompt file '{Path.Combine(prompts, "answer.txt")}' is not a text file", r.Err, StringComparison.Ordinal);
        Assert.DoesNotContain("no room", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void Doctor_finds_a_sound_index_sound_and_leaves_it_as_it_was()
    {
        var index = IngestedIndex();
        var before = Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(index)));

        var r = _cli.Run("doctor", "--json");

        using var json = JsonDocument.Parse(r.Out);
        var checkedIndex = json.RootElement.GetProperty("index");
        Assert.Equal(index, checkedIndex.GetProperty("path").GetString());
        Assert.True(checkedIndex.GetProperty("ok").GetBoolean(), r.Out);
        Assert.Equal(before, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(index))));
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

    /// <summary>An index of the seed articles, closed (its log checkpointed into the file).</summary>
    private string IngestedIndex()
    {
        var r = _cli.Run("ingest", Path.Combine(CliRunner.RepoRoot, "seeds"));
        Assert.True(r.ExitCode == 0, r.Err);
        var index = Path.Combine(_cli.Home, "index.db");
        Assert.False(File.Exists(index + "-wal") && new FileInfo(index + "-wal").Length > 0, "the log was not checkpointed");
        return index;
    }

    private void AssertDamagedAndUntouched(string index, string before, params string[] verb)
    {
        // doctor says so too, reading the file only: the check to run before anything else.
        foreach (var args in new[] { verb, ["ingest", Path.Combine(CliRunner.RepoRoot, "seeds")], ["doctor"] })
        {
            var r = _cli.Run(args);
            var said = r.Err + r.Out;
            Assert.True(r.ExitCode == 2, $"{string.Join(' ', args)}: {r.ExitCode} {r.Err}");
            Assert.Contains($"The index '{index}' is damaged", said, StringComparison.Ordinal);
            Assert.Contains("ingest your folders again to build a new index", said, StringComparison.Ordinal);
            Assert.DoesNotContain("internal error", r.Err, StringComparison.Ordinal);
            Assert.Equal(before, Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(index))));
        }
    }

    [Fact]
    public void An_index_with_overwritten_pages_is_reported_as_damaged_and_left_alone()
    {
        var index = IngestedIndex();
        var bytes = File.ReadAllBytes(index);
        // Page 1 (the header and schema) stays readable; every other page is garbage.
        for (var i = 4096; i < bytes.Length; i++) bytes[i] ^= 0x5A;
        File.WriteAllBytes(index, bytes);

        AssertDamagedAndUntouched(index, Convert.ToHexString(SHA256.HashData(bytes)), "ask", "What did the ferry carry?");
    }

    [Fact]
    public void A_truncated_index_is_reported_as_damaged_and_left_alone()
    {
        var index = IngestedIndex();
        var bytes = File.ReadAllBytes(index)[..(File.ReadAllBytes(index).Length / 2)];
        File.WriteAllBytes(index, bytes);

        AssertDamagedAndUntouched(index, Convert.ToHexString(SHA256.HashData(bytes)), "ask", "What did the ferry carry?");
    }

    [Fact]
    public void An_index_whose_schema_version_was_set_back_is_reported_as_damaged()
    {
        var index = IngestedIndex();
        using (var c = new SqliteConnection($"Data Source={index};Pooling=False"))
        {
            c.Open();
            using var cmd = c.CreateCommand();
            cmd.CommandText = "PRAGMA journal_mode = DELETE; PRAGMA user_version = 1;";
            cmd.ExecuteNonQuery();
        }

        var r = _cli.Run("ask", "What did the ferry carry?");

        Assert.True(r.ExitCode == 2, r.Err);
        Assert.Contains("is damaged (it says schema version 1, but its tables are not that version's", r.Err, StringComparison.Ordinal);
    }

    [Fact]
    public void A_device_as_the_index_is_refused_before_SQLite_opens_it()
    {
        if (FileKindOfDevNullUnknown()) Assert.Skip("/dev/null is absent or this is not Linux.");

        var r = _cli.Run("ask", "What did the ferry carry?", "--index", "/dev/null");

        Assert.True(r.ExitCode == 2, r.Err);
        Assert.Contains("The index path '/dev/null' is a character device, not a regular file.", r.Err, StringComparison.Ordinal);
        Assert.False(File.Exists("/dev/null-journal"));
    }

    private static bool FileKindOfDevNullUnknown() => !OperatingSystem.IsLinux() || !File.Exists("/dev/null");

    [Fact]
    public void Chat_json_prints_sources_history_and_summaries_as_json_lines_too()
    {
        IngestedIndex();
        var article = Path.Combine(CliRunner.RepoRoot, "seeds", Directory.GetFiles(Path.Combine(CliRunner.RepoRoot, "seeds")).Select(Path.GetFileName).Order(StringComparer.Ordinal).First()!);

        var r = _cli.Run(["chat", "--json", "--extractive"], $"/sources\nWhat team did Erik Meijer lead at Meta?\n/sources\n/sources 7\n/history\n/summarize {article}\n");

        Assert.True(r.ExitCode == 0, r.Err);
        var lines = r.Out.Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => JsonDocument.Parse(l).RootElement).ToArray();
        Assert.Equal(6, lines.Length);
        Assert.Equal("sources", lines[0].GetProperty("command").GetString());
        Assert.Equal("no answer yet", lines[0].GetProperty("error").GetString());
        Assert.Equal(1, lines[1].GetProperty("turn").GetInt32());
        Assert.Equal("sources", lines[2].GetProperty("command").GetString());
        Assert.True(lines[2].GetProperty("sources").GetArrayLength() > 0);
        Assert.StartsWith("no turn 7", lines[3].GetProperty("error").GetString(), StringComparison.Ordinal);
        Assert.Equal("history", lines[4].GetProperty("command").GetString());
        Assert.Equal("What team did Erik Meijer lead at Meta?", lines[4].GetProperty("turns")[0].GetProperty("question").GetString());
        Assert.Equal("summarize", lines[5].GetProperty("command").GetString());
        Assert.Equal(1, lines[5].GetProperty("summaries").GetArrayLength());
    }
}
