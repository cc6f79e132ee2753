using System.Diagnostics;
using System.Globalization;
using System.Text;

namespace LocalQa.Cli.Tests.Reliability;

/// <summary>What a child process did: exit code, output, the peak resident memory and the CPU time seen.</summary>
internal sealed record ChildResult(int ExitCode, string Out, string Err, long PeakResidentBytes, TimeSpan Elapsed, TimeSpan CpuTime)
{
    public override string ToString() => $"exit {ExitCode} after {Elapsed.TotalSeconds:F1} s\nstderr: {Err}\nstdout: {(Out.Length > 2000 ? Out[..2000] + "..." : Out)}";
}

/// <summary>
/// Runs the real <c>localqa</c> as CliRunner does (its own LOCALQA_HOME, no model settings
/// inherited), optionally under a wrapper command such as <c>unshare -n</c>, and watches the
/// child's peak resident memory (VmHWM) while it runs.
/// </summary>
internal static class LocalQaProcess
{
    /// <summary>How often the child's memory and CPU time are read while it runs.</summary>
    private const int SampleMilliseconds = 20;

    public static ChildResult Run(string home, IReadOnlyList<string> args, IReadOnlyList<string>? wrapper = null,
        IDictionary<string, string?>? env = null, TimeSpan? hangGuard = null)
    {
        var command = new List<string>(wrapper ?? []) { "dotnet", CliRunner.LocalQaDll };
        command.AddRange(args);
        return RunCommand(home, command, env, hangGuard);
    }

    /// <param name="hangGuard">When a child still running is called hung (<see cref="CliRunner.HangGuard"/> by default): a guard, never a measure of speed.</param>
    public static ChildResult RunCommand(string home, IReadOnlyList<string> command, IDictionary<string, string?>? env = null, TimeSpan? hangGuard = null)
    {
        var psi = new ProcessStartInfo(command[0])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = home,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        foreach (var a in command.Skip(1)) psi.ArgumentList.Add(a);
        psi.Environment["LOCALQA_HOME"] = home;
        foreach (var k in new[] { "LOCALQA_MODEL", "LOCALQA_EMBED_MODEL", "LOCALQA_INDEX" }) psi.Environment.Remove(k);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;

        var clock = Stopwatch.StartNew();
        using var p = Process.Start(psi)!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        long peak = 0;
        var cpu = TimeSpan.Zero;
        var deadline = hangGuard ?? CliRunner.HangGuard;
        while (!p.WaitForExit(SampleMilliseconds))
        {
            // VmHWM is the kernel's own high-water mark, so polling misses nothing that happened
            // before the last read; CPU time misses at most the last 20 ms.
            peak = Math.Max(peak, TreeHighWaterMark(p.Id));
            cpu = Max(cpu, ReadCpuTime(p.Id));
            if (clock.Elapsed > deadline)
            {
                p.Kill(entireProcessTree: true);
                p.WaitForExit();
                throw new TimeoutException($"{string.Join(' ', command)} hung: still running after {deadline.TotalMinutes} minutes; stderr so far: {stderr.Result}");
            }
        }
        p.WaitForExit();
        return new ChildResult(p.ExitCode, stdout.Result, stderr.Result, peak, clock.Elapsed, cpu);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;

    /// <summary>User and system time of the process so far (/proc/PID/stat fields 14 and 15, in clock ticks of 1/100 s).</summary>
    private static TimeSpan ReadCpuTime(int pid)
    {
        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) is in parentheses and may hold spaces: count fields after it.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            var ticks = long.Parse(fields[11], CultureInfo.InvariantCulture) + long.Parse(fields[12], CultureInfo.InvariantCulture);
            return TimeSpan.FromMilliseconds(ticks * 10);
        }
        catch (IOException)
        {
            return TimeSpan.Zero;
        }
        catch (UnauthorizedAccessException)
        {
            return TimeSpan.Zero;
        }
    }

    /// <summary>
    /// The largest VmHWM of the process and its descendants: under a wrapper such as script(1) the
    /// process that matters is a grandchild.
    /// </summary>
    private static long TreeHighWaterMark(int pid)
    {
        var peak = ReadHighWaterMark(pid);
        foreach (var child in Children(pid))
        {
            peak = Math.Max(peak, TreeHighWaterMark(child));
        }

        return peak;
    }

    private static IEnumerable<int> Children(int pid)
    {
        string[] tasks;
        try
        {
            tasks = Directory.GetDirectories($"/proc/{pid}/task");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            yield break;
        }

        foreach (var task in tasks)
        {
            string children;
            try
            {
                children = File.ReadAllText(Path.Combine(task, "children"));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                continue;
            }

            foreach (var child in children.Split(' ', StringSplitOptions.RemoveEmptyEntries))
            {
                yield return int.Parse(child, CultureInfo.InvariantCulture);
            }
        }
    }

    private static long ReadHighWaterMark(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    var kb = line["VmHWM:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kb, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (IOException)
        {
            // The process ended between the check and the read.
        }
        catch (UnauthorizedAccessException)
        {
        }
        return 0;
    }
}
