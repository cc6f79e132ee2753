using LocalQa.Core.Index;
using LocalQa.Hosting;
using LocalQa.Hosting.Watching;

namespace LocalQa.Core.Tests.Watching;

/// <summary>
/// The watcher over real files: which events become paths to sync, a lost-event rescan, a watched
/// folder that disappears, and <see cref="FolderSync"/> applying what it reports. Each test waits
/// for the sync callback to have seen what it expects, however many syncs that takes.
/// </summary>
public sealed class FolderWatcherTests
{
    /// <summary>A guard that turns a hang into a failure, never a measure of speed.</summary>
    private static readonly TimeSpan HangGuard = TimeSpan.FromMinutes(5);

    private static readonly FolderWatcherOptions Quick = new() { Debounce = TimeSpan.FromMilliseconds(10) };

    [Fact]
    public void Hidden_entries_other_extensions_and_folders_that_merely_changed_are_not_changes_to_sync()
    {
        using var temp = new TempFolder();
        var root = temp.Path;
        var article = temp.Write("a.txt", "An article.");
        var hidden = temp.Write(".a.txt.swp", "A swap file.");
        var inHidden = temp.Write(".git/notes.txt", "Inside a hidden folder.");
        var backup = temp.Write("a.txt~", "A backup.");
        var folder = temp.Sub("sub");

        Assert.True(FolderWatcher.Relevant(root, false, article, created: true, out var stamp));
        Assert.Equal(new FileInfo(article).Length, stamp!.Value.Length);
        Assert.False(FolderWatcher.Relevant(root, false, hidden, created: true, out _));
        Assert.False(FolderWatcher.Relevant(root, false, inHidden, created: true, out _));
        Assert.False(FolderWatcher.Relevant(root, false, backup, created: true, out _));
        Assert.True(FolderWatcher.Relevant(root, false, folder, created: true, out _));
        Assert.False(FolderWatcher.Relevant(root, false, folder, created: false, out _));
        // Gone: it may have been a folder of documents, whatever its name.
        Assert.True(FolderWatcher.Relevant(root, false, temp["was-a-folder"], created: false, out var none));
        Assert.Null(none);
        Assert.False(FolderWatcher.Relevant(root, false, Path.GetDirectoryName(root)!, created: false, out _));
        // A file watched on its own: itself whatever its extension, and nothing beside it.
        Assert.True(FolderWatcher.Relevant(backup, true, backup, created: false, out _));
        Assert.False(FolderWatcher.Relevant(backup, true, article, created: false, out _));
    }

    [Fact]
    public async Task Events_under_a_watched_folder_arrive_as_paths_without_hidden_or_unread_files()
    {
        using var temp = new TempFolder();
        using var watcher = new FolderWatcher([temp.Path], Quick);
        watcher.Start();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var expected = new[] { temp["a.txt"], temp["sub"], temp["gone.md"] };
        var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var rescans = 0;
        var run = watcher.RunAsync((changes, _) =>
        {
            if (changes.Rescan) rescans++;
            seen.UnionWith(changes.Paths);
            if (expected.All(seen.Contains)) done.TrySetResult();
            return Task.CompletedTask;
        }, stop.Token);

        // The ignored ones first: their events are handled before the last expected one's, so had
        // any been kept, it would be in a sync no later than the one that completes the set.
        temp.Write(".a.txt.swp", "swap");
        temp.Write("a.bin", "binary");
        temp.Write("a.txt", "An article.");
        temp.Write("sub/b.md", "A note.");
        var gone = temp.Write("gone.md", "Here and gone.");
        File.Delete(gone);
        await done.Task.WaitAsync(HangGuard, TestContext.Current.CancellationToken);

        Assert.DoesNotContain(temp[".a.txt.swp"], seen);
        Assert.DoesNotContain(temp["a.bin"], seen);
        Assert.Equal(0, rescans);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task Lost_events_make_the_next_sync_a_rescan()
    {
        using var temp = new TempFolder();
        using var watcher = new FolderWatcher([temp.Path], Quick);
        watcher.Start();
        var rescan = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var run = watcher.RunAsync((changes, _) =>
        {
            if (changes.Rescan) rescan.TrySetResult();
            return Task.CompletedTask;
        }, stop.Token);

        watcher.SimulateOverflow();
        await rescan.Task.WaitAsync(HangGuard, TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
    }

    [Fact]
    public async Task A_watched_folder_deleted_is_synced_away_and_ends_the_watch()
    {
        using var temp = new TempFolder();
        var root = temp.Sub("watched");
        temp.Write("watched/a.txt", "An article about boats and the harbour.");
        using var library = LocalQaLibrary.Open(new LibraryOptions { IndexPath = temp.IndexPath, Home = temp.Sub("home") }, LibraryModels.None);
        using var watcher = new FolderWatcher([root], Quick);
        var sync = new FolderSync(library, watcher.Paths);
        watcher.Start();
        Assert.Equal(1, (await sync.SyncAsync(new FolderChanges([], Rescan: true), cancellationToken: TestContext.Current.CancellationToken)).Added);

        var run = watcher.RunAsync(async (changes, ct) => await sync.SyncAsync(changes, null, ct), TestContext.Current.CancellationToken);
        Directory.Delete(root, recursive: true);

        var error = await Assert.ThrowsAsync<InvalidInputException>(() => run.WaitAsync(HangGuard, TestContext.Current.CancellationToken));
        Assert.Contains(root, error.Message, StringComparison.Ordinal);
        Assert.Empty(library.Index.ListDocuments());
    }

    [Fact]
    public async Task A_sync_ingests_what_exists_and_removes_what_is_gone_files_and_folders_alike()
    {
        using var temp = new TempFolder();
        var root = temp.Sub("watched");
        var a = temp.Write("watched/a.txt", "An article about boats and the harbour.");
        var b = temp.Write("watched/sub/b.txt", "A note about trains and the station.");
        var c = temp.Write("watched/sub/c.txt", "A note about planes and the airport.");
        using var library = LocalQaLibrary.Open(new LibraryOptions { IndexPath = temp.IndexPath, Home = temp.Sub("home") }, LibraryModels.None);
        var sync = new FolderSync(library, [root]);
        Assert.Equal(3, (await sync.SyncAsync(new FolderChanges([], Rescan: true), cancellationToken: TestContext.Current.CancellationToken)).Added);

        File.WriteAllText(a, "An article about boats, rewritten.");
        Directory.Move(Path.Combine(root, "sub"), Path.Combine(root, "moved"));
        var report = await sync.SyncAsync(new FolderChanges([a, Path.Combine(root, "moved"), Path.Combine(root, "sub")], Rescan: false), cancellationToken: TestContext.Current.CancellationToken);

        Assert.Equal((2, 1, 2), (report.Added, report.Updated, report.Removed));
        Assert.Equal(
            [a, Path.Combine(root, "moved", "b.txt"), Path.Combine(root, "moved", "c.txt")],
            library.Index.ListDocuments().Select(d => d.Path).Order(StringComparer.Ordinal));
        Assert.DoesNotContain(library.Index.ListDocuments(), d => d.Path == b || d.Path == c);
    }
}
