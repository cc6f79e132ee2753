using System.Diagnostics;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using System.Threading.Channels;
using LocalQa.Core.Index;

namespace LocalQa.Cli.Tests;

/// <summary>
/// <c>localqa ingest --watch</c> as a user runs it: a real child process, real files, the index read
/// back. Every wait is for an event: the child's line after each sync, then the index compared with
/// the folder; a machine of any speed takes one sync or several to get there, and the test waits
/// for the state, not for a number of syncs or a time (the debounce is made tiny only so the run is short).
/// </summary>
public sealed class WatchCliTests : IDisposable
{
    private readonly CliRunner _cli = new();

    public void Dispose() => _cli.Dispose();

    private string NewFolder(string name) => Directory.CreateDirectory(Path.Combine(_cli.Home, name)).FullName;

    private string IndexPath => Path.Combine(_cli.Home, "watch.db");

    private static string Article(int n) =>
        $"Article {n.ToString(CultureInfo.InvariantCulture)} is about the harbour of Tarnby, its {n.ToString(CultureInfo.InvariantCulture)} boats and the people who sail them.\n";

    [Fact]
    public async Task On_start_it_catches_up_with_what_changed_while_it_was_not_running()
    {
        var dir = NewFolder("library");
        File.WriteAllText(Path.Combine(dir, "a.txt"), Article(1));
        File.WriteAllText(Path.Combine(dir, "b.txt"), Article(2));
        File.WriteAllText(Path.Combine(dir, "c.txt"), Article(3));
        var first = _cli.Run("ingest", dir, "--index", IndexPath);
        Assert.True(first.ExitCode == 0, first.Err);
        File.WriteAllText(Path.Combine(dir, "b.txt"), Article(20));
        File.Delete(Path.Combine(dir, "c.txt"));
        File.WriteAllText(Path.Combine(dir, "d.txt"), Article(4));

        using var watch = Watching.Start(_cli, dir, IndexPath);
        var catchUp = await watch.NextAsync();

        Assert.Equal("catch_up", (string?)catchUp["event"]);
        Assert.Equal((1, 1, 1, 1), ((int)catchUp["added"]!, (int)catchUp["updated"]!, (int)catchUp["unchanged"]!, (int)catchUp["removed"]!));
        Assert.Equal(Folder.State(dir), Folder.Indexed(IndexPath));
    }

    [Fact]
    public async Task New_changed_and_deleted_files_and_folders_are_synced_one_line_each()
    {
        var dir = NewFolder("library");
        File.WriteAllText(Path.Combine(dir, "a.txt"), Article(1));
        using var watch = Watching.Start(_cli, dir, IndexPath);
        Assert.Equal(1, (int)(await watch.NextAsync())["added"]!);

        File.WriteAllText(Path.Combine(dir, "new.md"), "# Boats\n\n" + Article(2));
        var syncs = await watch.UntilIndexEqualsAsync(dir, "added", 1);
        Assert.Equal(1, syncs.Sum(s => (int)s["added"]!));
        var sync = syncs.Single(s => (int)s["added"]! == 1);
        Assert.Equal("sync", (string?)sync["event"]);
        foreach (var key in new[] { "added", "updated", "unchanged", "removed", "skipped", "documents", "chunks", "seconds", "index", "warnings", "near_duplicates" })
            Assert.True(sync.ContainsKey(key), key);
        Assert.Equal(IndexPath, (string?)sync["index"]);
        Assert.Equal(2, (int)sync["documents"]!);

        File.WriteAllText(Path.Combine(dir, "a.txt"), Article(100));
        Assert.Equal(1, (await watch.UntilIndexEqualsAsync(dir, "updated", 1)).Sum(s => (int)s["updated"]!));

        File.Delete(Path.Combine(dir, "new.md"));
        Assert.Equal(1, (await watch.UntilIndexEqualsAsync(dir, "removed", 1)).Sum(s => (int)s["removed"]!));

        var sub = Directory.CreateDirectory(Path.Combine(dir, "sub", "deeper")).FullName;
        File.WriteAllText(Path.Combine(sub, "x.txt"), Article(7));
        File.WriteAllText(Path.Combine(sub, "y.txt"), Article(8));
        await watch.UntilIndexEqualsAsync(dir, "added", 2);
        Assert.Equal(3, Folder.Indexed(IndexPath).Count);

        Directory.Delete(Path.Combine(dir, "sub"), recursive: true);
        await watch.UntilIndexEqualsAsync(dir, "removed", 2);
        Assert.Equal([Path.Combine(dir, "a.txt")], Folder.Indexed(IndexPath).Keys);
    }

    [Fact]
    public async Task An_editor_save_through_a_temporary_file_and_renames_of_files_and_folders_are_followed()
    {
        var dir = NewFolder("library");
        var a = Path.Combine(dir, "a.txt");
        File.WriteAllText(a, Article(1));
        File.WriteAllText(Path.Combine(dir, "b.txt"), Article(2));
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        File.WriteAllText(Path.Combine(dir, "sub", "c.md"), Article(3));
        using var watch = Watching.Start(_cli, dir, IndexPath);
        Assert.Equal(3, (int)(await watch.NextAsync())["added"]!);

        // As vim and gedit save: the new text goes to a hidden file that then replaces the original
        // by a rename, leaving a backup behind (an extension a folder ingest does not read).
        var temp = Path.Combine(dir, ".a.txt.swp");
        File.WriteAllText(temp, Article(1000));
        File.Copy(a, a + "~");
        File.Move(temp, a, overwrite: true);
        var saved = await watch.UntilIndexEqualsAsync(dir, "updated", 1);
        Assert.Equal(1, saved.Sum(s => (int)s["updated"]!));
        Assert.Equal(0, saved.Sum(s => (int)s["added"]!));

        File.Move(Path.Combine(dir, "b.txt"), Path.Combine(dir, "renamed.txt"));
        await watch.UntilIndexEqualsAsync(dir, "added", 1);

        Directory.Move(Path.Combine(dir, "sub"), Path.Combine(dir, "moved"));
        await watch.UntilIndexEqualsAsync(dir, "added", 1);
        Assert.Contains(Path.Combine(dir, "moved", "c.md"), Folder.Indexed(IndexPath).Keys);
        Assert.Equal(3, Folder.Indexed(IndexPath).Count);
    }

    [Fact]
    public async Task A_burst_of_a_thousand_files_is_coalesced_and_all_of_them_are_indexed()
    {
        if (!OperatingSystem.IsLinux()) Assert.Skip("Stopping the watcher while the files are written uses Linux signals.");
        var dir = NewFolder("checkout");
        using var watch = Watching.Start(_cli, dir, IndexPath);
        Assert.Equal(0, (int)(await watch.NextAsync())["documents"]!);

        // A checkout faster than the watcher: the child is stopped while the files are written, so
        // their events are all waiting when it resumes. Half go into folders that appear with them,
        // whose own watches begin only after their files exist.
        Signal(watch.Process, "STOP");
        try
        {
            for (var i = 0; i < 1000; i++)
            {
                var folder = i < 500 ? dir : Directory.CreateDirectory(Path.Combine(dir, $"part{i / 100}")).FullName;
                File.WriteAllText(Path.Combine(folder, $"f{i:D4}.txt"), Article(i));
            }
        }
        finally
        {
            Signal(watch.Process, "CONT");
        }

        var syncs = await watch.UntilIndexEqualsAsync(dir, "added", 1000);
        Assert.Equal(1000, Folder.Indexed(IndexPath).Count);
        Assert.Equal(1000, syncs.Sum(s => (int)s["added"]!));
        Assert.True(syncs.Count < 100, $"{syncs.Count} syncs for 1,000 files: the events were not coalesced");
    }

    [Fact]
    public async Task A_file_still_being_written_is_synced_again_until_it_stops_changing()
    {
        var dir = NewFolder("library");
        using var watch = Watching.Start(_cli, dir, IndexPath);
        await watch.NextAsync();
        var path = Path.Combine(dir, "growing.txt");
        var firstHalf = Encoding.UTF8.GetBytes(Article(1));
        using (var writer = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.Read))
        {
            writer.Write(firstHalf);
            writer.Flush(flushToDisk: true);
            // The writer pauses with the file open: the watcher takes what is there...
            await watch.UntilAsync(_ => Folder.Indexed(IndexPath).GetValueOrDefault(path) == Folder.Hash(firstHalf));
            // ...and the rest, once it comes.
            writer.Write(Encoding.UTF8.GetBytes(string.Concat(Enumerable.Range(2, 200).Select(Article))));
        }

        // One update or several, as the writes and the syncs happen to interleave: the end state is what counts.
        await watch.UntilIndexEqualsAsync(dir, "updated", 1);
    }

    [Fact]
    public async Task Ctrl_c_while_syncing_exits_130_with_a_consistent_index_that_the_next_start_completes()
    {
        var dir = NewFolder("library");
        using (var watch = Watching.Start(_cli, dir, IndexPath))
        {
            await watch.NextAsync();
            for (var i = 0; i < 300; i++)
                File.WriteAllText(Path.Combine(dir, $"a{i:D3}.txt"), string.Concat(Enumerable.Repeat(Article(i), 100)));
            // Interrupted once the sync has committed documents, so under way on a machine of any speed.
            while (!watch.Process.WaitForExit(IndexProbe.PollMilliseconds) && IndexProbe.Documents(IndexPath).Count == 0)
            {
            }

            Signal(watch.Process, "INT");
            var err = await watch.ExitAsync();
            Assert.True(watch.Process.ExitCode == 130, $"exit {watch.Process.ExitCode}\n{err}");
            Assert.Contains(Interrupts.Stopping, err, StringComparison.Ordinal);
        }

        using (var index = LocalQaIndex.Open(IndexPath))
            Assert.True(index.IntegrityCheck().IsOk);
        // Every document is whole: its hash is its file's.
        var state = Folder.State(dir);
        foreach (var (path, hash) in Folder.Indexed(IndexPath)) Assert.Equal(state[path], hash);

        using var again = Watching.Start(_cli, dir, IndexPath);
        Assert.Equal("catch_up", (string?)(await again.NextAsync())["event"]);
        Assert.Equal(state, Folder.Indexed(IndexPath));
    }

    [Fact]
    public async Task Without_json_each_sync_is_one_line_saying_what_changed()
    {
        var dir = NewFolder("library");
        File.WriteAllText(Path.Combine(dir, "a.txt"), Article(1));
        using var watch = Watching.Start(_cli, dir, IndexPath, json: false);
        Assert.Equal("caught up: 1 added — 1 documents, 1 chunks", await watch.NextLineAsync());

        File.Delete(Path.Combine(dir, "a.txt"));
        // The deletion is the only change since the catch-up, so the first sync line is its own
        // (the catch-up's note on lexical retrieval may come first).
        var line = await watch.NextLineAsync();
        while (!line.StartsWith("synced", StringComparison.Ordinal)) line = await watch.NextLineAsync();
        Assert.Equal("synced: 1 removed — 0 documents, 0 chunks", line);
        Assert.Empty(Folder.Indexed(IndexPath));
    }

    [Fact]
    public void A_debounce_without_watching_and_a_missing_folder_are_bad_usage()
    {
        var dir = NewFolder("library");
        var r = _cli.Run("ingest", dir, "--index", IndexPath, "--debounce", "10");
        Assert.Equal(2, r.ExitCode);
        Assert.Contains("--debounce", r.Err, StringComparison.Ordinal);

        var missing = _cli.Run("ingest", Path.Combine(dir, "nope"), "--index", IndexPath, "--watch");
        Assert.Equal(2, missing.ExitCode);
        Assert.Contains("nope", missing.Err, StringComparison.Ordinal);
    }

    private static void Signal(Process p, string signal)
    {
        using var kill = Process.Start("kill", [$"-{signal}", p.Id.ToString(CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
        Assert.Equal(0, kill.ExitCode);
    }

    /// <summary>What the index should hold: each file a folder ingest reads (.txt and .md here, nothing hidden), with its content hash.</summary>
    private static class Folder
    {
        public static SortedDictionary<string, string> State(string dir)
        {
            var state = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var file in Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(dir, file);
                if (relative.Split(Path.DirectorySeparatorChar).Any(p => p.StartsWith('.'))) continue;
                if (Path.GetExtension(file) is not (".txt" or ".md")) continue;
                state[file] = Hash(File.ReadAllBytes(file));
            }

            return state;
        }

        public static SortedDictionary<string, string> Indexed(string indexPath) =>
            new(IndexProbe.Documents(indexPath).ToDictionary(d => d.Path, d => d.Hash), StringComparer.Ordinal);

        public static string Hash(byte[] bytes) => Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>A running <c>ingest --watch</c>: its stdout lines as they come, its stderr kept for messages.</summary>
    private sealed class Watching : IDisposable
    {
        private readonly Channel<string> _lines = Channel.CreateUnbounded<string>();
        private readonly StringBuilder _err = new();
        private readonly Task _outDone;
        private readonly Task _errDone;
        private readonly string _indexPath;

        private Watching(Process process, string indexPath)
        {
            Process = process;
            _indexPath = indexPath;
            _outDone = Task.Run(async () =>
            {
                while (await process.StandardOutput.ReadLineAsync() is { } line) await _lines.Writer.WriteAsync(line);
                _lines.Writer.Complete();
            });
            _errDone = Task.Run(async () =>
            {
                while (await process.StandardError.ReadLineAsync() is { } line)
                {
                    lock (_err) _err.AppendLine(line);
                }
            });
        }

        public Process Process { get; }

        public static Watching Start(CliRunner cli, string dir, string indexPath, bool json = true)
        {
            // A tiny debounce keeps the run short; nothing here depends on its length.
            string[] args = ["ingest", dir, "--index", indexPath, "--watch", "--debounce", "20"];
            return new Watching(cli.Start(json ? [.. args, "--json"] : args, interruptible: true), indexPath);
        }

        /// <summary>The next line on stdout; fails with the child's stderr if it ended instead.</summary>
        public async Task<string> NextLineAsync()
        {
            var ct = TestContext.Current.CancellationToken;
            try
            {
                // A guard against a hang, not a measure of speed.
                return await _lines.Reader.ReadAsync(ct).AsTask().WaitAsync(CliRunner.HangGuard, ct);
            }
            catch (ChannelClosedException)
            {
                await Process.WaitForExitAsync(ct).WaitAsync(CliRunner.HangGuard, ct);
                await _errDone;
                lock (_err) Assert.Fail($"localqa ended (exit {Process.ExitCode}) before the next sync:\n{_err}");
                throw;
            }
        }

        /// <summary>The next sync's JSON object.</summary>
        public async Task<JsonObject> NextAsync() => JsonNode.Parse(await NextLineAsync())!.AsObject();

        /// <summary>Reads syncs until <paramref name="done"/> holds of them (checked before each); returns the syncs read.</summary>
        public async Task<List<JsonObject>> UntilAsync(Func<List<JsonObject>, bool> done)
        {
            var syncs = new List<JsonObject>();
            while (!done(syncs)) syncs.Add(await NextAsync());
            return syncs;
        }

        /// <summary>
        /// Reads syncs until the index holds exactly the folder's files with their current content,
        /// and the syncs read say they did it (at least <paramref name="count"/> of <paramref name="key"/>):
        /// the index may show the change before its line is read, and the test wants that line.
        /// </summary>
        public Task<List<JsonObject>> UntilIndexEqualsAsync(string dir, string? key = null, int count = 0) =>
            UntilAsync(syncs => (key is null || syncs.Sum(s => (int)s[key]!) >= count) && Folder.State(dir).SequenceEqual(Folder.Indexed(_indexPath)));

        /// <summary>Waits for the child to end; returns its stderr.</summary>
        public async Task<string> ExitAsync()
        {
            var ct = TestContext.Current.CancellationToken;
            await Process.WaitForExitAsync(ct).WaitAsync(CliRunner.HangGuard, ct);
            await _outDone;
            await _errDone;
            lock (_err) return _err.ToString();
        }

        public void Dispose()
        {
            if (!Process.HasExited) Process.Kill(entireProcessTree: true);
            Process.Dispose();
        }
    }
}
