using System.ClientModel.Primitives;
using System.Globalization;
using System.Security.Cryptography;

namespace LocalQa.Hosting.Remote;

/// <summary>
/// The OpenAI client's own retry policy (429, 408, 5xx, lost connections), bounded: a few retries,
/// exponential backoff with jitter, and a server's Retry-After honoured up to <see cref="MaxRetryAfter"/>;
/// a server that asks for a longer wait is not retried, so the user hears it at once.
/// </summary>
internal sealed class RemoteRetryPolicy(int maxRetries) : ClientRetryPolicy(maxRetries)
{
    /// <summary>The longest Retry-After LocalQa waits for.</summary>
    public static readonly TimeSpan MaxRetryAfter = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan FirstDelay = TimeSpan.FromMilliseconds(500);
    private static readonly TimeSpan MaxDelay = TimeSpan.FromSeconds(8);

    public const int DefaultRetries = RemoteEngine.Retries;

    protected override bool ShouldRetry(PipelineMessage message, Exception? exception) =>
        base.ShouldRetry(message, exception) && !(RetryAfter(message.Response) > MaxRetryAfter);

    protected override ValueTask<bool> ShouldRetryAsync(PipelineMessage message, Exception? exception) =>
        ValueTask.FromResult(ShouldRetry(message, exception));

    protected override TimeSpan GetNextDelay(PipelineMessage message, int tryCount) =>
        RetryAfter(message.Response) is { } asked ? asked : Backoff(tryCount, RandomNumberGenerator.GetInt32(800, 1201) / 1000.0);

    /// <summary>The wait before retry <paramref name="tryCount"/> (1-based): doubling from half a second, at most 8 s, times <paramref name="jitter"/>.</summary>
    internal static TimeSpan Backoff(int tryCount, double jitter)
    {
        var doubled = FirstDelay.TotalMilliseconds * Math.Pow(2, Math.Clamp(tryCount - 1, 0, 16));
        return TimeSpan.FromMilliseconds(Math.Min(doubled, MaxDelay.TotalMilliseconds) * jitter);
    }

    /// <summary>The Retry-After (seconds or an HTTP date) or retry-after-ms of a response, or null.</summary>
    internal static TimeSpan? RetryAfter(PipelineResponse? response)
    {
        if (response is null) return null;
        if (response.Headers.TryGetValue("retry-after-ms", out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var millis) && millis >= 0)
            return TimeSpan.FromMilliseconds(millis);
        if (!response.Headers.TryGetValue("Retry-After", out var value) || value is null) return null;
        if (int.TryParse(value, NumberStyles.Integer, CultureInfo.InvariantCulture, out var seconds) && seconds >= 0) return TimeSpan.FromSeconds(seconds);
        if (DateTimeOffset.TryParse(value, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var when))
        {
            var wait = when - DateTimeOffset.UtcNow;
            return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
        }
        return null;
    }
}
