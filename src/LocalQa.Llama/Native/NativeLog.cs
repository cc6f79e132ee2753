using System.Text;
using LLama.Native;

namespace LocalQa.Llama.Native;

/// <summary>
/// Routes llama.cpp's log into managed code: errors are remembered (so an exception can carry the
/// native reason, e.g. why a model failed to load) and nothing reaches stderr unless LOCALQA_LOG asks.
/// </summary>
internal static class NativeLog
{
    private static readonly Lock Gate = new();
    private static readonly Queue<string> Recent = new();
    private static readonly StringBuilder Pending = new();
    private static LLamaLogLevel s_pendingLevel;
    private static readonly int Threshold = Environment.GetEnvironmentVariable("LOCALQA_LOG")?.ToLowerInvariant() switch
    {
        "debug" => 1,
        "info" => 2,
        "warn" => 3,
        _ => 5,
    };

    internal static void OnLog(LLamaLogLevel level, string text)
    {
        if (text is null) return;
        lock (Gate)
        {
            // A continuation keeps the level of the line it continues.
            if (Pending.Length == 0 && level != LLamaLogLevel.Continue) s_pendingLevel = level;
            Pending.Append(text);
            if (!text.EndsWith('\n')) return;
            var line = Pending.ToString().TrimEnd();
            Pending.Clear();
            if (s_pendingLevel is LLamaLogLevel.Warning or LLamaLogLevel.Error)
            {
                Recent.Enqueue(line);
                while (Recent.Count > 8) Recent.Dequeue();
            }
            if (Threshold < 5 && Rank(s_pendingLevel) >= Threshold) Console.Error.WriteLine(line);
        }
    }

    private static int Rank(LLamaLogLevel level) => level switch
    {
        LLamaLogLevel.Debug => 1,
        LLamaLogLevel.Info => 2,
        LLamaLogLevel.Warning => 3,
        LLamaLogLevel.Error => 4,
        _ => 0,
    };

    /// <summary>The last warnings and errors llama.cpp logged, oldest first; clears them.</summary>
    internal static string TakeRecent()
    {
        lock (Gate)
        {
            var s = string.Join(" | ", Recent);
            Recent.Clear();
            return s;
        }
    }

    internal static void Clear()
    {
        lock (Gate) Recent.Clear();
    }
}
