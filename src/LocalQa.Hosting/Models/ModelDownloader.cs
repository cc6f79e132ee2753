using System.Buffers;
using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Security.Cryptography;
using LocalQa.Core;

namespace LocalQa.Hosting.Models;

/// <summary>
/// Fetches a model file over HTTP(S), streamed into <c>FILE.partial</c>, resumed with a Range
/// request after an interruption (in this run, or in a later one), verified against its SHA-256
/// and only then renamed into place: a file with the final name is always complete and correct.
/// This is the only code in LocalQa that opens a network connection.
/// One instance may run several downloads at once, each to its own file.
/// </summary>
public sealed partial class ModelDownloader : IDisposable
{
    private const int BufferSize = 1 << 20;
    private static readonly TimeSpan ReportInterval = TimeSpan.FromMilliseconds(100);

    private const string NoNetworkMessage =
        "no network connection; LocalQa works offline, but downloading needs a connection once";

    private readonly HttpClient _http;

    /// <summary>A downloader with its own connection pool (system proxy settings apply).</summary>
    public ModelDownloader()
        : this(new SocketsHttpHandler { ConnectTimeout = TimeSpan.FromSeconds(30), AutomaticDecompression = DecompressionMethods.None }, disposeHandler: true)
    {
    }

    /// <summary>A downloader over <paramref name="handler"/> (tests pass one that ignores proxies).</summary>
    public ModelDownloader(HttpMessageHandler handler, bool disposeHandler = true)
    {
        ArgumentNullException.ThrowIfNull(handler);
        // A model takes minutes; stalls are caught per read (StallTimeout), not by a whole-request limit.
        _http = new HttpClient(handler, disposeHandler) { Timeout = Timeout.InfiniteTimeSpan };
        var version = typeof(ModelDownloader).Assembly.GetName().Version?.ToString(3) ?? "1.0.0";
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("LocalQa", version));
    }

    /// <summary>
    /// How many times in a row a transfer may fail before giving up (the count restarts whenever
    /// bytes arrive, so a long download survives many brief drops).
    /// </summary>
    public int MaxAttempts { get; init; } = 5;

    /// <summary>Pause before the first retry; doubled for each further one.</summary>
    public TimeSpan RetryDelay { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>A connection that sends nothing for this long is dropped and resumed.</summary>
    public TimeSpan StallTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// Requests one download may make in all, however much each brings: with
    /// <see cref="MaxAttempts"/>, <see cref="StallTimeout"/> and the retry delays, this bounds a
    /// download's time whatever the server does (the partial file stays for the next run).
    /// </summary>
    public int MaxRequests { get; init; } = 100;

    /// <summary>The clock of stall timeouts and retry delays (tests move a fake one by hand).</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>
    /// Downloads <paramref name="request"/>. Returns at once when the file is already there with the
    /// right digest. Cancelling keeps the partial file, so the next call resumes it.
    /// </summary>
    /// <exception cref="ChecksumMismatchException">The bytes do not have the expected digest (the partial file is deleted).</exception>
    /// <exception cref="DownloadException">No network, an HTTP error, or a file that is not the one expected.</exception>
    /// <exception cref="InvalidInputException">A bad address or digest, a full disk, a folder that cannot be written, or an existing different file.</exception>
    /// <exception cref="OperationCanceledException">Cancelled; the partial file is kept.</exception>
    public async Task<DownloadResult> DownloadAsync(DownloadRequest request, IProgress<DownloadProgress>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        var expected = DownloadRequest.NormalizeSha256(request.Sha256);
        if (!DownloadRequest.IsPlainFileName(request.FileName))
            throw new ArgumentException($"'{request.FileName}' is not a plain file name.", nameof(request));
        if (request.Url.Scheme != Uri.UriSchemeHttps && request.Url.Scheme != Uri.UriSchemeHttp)
            throw new InvalidInputException($"'{request.Url}' is not an http or https address.", "Pass the full https address of the .gguf file.");

        var clock = Stopwatch.StartNew();
        CreateDirectory(request.Directory);
        if (File.Exists(request.TargetPath))
            return await CheckExistingAsync(request, expected, clock, cancellationToken).ConfigureAwait(false);

        var run = new Run(request, expected, progress, clock);
        var failures = 0;
        var restartedAfterMismatch = false;
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var before = run.HighWater;
            try
            {
                if (await AttemptAsync(run, cancellationToken).ConfigureAwait(false) is { } done) return done;
            }
            catch (ChecksumMismatchException) when (run.AttemptStartedFrom > 0 && !restartedAfterMismatch)
            {
                // The kept bytes may be what is wrong (a file that changed upstream, a disk error):
                // one clean download from the first byte settles it.
                restartedAfterMismatch = true;
                DeleteQuietly(request.PartialPath);
            }
            catch (TransientException e) when (!cancellationToken.IsCancellationRequested)
            {
                // Progress is bytes beyond the most the partial file has held: a server that answers
                // a Range request with the whole file and cuts it short at the same place brings
                // bytes every time, but never new ones, and must run out of attempts.
                if (run.HighWater > before) failures = 0;
                failures++;
                if (e.IsConnectFailure && run.ReceivedThisRun == 0) throw NoNetwork(request, e.InnerException!);
                if (failures >= MaxAttempts || run.Requests >= MaxRequests)
                {
                    if (e.InnerException is DownloadException statusError) throw statusError;
                    throw e.IsConnectFailure ? NoNetwork(request, e.InnerException!) : GaveUp(request, failures, run.Requests, MaxRequests, e);
                }
                await Task.Delay(RetryDelay * (1 << Math.Min(failures - 1, 5)), Time, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>
    /// One HTTP request: continues the partial file from its end. Returns the result when the file is
    /// complete and verified, null when the next attempt should start over at once.
    /// </summary>
    private async Task<DownloadResult?> AttemptAsync(Run run, CancellationToken ct)
    {
        var request = run.Request;
        using var file = OpenPartial(request);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var existing = await HashExistingAsync(file, hash, ct).ConfigureAwait(false);
        if (request.ExpectedBytes is { } expectedBytes && existing > expectedBytes)
        {
            Truncate(file, hash);
            existing = 0;
        }
        run.AttemptStartedFrom = existing;
        if (run.Requests == 0) run.ResumedFrom = existing;
        run.HighWater = Math.Max(run.HighWater, existing);
        if (request.ExpectedBytes is { } complete && existing == complete)
        {
            // An earlier run stopped after the last byte but before the rename.
            return Finish(run, file, hash, existing);
        }

        using var message = new HttpRequestMessage(HttpMethod.Get, request.Url);
        if (existing > 0) message.Headers.Range = new RangeHeaderValue(existing, null);
        run.Requests++;
        using var response = await SendAsync(message, ct).ConfigureAwait(false);

        long? total;
        switch (response.StatusCode)
        {
            case HttpStatusCode.PartialContent when existing > 0:
                var range = response.Content.Headers.ContentRange;
                if (range?.From != existing)
                {
                    // A range we did not ask for: start over rather than splice bytes at the wrong place.
                    Truncate(file, hash);
                    return null;
                }
                total = range.Length ?? request.ExpectedBytes;
                break;
            case HttpStatusCode.RequestedRangeNotSatisfiable when existing > 0:
                // The partial file already holds the whole file: the digest decides.
                return Finish(run, file, hash, existing);
            case HttpStatusCode.OK or HttpStatusCode.PartialContent:
                if (existing > 0)
                {
                    // The server ignored Range and sends the whole file: restart cleanly.
                    Truncate(file, hash);
                    existing = 0;
                    run.AttemptStartedFrom = 0;
                    run.ResumedFrom = 0;
                }
                total = response.Content.Headers.ContentLength ?? request.ExpectedBytes;
                break;
            case >= HttpStatusCode.InternalServerError or HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout:
                // Busy or failing servers often answer the next request: retry, and name the status if none does.
                throw new TransientException(HttpError(request, response), isConnectFailure: false);
            default:
                throw HttpError(request, response);
        }

        if (request.ExpectedBytes is { } want && total is { } offered && offered != want)
        {
            file.Dispose();
            DeleteQuietly(request.PartialPath);
            throw new DownloadException(
                string.Create(CultureInfo.InvariantCulture, $"The server offers {offered:N0} bytes for {request.DisplayName}, but the file should be {want:N0} bytes ({request.Url})."),
                "The file at that address changed; check LocalQa's catalog for an update, or download the file you want by its address and SHA-256.")
            { Setting = nameof(DownloadRequest.Url) };
        }
        if (total is { } needed) CheckFreeSpace(request, needed - existing);

        var received = existing;
        var buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
        try
        {
            Stream body;
            try
            {
                body = await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false);
            }
            catch (Exception e) when (IsTransientRead(e, ct))
            {
                throw new TransientException(e, isConnectFailure: false);
            }
            await using (body.ConfigureAwait(false))
            {
                using var stall = new StallTimer(Time, ct);
                var lastReport = -ReportInterval;
                while (true)
                {
                    var n = await ReadAsync(body, buffer, stall, ct).ConfigureAwait(false);
                    if (n == 0) break;
                    try
                    {
                        await file.WriteAsync(buffer.AsMemory(0, n), ct).ConfigureAwait(false);
                    }
                    catch (IOException e)
                    {
                        throw WriteFailed(request, e);
                    }
                    hash.AppendData(buffer, 0, n);
                    received += n;
                    run.ReceivedThisRun += n;
                    run.HighWater = Math.Max(run.HighWater, received);
                    if (run.Clock.Elapsed - lastReport >= ReportInterval)
                    {
                        lastReport = run.Clock.Elapsed;
                        run.Report(received, total);
                    }
                }
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        if (total is { } length && received < length)
        {
            throw new TransientException(new IOException(string.Create(CultureInfo.InvariantCulture,
                $"The connection closed after {received:N0} of {length:N0} bytes.")), isConnectFailure: false);
        }
        return Finish(run, file, hash, received);
    }

    private static DownloadResult Finish(Run run, FileStream file, IncrementalHash hash, long length)
    {
        var request = run.Request;
        var actual = Convert.ToHexStringLower(hash.GetHashAndReset());
        try
        {
            file.Flush(flushToDisk: true);
        }
        catch (IOException e)
        {
            throw WriteFailed(request, e);
        }
        file.Dispose();
        if (!string.Equals(actual, run.Expected, StringComparison.Ordinal))
        {
            DeleteQuietly(request.PartialPath);
            throw new ChecksumMismatchException(
                $"The download of {request.DisplayName} does not match its checksum: expected SHA-256 {run.Expected}, got {actual} ({length:N0} bytes from {request.Url}). The partial file was deleted.",
                "Run the command again; if it fails again, the file at that address is not the one expected: check the address and the SHA-256.",
                run.Expected, actual)
            {
                // Only a download by address has an address and digest the user gave and can correct.
                Setting = request.Name is null ? nameof(DownloadRequest.Url) : null,
            };
        }
        try
        {
            File.Move(request.PartialPath, request.TargetPath, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"The verified download '{request.PartialPath}' could not be renamed to '{request.TargetPath}': {e.Message}",
                "Check that you may write to the folder and that no other program holds the file, then run the command again.", e);
        }
        run.Report(length, length);
        var outcome = run.ResumedFrom > 0 && run.AttemptStartedFrom > 0 ? DownloadOutcome.Resumed : DownloadOutcome.Downloaded;
        return new DownloadResult(request.TargetPath, length, actual, outcome, run.ResumedFrom, run.Requests, run.Clock.Elapsed);
    }

    private static async Task<DownloadResult> CheckExistingAsync(DownloadRequest request, string expected, Stopwatch clock, CancellationToken ct)
    {
        var target = request.TargetPath;
        var length = new FileInfo(target).Length;
        string? actual = null;
        if (request.ExpectedBytes is not { } want || want == length)
        {
            var stream = new FileStream(target, FileMode.Open, FileAccess.Read, FileShare.Read, BufferSize, FileOptions.Asynchronous | FileOptions.SequentialScan);
            await using (stream.ConfigureAwait(false))
            {
                actual = Convert.ToHexStringLower(await SHA256.HashDataAsync(stream, ct).ConfigureAwait(false));
            }
            if (actual == expected)
                return new DownloadResult(target, length, actual, DownloadOutcome.AlreadyPresent, 0, 0, clock.Elapsed);
        }
        var what = actual is null
            ? string.Create(CultureInfo.InvariantCulture, $"it is {length:N0} bytes, not {request.ExpectedBytes:N0}")
            : $"its SHA-256 is {actual}, not {expected}";
        throw new InvalidInputException($"'{target}' already exists but is not {request.DisplayName}: {what}.",
            "Delete or move that file and run the download again, or download to another folder.")
        { Setting = nameof(DownloadRequest.Directory) };
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, CancellationToken ct)
    {
        using var stall = new StallTimer(Time, ct);
        stall.Arm(StallTimeout);
        try
        {
            return await _http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, stall.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException e) when (IsConnectFailure(e))
        {
            throw new TransientException(e, isConnectFailure: true);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.SecureConnectionError)
        {
            throw new DownloadException($"The secure connection to {message.RequestUri?.Host} failed: {e.Message}",
                "Check the computer's date and time, and any proxy or antivirus that intercepts https.", e);
        }
        catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ProxyTunnelError)
        {
            throw new DownloadException($"The proxy refused the connection to {message.RequestUri?.Host}: {e.Message}",
                "Check the HTTPS_PROXY / HTTP_PROXY settings.", e);
        }
        catch (Exception e) when (IsTransientRead(e, ct))
        {
            throw new TransientException(e, isConnectFailure: false);
        }
    }

    private async Task<int> ReadAsync(Stream body, byte[] buffer, StallTimer stall, CancellationToken ct)
    {
        // Re-arming the one timer per read: a stall is a read that gets nothing for StallTimeout.
        stall.Arm(StallTimeout);
        try
        {
            return await body.ReadAsync(buffer.AsMemory(0, BufferSize), stall.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (IsTransientRead(e, ct))
        {
            throw new TransientException(e, isConnectFailure: false);
        }
    }

    /// <summary>Network trouble worth a retry; never the caller's cancellation.</summary>
    private static bool IsTransientRead(Exception e, CancellationToken ct) =>
        !ct.IsCancellationRequested && e is IOException or HttpRequestException or OperationCanceledException;

    private static bool IsConnectFailure(HttpRequestException e) =>
        e.HttpRequestError is HttpRequestError.NameResolutionError or HttpRequestError.ConnectionError
        || e.InnerException is SocketException;

    public void Dispose() => _http.Dispose();

    /// <summary>The state of one call to <see cref="DownloadAsync"/> across its attempts.</summary>
    private sealed class Run(DownloadRequest request, string expected, IProgress<DownloadProgress>? progress, Stopwatch clock)
    {
        public DownloadRequest Request { get; } = request;
        public string Expected { get; } = expected;
        public Stopwatch Clock { get; } = clock;
        public long ResumedFrom { get; set; }
        public long AttemptStartedFrom { get; set; }
        public long ReceivedThisRun { get; set; }
        public int Requests { get; set; }

        /// <summary>The most bytes the partial file has held in this run.</summary>
        public long HighWater { get; set; }

        public void Report(long received, long? total)
        {
            if (progress is null) return;
            var elapsed = Clock.Elapsed;
            var speed = elapsed.TotalSeconds > 0 ? ReceivedThisRun / elapsed.TotalSeconds : 0;
            TimeSpan? remaining = total is { } t && speed > 0 ? TimeSpan.FromSeconds(Math.Max(0, t - received) / speed) : null;
            progress.Report(new DownloadProgress(received, total, speed, remaining, elapsed, ResumedFrom));
        }
    }

    /// <summary>
    /// The caller's token joined with a timer on <see cref="Time"/>: CancellationTokenSource takes a
    /// TimeProvider only in its own constructor, not in CreateLinkedTokenSource.
    /// </summary>
    private sealed class StallTimer : IDisposable
    {
        private readonly CancellationTokenSource _timer;
        private readonly CancellationTokenSource _linked;

        public StallTimer(TimeProvider time, CancellationToken ct)
        {
            _timer = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
            _linked = CancellationTokenSource.CreateLinkedTokenSource(ct, _timer.Token);
        }

        public CancellationToken Token => _linked.Token;

        public void Arm(TimeSpan timeout) => _timer.CancelAfter(timeout);

        public void Dispose()
        {
            _linked.Dispose();
            _timer.Dispose();
        }
    }

    /// <summary>A network failure that a retry (resuming with Range) may get past.</summary>
    private sealed class TransientException(Exception inner, bool isConnectFailure) : Exception(inner.Message, inner)
    {
        public bool IsConnectFailure { get; } = isConnectFailure;
    }
}
