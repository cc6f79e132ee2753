using LocalQa.Core;
using LocalQa.Core.Documents;

namespace LocalQa.Hosting.Watching;

/// <summary>How a <see cref="FolderWatcher"/> turns file events into syncs.</summary>
public sealed record FolderWatcherOptions
{
    /// <summary>
    /// How long the watched files must go without a change before they are synced. A save, a copy
    /// or a checkout is a burst of events; waiting for it to end makes it one sync, and a file still
    /// being written is taken once it stops changing.
    /// </summary>
    public TimeSpan Debounce { get; init; } = TimeSpan.FromMilliseconds(500);

    /// <summary>
    /// The longest a change waits while other files keep changing: past it, the files that are
    /// quiet on their own are synced without waiting for the busy ones. Null: ten times the
    /// debounce, and at least 10 seconds.
    /// </summary>
    public TimeSpan? MaxDelay { get; init; }

    internal TimeSpan EffectiveMaxDelay => MaxDelay ?? TimeSpan.FromTicks(Math.Max(TimeSpan.FromSeconds(10).Ticks, Debounce.Ticks * 10));

    /// <summary>The clock of the debounce (tests give a fake one).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}

/// <summary>What changed in the watched folders since the last sync.</summary>
/// <param name="Paths">Files and folders that were created, changed, deleted or renamed (both names of a rename), sorted; some may be gone.</param>
/// <param name="Rescan">Events were lost, or this is the first sync: compare everything under the watched paths with the index.</param>
public sealed record FolderChanges(IReadOnlyList<string> Paths, bool Rescan);

/// <summary>
/// Watches files and folders (recursively) with <see cref="FileSystemWatcher"/> and hands their
/// changes to a sync callback, debounced and coalesced into a set of paths: the files
/// <see cref="DocumentLoader"/> would pick from a folder (supported extensions, nothing hidden),
/// folders that appeared (whose files may have been written before their own watch began), and
/// any path that disappeared (a file or a whole folder). When the system drops events (a buffer
/// overflow), the next sync is a full rescan instead. Shared by <c>ingest --watch</c> and the server.
/// </summary>
/// <remarks>
/// Call <see cref="Start"/>, then catch up (compare the folders with the index), then
/// <see cref="RunAsync"/>: changes made during the catch-up are recorded and synced after it, so
/// none falls between the two. One sync runs at a time; events keep being recorded meanwhile.
/// </remarks>
public sealed class FolderWatcher : IDisposable
{
    private readonly FolderWatcherOptions _options;
    private readonly List<Root> _roots;
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly Lock _gate = new();
    private readonly PendingChanges _pending;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly long _started;
    private Exception? _failure;
    private bool _disposed;

    private sealed record Root(string Path, bool IsFile);

    /// <param name="paths">Files and folders to watch; each must exist.</param>
    /// <exception cref="InvalidInputException">A path does not exist.</exception>
    public FolderWatcher(IEnumerable<string> paths, FolderWatcherOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(paths);
        _options = options ?? new FolderWatcherOptions();
        if (_options.Debounce < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(options), "The debounce cannot be negative.");
        if (_options.EffectiveMaxDelay < _options.Debounce) throw new ArgumentOutOfRangeException(nameof(options), "The maximum delay cannot be shorter than the debounce.");
        _roots = [];
        foreach (var path in paths)
        {
            var full = Path.TrimEndingDirectorySeparator(Path.GetFullPath(path));
            if (Directory.Exists(full)) _roots.Add(new Root(full, IsFile: false));
            else if (File.Exists(full)) _roots.Add(new Root(full, IsFile: true));
            else throw new InvalidInputException($"'{full}' does not exist, so it cannot be watched.", "Watch existing files or folders.");
        }

        _pending = new PendingChanges(_options.Debounce, _options.EffectiveMaxDelay);
        _started = _options.TimeProvider.GetTimestamp();
    }

    /// <summary>The watched paths, made absolute.</summary>
    public IReadOnlyList<string> Paths => [.. _roots.Select(r => r.Path)];

    /// <summary>Begins recording changes. Nothing is synced until <see cref="RunAsync"/>.</summary>
    /// <exception cref="InvalidInputException">The system refused to watch a path (a limit on watches reached).</exception>
    public void Start()
    {
        if (_watchers.Count > 0) throw new InvalidOperationException("The watcher has already started.");
        foreach (var root in _roots)
        {
            var watcher = root.IsFile
                ? new FileSystemWatcher(Path.GetDirectoryName(root.Path)!, Path.GetFileName(root.Path))
                : new FileSystemWatcher(root.Path) { IncludeSubdirectories = true };
            // The largest buffer Windows allows: fewer overflows (each a full rescan) in a burst.
            watcher.InternalBufferSize = 64 * 1024;
            watcher.NotifyFilter = NotifyFilters.FileName | NotifyFilters.DirectoryName | NotifyFilters.LastWrite | NotifyFilters.Size;
            watcher.Created += (_, e) => OnEvent(root, e.FullPath, created: true);
            watcher.Changed += (_, e) => OnEvent(root, e.FullPath, created: false);
            watcher.Deleted += (_, e) => OnEvent(root, e.FullPath, created: false);
            watcher.Renamed += (_, e) =>
            {
                OnEvent(root, e.OldFullPath, created: false);
                OnEvent(root, e.FullPath, created: true);
            };
            watcher.Error += (_, e) => OnError(root, e.GetException());
            _watchers.Add(watcher);
            try
            {
                watcher.EnableRaisingEvents = true;
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw CannotWatch(root, e);
            }
        }
    }

    /// <summary>
    /// Hands each debounced set of changes to <paramref name="sync"/>, one at a time, until
    /// <paramref name="cancellationToken"/> is cancelled (then throws <see cref="OperationCanceledException"/>).
    /// </summary>
    /// <exception cref="InvalidInputException">The system stopped watching a path (a limit reached, a folder gone).</exception>
    public async Task RunAsync(Func<FolderChanges, CancellationToken, Task> sync, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(sync);
        if (_watchers.Count == 0) throw new InvalidOperationException("Start the watcher first.");
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            if (_roots.FirstOrDefault(r => !r.IsFile && !Directory.Exists(r.Path)) is { } lost)
            {
                // Moved away, its own watch reports nothing more (not even its files' removal), so
                // the rescan removes its documents, and watching ends rather than watch nothing.
                await sync(new FolderChanges([], Rescan: true), cancellationToken).ConfigureAwait(false);
                throw new InvalidInputException(
                    $"The watched folder '{lost.Path}' was deleted or moved away; its documents were removed from the index.",
                    "Watch it again once it is back, or watch the folder it was moved to.");
            }

            FolderChanges? ready;
            TimeSpan? due;
            lock (_gate)
            {
                if (_failure is not null) throw _failure;
                var now = Now();
                ready = _pending.TakeReady(now, FileStamp.Of);
                due = ready is null ? _pending.DueIn(now) : null;
            }

            if (ready is not null)
            {
                await sync(ready, cancellationToken).ConfigureAwait(false);
                continue;
            }

            // A new event only moves the due time later, so sleeping until then loses nothing; with
            // nothing pending, an event wakes the loop, and the folders are looked at now and then.
            using var wait = new CancellationTokenSource(Min(due ?? RootCheckInterval, RootCheckInterval), _options.TimeProvider);
            using var either = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, wait.Token);
            try
            {
                if (due is null) await _wake.WaitAsync(either.Token).ConfigureAwait(false);
                else await Task.Delay(Timeout.InfiniteTimeSpan, either.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                // The wait's own time is up.
            }
        }
    }

    /// <summary>How often a quiet watcher checks that its folders still exist (a folder moved away reports nothing).</summary>
    private static readonly TimeSpan RootCheckInterval = TimeSpan.FromSeconds(2);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    /// <summary>What a file event means for the index; called on the watcher's thread.</summary>
    private void OnEvent(Root root, string path, bool created)
    {
        FileStamp? stamp;
        try
        {
            if (!Relevant(root, path, created, out stamp)) return;
        }
#pragma warning disable CA1031 // On the watcher's thread an exception would end the process; a path that cannot be judged is judged by a rescan.
        catch (Exception)
#pragma warning restore CA1031
        {
            OnError(root, new InternalBufferOverflowException());
            return;
        }

        lock (_gate)
        {
            if (_disposed) return;
            var wasEmpty = _pending.IsEmpty;
            _pending.Record(path, Now(), stamp);
            if (wasEmpty) Wake();
        }
    }

    /// <summary>
    /// Whether a change to <paramref name="path"/> can change the index: a file a folder ingest
    /// would read, a folder that appeared, or anything that disappeared (it may have been a folder
    /// of documents). A folder that merely changed (its entries did) is not: its entries have events of their own.
    /// </summary>
    internal static bool Relevant(string rootPath, bool rootIsFile, string path, bool created, out FileStamp? stamp)
    {
        stamp = null;
        if (rootIsFile)
        {
            stamp = FileStamp.Of(path);
            return string.Equals(path, rootPath, StringComparison.Ordinal);
        }

        var relative = Path.GetRelativePath(rootPath, path);
        if (relative == "." || Path.IsPathRooted(relative) || relative == ".." || relative.StartsWith(".." + Path.DirectorySeparatorChar, StringComparison.Ordinal)) return false;
        // Hidden entries are skipped by a folder ingest: editors' temporary and swap files among them.
        foreach (var part in relative.Split(Path.DirectorySeparatorChar))
        {
            if (part.StartsWith('.')) return false;
        }

        if (Directory.Exists(path)) return created;
        if (!Stamped(path, out stamp)) return true;
        return DocumentLoader.SupportedExtensions.ContainsKey(Path.GetExtension(path));
    }

    private static bool Relevant(Root root, string path, bool created, out FileStamp? stamp) => Relevant(root.Path, root.IsFile, path, created, out stamp);

    /// <returns>False when there is no file at <paramref name="path"/> (anymore).</returns>
    private static bool Stamped(string path, out FileStamp? stamp)
    {
        stamp = FileStamp.Of(path);
        return stamp is not null;
    }

    private void OnError(Root root, Exception error)
    {
        lock (_gate)
        {
            if (_disposed) return;
            if (error is InternalBufferOverflowException) _pending.RecordOverflow(Now());
            else _failure ??= CannotWatch(root, error);
            Wake();
        }
    }

    /// <summary>Reports lost events, as the system does when its buffer overflows (tests have no way to make it overflow on demand).</summary>
    internal void SimulateOverflow() => OnError(_roots[0], new InternalBufferOverflowException());

    private static InvalidInputException CannotWatch(Root root, Exception error) =>
        new($"Cannot watch '{root.Path}' for changes: {error.Message}",
            "Check that the folder still exists; on Linux, raise the system's limits on watches (fs.inotify.max_user_watches, fs.inotify.max_user_instances) or watch fewer folders.",
            error);

    private void Wake()
    {
        if (_wake.CurrentCount == 0) _wake.Release();
    }

    private TimeSpan Now() => _options.TimeProvider.GetElapsedTime(_started);

    public void Dispose()
    {
        // Under the lock: a handler already running on a watcher's thread must not touch what is disposed.
        lock (_gate) _disposed = true;
        foreach (var watcher in _watchers) watcher.Dispose();
        _watchers.Clear();
        _wake.Dispose();
    }
}
