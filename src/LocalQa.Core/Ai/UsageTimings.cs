using Microsoft.Extensions.AI;

namespace LocalQa.Core.Ai;

/// <summary>
/// Where a chat client puts its own timings in the <see cref="UsageContent"/> it yields:
/// <see cref="UsageDetails.AdditionalCounts"/>, in microseconds (the counts are whole numbers).
/// An engine that measures nothing leaves them out, and answering times the stream itself.
/// </summary>
public static class UsageTimings
{
    /// <summary>Time spent reading the prompt (prefill), in microseconds.</summary>
    public const string PromptMicroseconds = "prompt_microseconds";
    /// <summary>Time until the first answer token, reading the prompt included, in microseconds.</summary>
    public const string FirstTokenMicroseconds = "first_token_microseconds";
    /// <summary>Time spent generating the answer after the prompt was read, in microseconds.</summary>
    public const string DecodeMicroseconds = "decode_microseconds";

    /// <summary>Adds the timings of one request to <paramref name="usage"/>.</summary>
    public static UsageDetails WithTimings(this UsageDetails usage, double promptMs, double firstTokenMs, double decodeMs)
    {
        ArgumentNullException.ThrowIfNull(usage);
        usage.AdditionalCounts ??= [];
        usage.AdditionalCounts[PromptMicroseconds] = Micro(promptMs);
        usage.AdditionalCounts[FirstTokenMicroseconds] = Micro(firstTokenMs);
        usage.AdditionalCounts[DecodeMicroseconds] = Micro(decodeMs);
        return usage;
    }

    /// <summary>One of the timings in milliseconds, or null when the engine did not report it.</summary>
    public static double? Milliseconds(this UsageDetails? usage, string key) =>
        usage?.AdditionalCounts is { } counts && counts.TryGetValue(key, out var us) ? us / 1000.0 : null;

    private static long Micro(double ms) => (long)Math.Round(ms * 1000);
}
