using System.Text.RegularExpressions;
using Xunit;

namespace LocalQa.Core.Tests.Architecture;

/// <summary>
/// No test waits for time to pass or compares an elapsed time with a fixed number: CI has failed
/// on a slower machine and on a faster one. A test that races synchronizes on an event (a hook, a
/// held response, a signal it waits for); a wait on a child or a task carries a named hang guard
/// (CliRunner.HangGuard), which turns a hang into a message and never decides a pass. A ratio of
/// two timings taken in the same test may stay: both move with the machine.
/// </summary>
public sealed partial class ClockFreeTestsTests
{
    // A sleep, a delay other than an infinite one, a token that cancels itself after a time, a
    // wait with a literal number of milliseconds, or an assertion on an elapsed time.
    [GeneratedRegex(@"Thread\.Sleep\(|Task\.Delay\((?!Timeout\.Infinite)|\.CancelAfter\(|WaitForExit\(\d|\.Wait\(\d|Assert[^;]*\.Elapsed\b")]
    private static partial Regex ClockUse();

    [Fact]
    public void No_test_sleeps_or_asserts_on_elapsed_time()
    {
        var found = new List<string>();
        var tests = Path.Combine(TestPaths.RepoRoot, "tests");
        foreach (var file in Directory.EnumerateFiles(tests, "*.cs", SearchOption.AllDirectories))
        {
            var relative = Path.GetRelativePath(tests, file).Replace('\\', '/');
            if (relative.Contains("/obj/", StringComparison.Ordinal) || relative.Contains("/bin/", StringComparison.Ordinal)) continue;
            if (relative.EndsWith(nameof(ClockFreeTestsTests) + ".cs", StringComparison.Ordinal)) continue;
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var code = lines[i].TrimStart();
                if (code.StartsWith("//", StringComparison.Ordinal) || code.StartsWith("///", StringComparison.Ordinal)) continue;
                if (ClockUse().IsMatch(code)) found.Add($"tests/{relative}:{i + 1}: {code}");
            }
        }
        Assert.True(found.Count == 0,
            "Tests that depend on how fast the machine is; wait for an event instead (see the class comment):\n" + string.Join("\n", found));
    }

    [Theory]
    [InlineData("Thread.Sleep(10);")]
    [InlineData("await Task.Delay(250, ct);")]
    [InlineData("cts.CancelAfter(TimeSpan.FromMilliseconds(250));")]
    [InlineData("Assert.True(p.WaitForExit(30_000));")]
    [InlineData("Assert.True(r.Elapsed < TimeSpan.FromSeconds(2));")]
    public void The_scan_catches_each_kind(string line) => Assert.Matches(ClockUse(), line);

    [Theory]
    [InlineData("await Task.Delay(Timeout.Infinite, _stop.Token);")]
    [InlineData("Assert.True(p.WaitForExit(CliRunner.HangGuard));")]
    [InlineData("Assert.True(ratio < 1.8);")]
    public void The_scan_lets_events_and_guards_pass(string line) => Assert.DoesNotMatch(ClockUse(), line);
}
