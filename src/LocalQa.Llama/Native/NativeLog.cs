using System.Text;
using LLama.Native;

namespace LocalQa.Llama.Native;

/// <summary>
/// Routes llama.cpp's log into managed code: errors are remembered (so an exception can carry the
/// native reason, e.g. why a model failed to load) and nothing reaches stderr unless the host asks
/// (<see cref="LlamaRuntime.NativeLogLevel"/>; the command line reads LOCALQA_LOG).
/// </summary>
internal static class NativeLog
{
    private static readonly Lock Gate = new();
    private static readonly Queue<string> Recent = new();
    private static readonly StringBuilder Pending = new();
    private static LLamaLogLevel s_pendingLevel;
    private static volatile NativeLogLevel s_level;

    /// <summary>The least severe line written to stderr; <see cref="NativeLogLevel.None"/> writes none.</summary>
    internal static NativeLogLevel Level
    {
        get => s_level;
        set => s_level = value;
    }

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
            // On the same scale as Rank: debug 1, info 2, warning 3; none writes nothing.
            var threshold = s_level switch { NativeLogLevel.Debug => 1, NativeLogLevel.Info => 2, NativeLogLevel.Warning => 3, _ => int.MaxValue };
            if (Rank(s_pendingLevel) >= threshold) Console.Error.WriteLine(line);
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
