namespace LocalQa.Hosting.Watching;

/// <summary>A file's size and write time when it was seen; null stands for "no such file" (gone, or a folder).</summary>
internal readonly record struct FileStamp(long Length, DateTime LastWriteUtc)
{
    public static FileStamp? Of(string path)
    {
        try
        {
            var info = new FileInfo(path);
            return info.Exists ? new FileStamp(info.Length, info.LastWriteTimeUtc) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}

/// <summary>
/// The paths that changed since the last sync, coalesced: a thousand events on one file are one
/// entry, and a checkout's thousand files are one sync once the folder has been quiet for the
/// debounce. Time is passed in (the watcher's clock, as time since it started), so the rules can
/// be checked without waiting. Not thread-safe: the watcher holds its lock around every call.
/// </summary>
/// <remarks>
/// A path is ready when no event has touched it for the debounce and its size and write time are
/// those seen at its last event: a file still being written keeps producing events, and one whose
/// last write has not reached the watcher yet has a stamp that moved. Normally everything is taken
/// together once the whole set has been quiet for the debounce; while events keep coming (a long
/// checkout, a log written every second), once the oldest change has waited <c>maxDelay</c> the
/// paths that are quiet on their own are taken without the busy ones.
/// </remarks>
internal sealed class PendingChanges(TimeSpan debounce, TimeSpan maxDelay)
{
    private sealed class Entry(TimeSpan firstSeen, TimeSpan lastEvent, FileStamp? stamp)
    {
        public TimeSpan FirstSeen { get; } = firstSeen;
        public TimeSpan LastEvent { get; set; } = lastEvent;
        public FileStamp? Stamp { get; set; } = stamp;
    }

    private readonly Dictionary<string, Entry> _paths = new(StringComparer.Ordinal);
    private bool _rescan;
    private TimeSpan _rescanSince;
    private TimeSpan _lastEvent;

    public bool IsEmpty => _paths.Count == 0 && !_rescan;

    public int Count => _paths.Count;

    /// <summary>An event on <paramref name="path"/> at <paramref name="now"/>; <paramref name="stamp"/> is the file as it was then.</summary>
    public void Record(string path, TimeSpan now, FileStamp? stamp)
    {
        _lastEvent = now;
        // A rescan is pending: it will read this path as it is then, like every other.
        if (_rescan) return;
        if (_paths.TryGetValue(path, out var entry))
        {
            entry.LastEvent = now;
            entry.Stamp = stamp;
        }
        else
        {
            _paths[path] = new Entry(now, now, stamp);
        }
    }

    /// <summary>
    /// Events were lost (the watcher's buffer overflowed): what changed is unknown, so the next sync
    /// compares the whole of every watched folder with the index. The paths recorded so far are
    /// covered by it and dropped.
    /// </summary>
    public void RecordOverflow(TimeSpan now)
    {
        if (!_rescan) _rescanSince = now;
        _rescan = true;
        _lastEvent = now;
        _paths.Clear();
    }

    /// <summary>What is ready to sync at <paramref name="now"/>, removed from the set; null when nothing is.</summary>
    /// <param name="stat">The file as it is now (a real stat in the watcher).</param>
    public FolderChanges? TakeReady(TimeSpan now, Func<string, FileStamp?> stat)
    {
        if (IsEmpty) return null;
        var quiet = now - _lastEvent >= debounce;
        if (_rescan)
        {
            if (!quiet && now - _rescanSince < maxDelay) return null;
            _rescan = false;
            _paths.Clear();
            return new FolderChanges([], Rescan: true);
        }

        var overdue = now - OldestFirstSeen() >= maxDelay;
        if (!quiet && !overdue) return null;
        var taken = new List<string>();
        foreach (var (path, entry) in _paths)
        {
            if (now - entry.LastEvent < debounce) continue;
            var current = stat(path);
            if (current != entry.Stamp)
            {
                // Written after its last event reached us: as good as a new event, so it waits again.
                entry.LastEvent = now;
                entry.Stamp = current;
                _lastEvent = now;
                continue;
            }

            taken.Add(path);
        }

        if (taken.Count == 0) return null;
        foreach (var path in taken) _paths.Remove(path);
        taken.Sort(StringComparer.Ordinal);
        return new FolderChanges(taken, Rescan: false);
    }

    /// <summary>How long from <paramref name="now"/> until <see cref="TakeReady"/> may return something; null when nothing is pending.</summary>
    public TimeSpan? DueIn(TimeSpan now)
    {
        if (IsEmpty) return null;
        var due = _lastEvent + debounce;
        if (_rescan)
        {
            due = Min(due, _rescanSince + maxDelay);
        }
        else
        {
            // Past the maximum delay, the first path to go quiet on its own is ready.
            var earliestQuiet = _paths.Values.Min(e => e.LastEvent) + debounce;
            due = Min(due, Max(OldestFirstSeen() + maxDelay, earliestQuiet));
        }

        return due > now ? due - now : TimeSpan.Zero;
    }

    private TimeSpan OldestFirstSeen() => _paths.Values.Min(e => e.FirstSeen);

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}
