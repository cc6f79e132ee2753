using System.Diagnostics;

using LocalQa.Core;

namespace LocalQa.Bench;

/// <summary>
/// The process's peak resident memory (<see cref="Process.PeakWorkingSet64"/>), measured around a
/// piece of work. On Linux the kernel's high-water mark is reset before the work (writing 5 to
/// /proc/self/clear_refs), so the figure is the peak during the work; elsewhere it is the peak since
/// the process started. Either way it includes the process's baseline (runtime, loaded models).
/// </summary>
public sealed class PeakMemory
{
    private long _processPeak;

    /// <summary>The largest peak seen by this tracker over the process's life, in bytes.</summary>
    public long ProcessPeakBytes
    {
        get
        {
            _processPeak = Math.Max(_processPeak, Read());
            return _processPeak;
        }
    }

    /// <summary>Runs <paramref name="work"/>; returns the peak resident bytes during it, and whether the peak could be reset first.</summary>
    public (long PeakBytes, bool IsolatedPeak) Measure(Action work)
    {
        ArgumentNullException.ThrowIfNull(work);
        _processPeak = Math.Max(_processPeak, Read());
        var reset = TryReset();
        work();
        var peak = Read();
        _processPeak = Math.Max(_processPeak, peak);
        return (peak, reset);
    }

    private static long Read()
    {
        using var self = Process.GetCurrentProcess();
        self.Refresh();
        return self.PeakWorkingSet64;
    }

    private static bool TryReset()
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            File.WriteAllText("/proc/self/clear_refs", "5");
            return true;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}
