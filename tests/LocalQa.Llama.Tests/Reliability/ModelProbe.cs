using System.Diagnostics;
using System.Text;

namespace LocalQa.Llama.Tests.Reliability;

/// <summary>What happened to one model in the probe child.</summary>
/// <param name="Verdict">OK, REFUSED (a user error with a message), ERROR (another managed exception),
/// CRASH (the child died: a signal or an abort inside native code) or HANG (the child stopped answering).</param>
internal sealed record ProbeOutcome(string Path, string Verdict, string Detail)
{
    public bool IsFailure => Verdict is "CRASH" or "HANG" or "ERROR";
}

/// <summary>
/// Runs LocalQa.ModelProbe (tests/LocalQa.ModelProbe) in child processes: it loads each model and
/// decodes with it, as `localqa ask` would. A model that kills the child is recorded with the exit
/// code and the end of the child's standard error (llama.cpp prints GGML_ASSERT there), and a new
/// child carries on with the next model, so one crash costs one process start, not the run.
/// </summary>
internal static class ModelProbe
{
    public static string Dll { get; } = Path.Combine(AppContext.BaseDirectory, "LocalQa.ModelProbe.dll");

    /// <summary>
    /// How long the child may go without a line of output before the model it is on is called
    /// hung: a guard against a hang, far beyond any load, never a measure of speed. A child that
    /// answers is never cut short, however slow the machine.
    /// </summary>
    private static readonly TimeSpan SilenceGuard = TimeSpan.FromMinutes(2);

    public static List<ProbeOutcome> Run(IReadOnlyList<string> paths)
    {
        var outcomes = new List<ProbeOutcome>(paths.Count);
        var next = 0;
        while (next < paths.Count)
        {
            var batch = paths.Skip(next).ToList();
            var (answered, current, exitCode, stderr, timedOut) = RunChild(batch);
            outcomes.AddRange(answered);
            next += answered.Count;
            if (current is null && exitCode == 0 && !timedOut)
            {
                if (answered.Count != batch.Count)
                {
                    throw new InvalidOperationException($"The probe exited after {answered.Count} of {batch.Count} models without a verdict on the next one.\n{stderr}");
                }
                break;
            }
            // The child died or hung on `current`, or after its last verdict (then nothing is blamed twice).
            var blamed = current ?? (next < paths.Count ? paths[next] : null);
            if (blamed is null)
            {
                throw new InvalidOperationException($"The probe exited with code {exitCode} after answering every model.\n{stderr}");
            }
            outcomes.Add(new ProbeOutcome(blamed, timedOut ? "HANG" : "CRASH", $"exit code {exitCode}{Signal(exitCode)}; stderr: {Tail(stderr)}"));
            next++;
        }
        return outcomes;
    }

    private static (List<ProbeOutcome> Answered, string? Current, int ExitCode, string Stderr, bool TimedOut) RunChild(IReadOnlyList<string> paths)
    {
        var psi = new ProcessStartInfo("dotnet")
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        psi.ArgumentList.Add(Dll);
        // Native logs of warnings and errors on stderr, so a crash report shows llama.cpp's last words.
        psi.Environment["LOCALQA_LOG"] = "warn";
        // A crashing .NET process would otherwise write a core dump per mutant.
        psi.Environment["DOTNET_DbgEnableMiniDump"] = "0";
        // ggml's abort handler attaches gdb for a backtrace, which takes seconds and writes to stdout.
        psi.Environment["GGML_NO_BACKTRACE"] = "1";
        using var p = Process.Start(psi)!;
        var lines = new List<string>();
        var stdout = Task.Run(async () =>
        {
            while (await p.StandardOutput.ReadLineAsync() is { } line)
            {
                lock (lines) lines.Add(line);
            }
        });
        var stderr = p.StandardError.ReadToEndAsync();
        try
        {
            foreach (var path in paths)
            {
                p.StandardInput.WriteLine(path);
            }
            p.StandardInput.Close();
        }
        catch (IOException)
        {
            // The child died before reading everything: its output says where.
        }
        var timedOut = false;
        var seen = -1;
        while (!p.WaitForExit(SilenceGuard))
        {
            int count;
            lock (lines) count = lines.Count;
            if (count == seen)
            {
                timedOut = true;
                p.Kill(entireProcessTree: true);
                break;
            }
            seen = count;
        }
        p.WaitForExit();
        stdout.Wait();
        var answered = new List<ProbeOutcome>();
        string? current = null;
        foreach (var line in lines.Where(l => l.Length > 0))
        {
            var space = line.IndexOf(' ', StringComparison.Ordinal);
            var verdict = space > 0 ? line[..space] : line;
            var rest = space > 0 ? line[(space + 1)..] : "";
            if (verdict is not ("BEGIN" or "OK" or "REFUSED" or "ERROR"))
            {
                continue; // native code writing to stdout
            }
            if (verdict == "BEGIN")
            {
                current = rest;
                continue;
            }
            if (current is null || !rest.StartsWith(current, StringComparison.Ordinal))
            {
                throw new InvalidOperationException($"Unexpected probe output: {line}");
            }
            answered.Add(new ProbeOutcome(current, verdict, rest[current.Length..].Trim()));
            current = null;
        }
        return (answered, current, timedOut ? -1 : p.ExitCode, stderr.Result, timedOut);
    }

    private static string Signal(int exitCode) => exitCode switch
    {
        134 => " (SIGABRT: an abort or GGML_ASSERT in native code)",
        139 => " (SIGSEGV: a bad memory access in native code)",
        136 => " (SIGFPE: an arithmetic fault, such as a division by zero, in native code)",
        135 => " (SIGBUS)",
        137 => " (SIGKILL: killed, perhaps out of memory)",
        > 128 => $" (signal {exitCode - 128})",
        _ => "",
    };

    private static string Tail(string text)
    {
        var lines = text.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return string.Join(" | ", lines.TakeLast(6));
    }
}
