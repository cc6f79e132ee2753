using LocalQa.Hosting.Watching;

namespace LocalQa.Core.Tests.Watching;

/// <summary>
/// The debounce's rules with the clock passed in: each test says when every event happened and
/// when the watcher looks, so nothing waits and nothing depends on the machine.
/// </summary>
public sealed class PendingChangesTests
{
    private static readonly TimeSpan Debounce = TimeSpan.FromMilliseconds(100);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(1);

    private static TimeSpan At(int ms) => TimeSpan.FromMilliseconds(ms);

    private static readonly FileStamp Stamp = new(10, new DateTime(2025, 1, 1, 0, 0, 0, DateTimeKind.Utc));

    /// <summary>Every file as it was at its last event.</summary>
    private static FileStamp? Unchanged(string path) => Stamp;

    [Fact]
    public void A_burst_of_a_thousand_events_is_one_sync_once_the_folder_is_quiet()
    {
        var pending = new PendingChanges(Debounce, MaxDelay);
        for (var i = 0; i < 1000; i++) pending.Record($"/w/f{i:D4}.txt", At(i / 10), Stamp);

        Assert.Null(pending.TakeReady(At(150), Unchanged));
        Assert.Equal(At(49), pending.DueIn(At(150)));

        var changes = pending.TakeReady(At(199), Unchanged);
        Assert.NotNull(changes);
        Assert.False(changes.Rescan);
        Assert.Equal(1000, changes.Paths.Count);
        Assert.Equal(changes.Paths.Order(StringComparer.Ordinal), changes.Paths);
        Assert.True(pending.IsEmpty);
        Assert.Null(pending.DueIn(At(199)));
    }

    [Fact]
    public void Many_events_on_one_file_are_one_path()
    {
        var pending = new PendingChanges(Debounce, MaxDelay);
        for (var i = 0; i < 50; i++) pending.Record("/w/a.txt", At(i), Stamp);

        Assert.Equal(["/w/a.txt"], pending.TakeReady(At(149), Unchanged)!.Paths);
    }

    [Fact]
    public void A_file_still_being_written_waits_until_its_events_stop_while_quiet_files_go_after_the_maximum_delay()
    {
        var pending = new PendingChanges(Debounce, MaxDelay);
        pending.Record("/w/a.txt", At(10), Stamp);
        // A log written every 50 ms for two seconds: the folder is never quiet for the debounce.
        for (var t = 0; t <= 2000; t += 50)
        {
            pending.Record("/w/log.txt", At(t), Stamp);
            var ready = pending.TakeReady(At(t), Unchanged);
            if (t < 1000) Assert.Null(ready);
            if (t == 1000) Assert.Equal(["/w/a.txt"], ready!.Paths);
            if (t > 1000) Assert.Null(ready);
        }

        Assert.Null(pending.TakeReady(At(2099), Unchanged));
        Assert.Equal(["/w/log.txt"], pending.TakeReady(At(2100), Unchanged)!.Paths);
    }

    [Fact]
    public void A_file_whose_size_moved_since_its_last_event_waits_again()
    {
        var pending = new PendingChanges(Debounce, MaxDelay);
        pending.Record("/w/a.txt", At(0), Stamp);
        var grown = Stamp with { Length = 20 };

        // Written after its last event reached the watcher: as good as a new event.
        Assert.Null(pending.TakeReady(At(100), _ => grown));
        Assert.Equal(Debounce, pending.DueIn(At(100)));
        Assert.Null(pending.TakeReady(At(150), _ => grown));
        Assert.Equal(["/w/a.txt"], pending.TakeReady(At(200), _ => grown)!.Paths);
    }

    [Fact]
    public void A_deleted_path_has_no_stamp_and_goes_like_any_other()
    {
        var pending = new PendingChanges(Debounce, MaxDelay);
        pending.Record("/w/gone", At(0), null);

        Assert.Equal(["/w/gone"], pending.TakeReady(At(100), _ => null)!.Paths);
    }

    [Fact]
    public void Lost_events_become_one_rescan_that_covers_the_paths_recorded_around_them()
    {
        var pending = new PendingChanges(Debounce, MaxDelay);
        pending.Record("/w/a.txt", At(0), Stamp);
        pending.RecordOverflow(At(10));
        pending.Record("/w/b.txt", At(20), Stamp);

        Assert.Null(pending.TakeReady(At(119), Unchanged));
        var changes = pending.TakeReady(At(120), Unchanged);
        Assert.NotNull(changes);
        Assert.True(changes.Rescan);
        Assert.Empty(changes.Paths);
        Assert.True(pending.IsEmpty);
    }

    [Fact]
    public void A_rescan_waits_for_quiet_but_no_longer_than_the_maximum_delay()
    {
        var pending = new PendingChanges(Debounce, MaxDelay);
        pending.RecordOverflow(At(0));
        for (var t = 50; t < 1000; t += 50)
        {
            pending.Record("/w/log.txt", At(t), Stamp);
            Assert.Null(pending.TakeReady(At(t), Unchanged));
        }

        Assert.True(pending.TakeReady(At(1000), Unchanged)!.Rescan);
    }
}
