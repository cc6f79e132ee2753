using System.Net;
using System.Security.Cryptography;
using LocalQa.Hosting.Models;
using LocalQa.Llama;
using Microsoft.Extensions.Time.Testing;

namespace LocalQa.Core.Tests.Models;

/// <summary>Every test talks to <see cref="TestHttpServer"/> on 127.0.0.1; none reaches the internet.</summary>
public sealed class ModelDownloaderTests : IDisposable
{
    private static readonly byte[] Content = MakeContent(300_000);
    private static readonly string Sha = Convert.ToHexStringLower(SHA256.HashData(Content));

    private readonly TempFolder _dir = new();

    private static byte[] MakeContent(int length)
    {
        var bytes = new byte[length];
        new Random(1234).NextBytes(bytes);
        return bytes;
    }

    /// <summary>
    /// A downloader on a fake clock: no stall timeout fires and no retry waits unless the test
    /// moves the clock, so nothing depends on how fast this machine reads from loopback.
    /// </summary>
    private static ModelDownloader NewDownloader(FakeTimeProvider? time = null) =>
        new(new SocketsHttpHandler { UseProxy = false }, disposeHandler: true)
        {
            RetryDelay = TimeSpan.Zero,
            StallTimeout = StallTimeout,
            Time = time ?? new FakeTimeProvider(),
        };

    private static readonly TimeSpan StallTimeout = TimeSpan.FromSeconds(30);

    private DownloadRequest Request(TestHttpServer server, string? sha = null, long? bytes = null) =>
        DownloadRequest.ForUrl(server.Url.ToString(), sha ?? Sha, _dir.Path) with { ExpectedBytes = bytes };

    private string Target => _dir["model.gguf"];

    private string Partial => Target + ".partial";

    public void Dispose() => _dir.Dispose();

    [Fact]
    public async Task A_full_download_is_verified_renamed_into_place_and_reports_progress()
    {
        await using var server = new TestHttpServer(Content);
        using var downloader = NewDownloader();
        var reports = new List<DownloadProgress>();

        var result = await downloader.DownloadAsync(Request(server, bytes: Content.Length), new SyncProgress(reports.Add), TestContext.Current.CancellationToken);

        Assert.Equal(DownloadOutcome.Downloaded, result.Outcome);
        Assert.Equal(Target, result.Path);
        Assert.Equal(Content, await File.ReadAllBytesAsync(Target, TestContext.Current.CancellationToken));
        Assert.Equal(Sha, result.Sha256);
        Assert.Equal(Content.Length, result.Bytes);
        Assert.False(File.Exists(Partial));
        Assert.Equal([null], server.Ranges);
        Assert.NotEmpty(reports);
        Assert.Equal(Content.Length, reports[^1].BytesReceived);
        Assert.Equal(Content.Length, reports[^1].TotalBytes);
        Assert.Equal(1.0, reports[^1].Fraction);
        Assert.True(reports.Zip(reports.Skip(1)).All(p => p.Second.BytesReceived >= p.First.BytesReceived), "progress never goes back");
    }

    [Fact]
    public async Task A_transfer_dropped_midway_is_resumed_with_a_range_request_and_verified()
    {
        await using var server = new TestHttpServer(Content) { DropAfter = i => i == 0 ? 100_000 : null };
        using var downloader = NewDownloader();

        var result = await downloader.DownloadAsync(Request(server), null, TestContext.Current.CancellationToken);

        Assert.Equal(Content, await File.ReadAllBytesAsync(Target, TestContext.Current.CancellationToken));
        Assert.Equal(2, result.Requests);
        Assert.Equal([null, "bytes=100000-"], server.Ranges);
        Assert.False(File.Exists(Partial));
    }

    [Fact]
    public async Task A_stalled_connection_is_abandoned_and_resumed()
    {
        // The first response sends 50,000 bytes and then nothing, so without the stall timeout the
        // download would wait forever. The clock moves past the timeout once the first bytes are
        // written (the first read always reports): the one stall comes then, on any machine.
        await using var server = new TestHttpServer(Content) { StallAfter = i => i == 0 ? 50_000 : null };
        var time = new FakeTimeProvider();
        using var downloader = NewDownloader(time);
        var first = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        var progress = new SyncProgress(p => first.TrySetResult(p.BytesReceived));

        var download = downloader.DownloadAsync(Request(server), progress, TestContext.Current.CancellationToken);
        Assert.InRange(await first.Task.WaitAsync(TestContext.Current.CancellationToken), 1, 50_000);
        time.Advance(StallTimeout);
        var result = await download;

        Assert.Equal(Content, await File.ReadAllBytesAsync(Target, TestContext.Current.CancellationToken));
        Assert.Equal(2, result.Requests);
        var resumedAt = server.Ranges.Skip(1).Single();
        Assert.NotNull(resumedAt);
        Assert.InRange(long.Parse(resumedAt["bytes=".Length..^1], System.Globalization.CultureInfo.InvariantCulture), 1, 50_000);
    }

    [Fact]
    public async Task A_server_that_restarts_every_range_and_cuts_it_short_runs_out_of_attempts()
    {
        // Each answer is the whole file from byte 0 (Range ignored), cut after 100,000 bytes: every
        // attempt brings bytes, none brings a byte the partial file had not held. It used to count
        // as progress and loop forever.
        using var runaway = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        await using var server = new TestHttpServer(Content)
        {
            HonorRange = false,
            DropAfter = _ => 100_000,
            // A downloader that never gives up fails the test here instead of hanging it.
            StatusFor = i =>
            {
                if (i >= 50) runaway.Cancel();
                return null;
            },
        };
        using var downloader = NewDownloader();

        var e = await Assert.ThrowsAsync<DownloadException>(() => downloader.DownloadAsync(Request(server), null, runaway.Token));

        // The first attempt's 100,000 bytes are new; the next ones only repeat them.
        Assert.Equal(downloader.MaxAttempts, server.RequestCount);
        Assert.Contains("gave up", e.Message, StringComparison.OrdinalIgnoreCase);
        Assert.True(File.Exists(Partial), "the partial file stays for the next run");
    }

    [Fact]
    public async Task A_server_that_brings_a_little_every_time_is_stopped_by_the_request_limit()
    {
        // Every answer honours Range and brings 1,000 new bytes, then closes: real progress each
        // time, so only the overall limit on requests ends it, with the partial file kept.
        await using var server = new TestHttpServer(Content) { DropAfter = _ => 1_000 };
        using var downloader = new ModelDownloader(new SocketsHttpHandler { UseProxy = false })
        {
            RetryDelay = TimeSpan.Zero,
            Time = new FakeTimeProvider(),
            MaxRequests = 12,
        };

        await Assert.ThrowsAsync<DownloadException>(() => downloader.DownloadAsync(Request(server), null, TestContext.Current.CancellationToken));

        Assert.Equal(12, server.RequestCount);
        Assert.Equal(12_000, new FileInfo(Partial).Length);
    }

    [Fact]
    public async Task A_partial_file_from_an_earlier_run_is_hashed_and_continued()
    {
        await using var server = new TestHttpServer(Content);
        await File.WriteAllBytesAsync(Partial, Content.AsMemory(0, 123_456).ToArray(), TestContext.Current.CancellationToken);
        using var downloader = NewDownloader();

        var result = await downloader.DownloadAsync(Request(server, bytes: Content.Length), null, TestContext.Current.CancellationToken);

        Assert.Equal(DownloadOutcome.Resumed, result.Outcome);
        Assert.Equal(123_456, result.ResumedFrom);
        Assert.Equal(["bytes=123456-"], server.Ranges);
        Assert.Equal(Content, await File.ReadAllBytesAsync(Target, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_server_that_ignores_range_still_gives_a_correct_file()
    {
        await using var server = new TestHttpServer(Content) { HonorRange = false };
        // Garbage in the partial file proves the restart really starts from scratch.
        await File.WriteAllBytesAsync(Partial, new byte[77_777], TestContext.Current.CancellationToken);
        using var downloader = NewDownloader();

        var result = await downloader.DownloadAsync(Request(server), null, TestContext.Current.CancellationToken);

        Assert.Equal(["bytes=77777-"], server.Ranges);
        Assert.Equal(DownloadOutcome.Downloaded, result.Outcome);
        Assert.Equal(0, result.ResumedFrom);
        Assert.Equal(Content, await File.ReadAllBytesAsync(Target, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_partial_file_that_is_already_complete_is_verified_after_a_416()
    {
        await using var server = new TestHttpServer(Content);
        await File.WriteAllBytesAsync(Partial, Content, TestContext.Current.CancellationToken);
        using var downloader = NewDownloader();

        var result = await downloader.DownloadAsync(Request(server), null, TestContext.Current.CancellationToken);

        Assert.Equal([$"bytes={Content.Length}-"], server.Ranges);
        Assert.Equal(Content, await File.ReadAllBytesAsync(Target, TestContext.Current.CancellationToken));
        Assert.Equal(Sha, result.Sha256);
    }

    [Fact]
    public async Task A_wrong_checksum_is_refused_naming_both_digests_and_the_partial_file_is_deleted()
    {
        await using var server = new TestHttpServer(Content);
        using var downloader = NewDownloader();
        var wrong = new string('0', 64);

        var e = await Assert.ThrowsAsync<ChecksumMismatchException>(() =>
            downloader.DownloadAsync(Request(server, sha: wrong), null, TestContext.Current.CancellationToken));

        Assert.IsAssignableFrom<DownloadException>(e);
        Assert.Contains(wrong, e.Message, StringComparison.Ordinal);
        Assert.Contains(Sha, e.Message, StringComparison.Ordinal);
        Assert.Equal(wrong, e.Expected);
        Assert.Equal(Sha, e.Actual);
        Assert.False(File.Exists(Partial), "the partial file is deleted");
        Assert.False(File.Exists(Target), "nothing is renamed into place");
    }

    [Fact]
    public async Task Resumed_bytes_that_break_the_checksum_lead_to_one_clean_download()
    {
        await using var server = new TestHttpServer(Content);
        // A stale partial file: right length so far, wrong bytes.
        await File.WriteAllBytesAsync(Partial, new byte[200_000], TestContext.Current.CancellationToken);
        using var downloader = NewDownloader();

        var result = await downloader.DownloadAsync(Request(server), null, TestContext.Current.CancellationToken);

        Assert.Equal(["bytes=200000-", null], server.Ranges);
        Assert.Equal(Content, await File.ReadAllBytesAsync(Target, TestContext.Current.CancellationToken));
        Assert.Equal(DownloadOutcome.Downloaded, result.Outcome);
    }

    [Fact]
    public async Task Http_404_is_a_clear_error_naming_the_status()
    {
        await using var server = new TestHttpServer(Content) { Status = HttpStatusCode.NotFound };
        using var downloader = NewDownloader();

        var e = await Assert.ThrowsAsync<DownloadException>(() =>
            downloader.DownloadAsync(Request(server), null, TestContext.Current.CancellationToken));

        Assert.Contains("HTTP 404", e.Message, StringComparison.Ordinal);
        Assert.Contains(server.Url.ToString(), e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.Fix);
        Assert.False(File.Exists(Target));
    }

    [Fact]
    public async Task Http_500_is_reported_with_a_fix_to_retry_later()
    {
        await using var server = new TestHttpServer(Content) { Status = HttpStatusCode.InternalServerError };
        using var downloader = NewDownloader();

        var e = await Assert.ThrowsAsync<DownloadException>(() =>
            downloader.DownloadAsync(Request(server), null, TestContext.Current.CancellationToken));

        Assert.Contains("HTTP 500", e.Message, StringComparison.Ordinal);
        Assert.Contains("again later", e.Fix, StringComparison.Ordinal);
        Assert.Equal(5, server.RequestCount);
    }

    [Fact]
    public async Task A_server_error_that_passes_is_retried_and_the_download_completes()
    {
        await using var server = new TestHttpServer(Content) { StatusFor = i => i < 2 ? HttpStatusCode.ServiceUnavailable : null };
        using var downloader = NewDownloader();

        var result = await downloader.DownloadAsync(Request(server), null, TestContext.Current.CancellationToken);

        Assert.Equal(Content, await File.ReadAllBytesAsync(Target, TestContext.Current.CancellationToken));
        Assert.Equal(3, result.Requests);
    }

    [Fact]
    public async Task No_connection_says_that_LocalQa_works_offline_but_downloading_needs_a_connection()
    {
        using var downloader = NewDownloader();
        var request = DownloadRequest.ForUrl($"http://127.0.0.1:{TestHttpServer.ClosedPort()}/m.gguf", Sha, _dir.Path);

        var e = await Assert.ThrowsAsync<DownloadException>(() =>
            downloader.DownloadAsync(request, null, TestContext.Current.CancellationToken));

        Assert.Contains("no network connection; LocalQa works offline, but downloading needs a connection once", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task An_existing_file_with_the_right_digest_is_kept_without_any_request()
    {
        await using var server = new TestHttpServer(Content);
        await File.WriteAllBytesAsync(Target, Content, TestContext.Current.CancellationToken);
        using var downloader = NewDownloader();

        var result = await downloader.DownloadAsync(Request(server, bytes: Content.Length), null, TestContext.Current.CancellationToken);

        Assert.Equal(DownloadOutcome.AlreadyPresent, result.Outcome);
        Assert.Equal(0, server.RequestCount);
    }

    [Fact]
    public async Task An_existing_different_file_is_never_overwritten()
    {
        await using var server = new TestHttpServer(Content);
        await File.WriteAllTextAsync(Target, "someone else's file", TestContext.Current.CancellationToken);
        using var downloader = NewDownloader();

        var e = await Assert.ThrowsAsync<InvalidInputException>(() =>
            downloader.DownloadAsync(Request(server), null, TestContext.Current.CancellationToken));

        Assert.Contains("already exists", e.Message, StringComparison.Ordinal);
        Assert.Equal("someone else's file", await File.ReadAllTextAsync(Target, TestContext.Current.CancellationToken));
        Assert.Equal(0, server.RequestCount);
    }

    [Fact]
    public async Task A_server_offering_another_size_than_the_catalog_says_is_refused_before_the_transfer()
    {
        await using var server = new TestHttpServer(Content);
        using var downloader = NewDownloader();

        var e = await Assert.ThrowsAsync<DownloadException>(() =>
            downloader.DownloadAsync(Request(server, bytes: Content.Length + 1), null, TestContext.Current.CancellationToken));

        Assert.Contains("300,000 bytes", e.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(Partial));
    }

    [Fact]
    public async Task Cancelling_keeps_the_partial_file_and_the_next_run_resumes_it()
    {
        // The first response stops after 64 KiB and stays open, so it cannot finish before the
        // cancel on any machine; the cancel comes from the first progress report, made after the
        // downloader has written what it received.
        await using var server = new TestHttpServer(Content) { StallAfter = i => i == 0 ? 64 * 1024 : null };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        using var downloader = NewDownloader();
        var progress = new SyncProgress(p =>
        {
            if (p.BytesReceived > 0) cts.Cancel();
        });

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => downloader.DownloadAsync(Request(server), progress, cts.Token));

        Assert.False(File.Exists(Target));
        var kept = new FileInfo(Partial).Length;
        Assert.InRange(kept, 1, 64 * 1024);

        var result = await downloader.DownloadAsync(Request(server), null, TestContext.Current.CancellationToken);

        Assert.Equal(DownloadOutcome.Resumed, result.Outcome);
        Assert.Equal(kept, result.ResumedFrom);
        Assert.Equal($"bytes={kept}-", server.Ranges.Last());
        Assert.Equal(Content, await File.ReadAllBytesAsync(Target, TestContext.Current.CancellationToken));
    }

    [Fact]
    public async Task A_second_download_of_the_same_file_at_the_same_time_is_refused_instead_of_interleaving()
    {
        // The first download stalls after 64 KiB until cancelled: it holds the partial file however
        // long the second attempt takes.
        await using var server = new TestHttpServer(Content) { StallAfter = i => i == 0 ? 64 * 1024 : null };
        using var cts = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        using var first = NewDownloader();
        using var second = NewDownloader();
        var started = new TaskCompletionSource();
        var running = first.DownloadAsync(Request(server), new SyncProgress(_ => started.TrySetResult()), cts.Token);
        await started.Task.WaitAsync(TestContext.Current.CancellationToken);

        var e = await Assert.ThrowsAsync<InvalidInputException>(() => second.DownloadAsync(Request(server), null, TestContext.Current.CancellationToken));

        Assert.Contains("cannot be opened for writing", e.Message, StringComparison.Ordinal);
        await cts.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => running);
    }

    [Fact]
    public void A_url_must_name_a_file_and_a_digest_must_be_64_hex_digits()
    {
        Assert.Throws<InvalidInputException>(() => DownloadRequest.ForUrl("https://host/", Sha, _dir.Path));
        Assert.Throws<InvalidInputException>(() => DownloadRequest.ForUrl("ftp://host/m.gguf", Sha, _dir.Path));
        Assert.Throws<InvalidInputException>(() => DownloadRequest.ForUrl("https://host/m.gguf", "abc", _dir.Path));
        var r = DownloadRequest.ForUrl("https://host/a/My%20Model.gguf?download=true", Sha.ToUpperInvariant(), _dir.Path);
        Assert.Equal("My Model.gguf", r.FileName);
        Assert.Equal(Sha, r.Sha256);
    }

    [Fact]
    public void A_full_disk_is_recognized_from_the_IOException()
    {
        Assert.False(ModelDownloader.IsDiskFull(new IOException("other")));
        if (!OperatingSystem.IsLinux() || !File.Exists("/dev/full")) Assert.Skip("/dev/full (Linux) is needed to provoke ENOSPC.");
        var e = Assert.ThrowsAny<IOException>(() =>
        {
            using var full = new FileStream("/dev/full", FileMode.Open, FileAccess.Write);
            full.Write(new byte[4096]);
            full.Flush();
        });
        Assert.True(ModelDownloader.IsDiskFull(e));
    }

    private sealed class SyncProgress(Action<DownloadProgress> report) : IProgress<DownloadProgress>
    {
        public void Report(DownloadProgress value) => report(value);
    }
}
