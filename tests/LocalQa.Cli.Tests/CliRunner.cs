using System.Diagnostics;
using System.Text;

namespace LocalQa.Cli.Tests;

/// <summary>Runs the real <c>localqa</c> in a child process, as a user would, with its own data folder.</summary>
internal sealed class CliRunner : IDisposable
{
    public CliRunner()
    {
        Home = Directory.CreateTempSubdirectory("localqa-cli-home-").FullName;
    }

    /// <summary>LOCALQA_HOME of the child: a fresh index and cache per runner.</summary>
    public string Home { get; }

    public static string RepoRoot { get; } = FindRoot();

    /// <summary>
    /// How long a test waits for a child that should have ended before calling it hung: a guard
    /// that turns a hang into a failure with a message, never a measure of speed (no test passes
    /// or fails by how fast this machine is), so it is far beyond any command's run.
    /// </summary>
    public static TimeSpan HangGuard { get; } = TimeSpan.FromMinutes(5);

    public static string LocalQaDll { get; } = Path.Combine(AppContext.BaseDirectory, "localqa.dll");

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "LocalQa.sln"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("LocalQa.sln not found");
    }

    public sealed record Result(int ExitCode, string Out, string Err);

    /// <param name="interruptible">
    /// Start the child with SIGINT's default disposition. A test run started in the background by a
    /// shell without job control inherits SIGINT ignored, the child with it, and .NET keeps an
    /// ignored SIGINT ignored (as a background job should): Ctrl+C tests then wait forever.
    /// </param>
    /// <param name="keepStdinOpen">Leave the child's stdin open for the test to write (a server that ends when it closes).</param>
    public Process Start(IEnumerable<string> args, string? stdin = null, IDictionary<string, string?>? env = null, string? workingDirectory = null, bool interruptible = false, bool keepStdinOpen = false)
    {
        var psi = new ProcessStartInfo(interruptible ? "env" : "dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? Home,
            StandardOutputEncoding = Encoding.UTF8,
            StandardErrorEncoding = Encoding.UTF8,
        };
        if (interruptible)
        {
            // coreutils' env (8.31 and later) resets the disposition before it runs dotnet.
            psi.ArgumentList.Add("--default-signal=INT");
            psi.ArgumentList.Add("dotnet");
        }
        psi.ArgumentList.Add(LocalQaDll);
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["LOCALQA_HOME"] = Home;
        foreach (var k in new[] { "LOCALQA_MODEL", "LOCALQA_EMBED_MODEL", "LOCALQA_INDEX" }) psi.Environment.Remove(k);
        if (env is not null) foreach (var (k, v) in env) psi.Environment[k] = v;
        var p = Process.Start(psi)!;
        if (stdin is not null) p.StandardInput.Write(stdin);
        if (!keepStdinOpen) p.StandardInput.Close();
        return p;
    }

    public Result Run(params string[] args) => Run(args, null);

    public Result Run(IEnumerable<string> args, string? stdin, IDictionary<string, string?>? env = null)
    {
        using var p = Start(args, stdin, env);
        var outTask = p.StandardOutput.ReadToEndAsync();
        var errTask = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(HangGuard))
        {
            p.Kill(entireProcessTree: true);
            throw new TimeoutException($"localqa {string.Join(' ', args)} hung: still running after {HangGuard.TotalMinutes} minutes");
        }
        return new Result(p.ExitCode, outTask.Result, errTask.Result);
    }

    public void Dispose()
    {
        try { Directory.Delete(Home, recursive: true); }
        catch (IOException) { }
        catch (UnauthorizedAccessException) { }
    }
}
