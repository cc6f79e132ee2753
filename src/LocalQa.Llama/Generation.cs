using System.Text;

namespace LocalQa.Llama;

/// <summary>Limits and sampling for one generation.</summary>
public sealed record GenerationOptions
{
    public int MaxTokens { get; init; } = 256;

    /// <summary>Generation ends before any of these strings; the stop string itself is not emitted.</summary>
    public IReadOnlyList<string> StopStrings { get; init; } = [];

    public SamplingOptions Sampling { get; init; } = SamplingOptions.Greedy;
}

public enum StopReason { EndOfGeneration, MaxTokens, StopString, ContextFull, Cancelled }

/// <summary>What one generation cost, for --json timings and the benchmarks.</summary>
public sealed record GenerationStats
{
    public int PromptTokens { get; init; }

    /// <summary>Prompt tokens whose KV was kept from the previous prompt (longest common prefix).</summary>
    public int ReusedTokens { get; init; }
    public double PromptMs { get; init; }
    public double FirstTokenMs { get; init; }
    public int GeneratedTokens { get; init; }
    public double DecodeMs { get; init; }
    public StopReason StopReason { get; init; }
}

/// <summary>
/// Holds back text that might be the start of a stop string until the next piece settles it,
/// so a stop string split across tokens is still caught and never shown.
/// </summary>
internal sealed class StopStringFilter
{
    private readonly string[] _stops;
    private readonly StringBuilder _pending = new();

    public StopStringFilter(IReadOnlyList<string> stops) => _stops = stops.Where(s => s.Length > 0).ToArray();

    public bool IsEmpty => _stops.Length == 0;

    /// <summary>Adds text; returns what can be shown now and whether a stop string was reached.</summary>
    public (string Emit, bool Stopped) Push(ReadOnlySpan<char> text)
    {
        _pending.Append(text);
        var s = _pending.ToString();
        var first = -1;
        foreach (var stop in _stops)
        {
            var i = s.IndexOf(stop, StringComparison.Ordinal);
            if (i >= 0 && (first < 0 || i < first)) first = i;
        }
        if (first >= 0)
        {
            _pending.Clear();
            return (s[..first], true);
        }
        var hold = 0;
        foreach (var stop in _stops)
        {
            for (var k = Math.Min(stop.Length - 1, s.Length); k > hold; k--)
            {
                if (s.AsSpan(s.Length - k).SequenceEqual(stop.AsSpan(0, k))) { hold = k; break; }
            }
        }
        _pending.Clear();
        _pending.Append(s.AsSpan(s.Length - hold));
        return (s[..^hold], false);
    }

    public string Flush()
    {
        var s = _pending.ToString();
        _pending.Clear();
        return s;
    }
}
