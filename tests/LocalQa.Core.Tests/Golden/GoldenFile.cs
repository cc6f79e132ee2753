using System.Text;
using Xunit;

namespace LocalQa.Core.Tests.Golden;

/// <summary>
/// Compares a test's output with a checked-in golden file. On a mismatch the output is written
/// beside the test binaries as <c>NAME.received.txt</c> and the failure shows the first differing
/// lines. Set LOCALQA_UPDATE_GOLDEN=1 to (re)write golden files from the output; a golden file is
/// then read and reviewed by a person, never edited to make a test pass.
/// </summary>
internal static class GoldenFile
{
    private const int ContextLines = 2;
    private const int MaxDifferences = 8;

    public static void AssertMatches(string name, string actual)
    {
        var goldenPath = Path.Combine(TestPaths.GoldenFolder, name);
        actual = Normalize(actual);
        if (Environment.GetEnvironmentVariable("LOCALQA_UPDATE_GOLDEN") == "1")
        {
            File.WriteAllText(goldenPath, actual, new UTF8Encoding(false));
            return;
        }

        if (!File.Exists(goldenPath))
        {
            var written = WriteReceived(name, actual);
            Assert.Fail($"Golden file {goldenPath} is missing. The output was written to {written}; review it and copy it there (or run with LOCALQA_UPDATE_GOLDEN=1).");
        }

        var expected = Normalize(File.ReadAllText(goldenPath));
        var message = Compare(name, expected, actual);
        if (message is not null)
        {
            Assert.Fail($"{message}{Environment.NewLine}Full output: {WriteReceived(name, actual)}");
        }
    }

    /// <summary>A readable description of how <paramref name="actual"/> differs from <paramref name="expected"/>, or null when equal.</summary>
    public static string? Compare(string name, string expected, string actual)
    {
        if (string.Equals(expected, actual, StringComparison.Ordinal))
        {
            return null;
        }

        var expectedLines = expected.Split('\n');
        var actualLines = actual.Split('\n');
        var builder = new StringBuilder();
        builder.Append("Output differs from golden file ").Append(name).Append(": ")
            .Append(expectedLines.Length).Append(" lines expected, ").Append(actualLines.Length).AppendLine(" lines received.");

        var differences = 0;
        var max = Math.Max(expectedLines.Length, actualLines.Length);
        for (var i = 0; i < max && differences < MaxDifferences; i++)
        {
            var e = i < expectedLines.Length ? expectedLines[i] : null;
            var a = i < actualLines.Length ? actualLines[i] : null;
            if (string.Equals(e, a, StringComparison.Ordinal))
            {
                continue;
            }

            differences++;
            builder.Append("@@ line ").Append(i + 1).AppendLine(" @@");
            for (var c = Math.Max(0, i - ContextLines); c < i; c++)
            {
                builder.Append("  ").AppendLine(Shorten(expectedLines[c]));
            }

            builder.Append("- ").AppendLine(e is null ? "(no line)" : Shorten(e));
            builder.Append("+ ").AppendLine(a is null ? "(no line)" : Shorten(a));

            // Report a single shifted line (inserted or removed) once, not as every line after it.
            if (e is not null && a is not null && i + 1 < actualLines.Length && string.Equals(e, actualLines[i + 1], StringComparison.Ordinal))
            {
                builder.AppendLine("  (a line was inserted here; later lines shift by one)");
                break;
            }

            if (e is not null && a is not null && i + 1 < expectedLines.Length && string.Equals(expectedLines[i + 1], a, StringComparison.Ordinal))
            {
                builder.AppendLine("  (a line was removed here; later lines shift by one)");
                break;
            }
        }

        return builder.ToString();
    }

    private static string Shorten(string line) => line.Length <= 160 ? line : string.Concat(line.AsSpan(0, 157), "...");

    private static string Normalize(string text) => text.ReplaceLineEndings("\n");

    /// <summary>Writes the output beside the test binaries, or in the temp folder when those are read-only; returns where.</summary>
    private static string WriteReceived(string name, string text)
    {
        foreach (var folder in new[] { Path.Combine(AppContext.BaseDirectory, "received"), Path.Combine(Path.GetTempPath(), "localqa-received") })
        {
            var path = Path.Combine(folder, name + ".received.txt");
            try
            {
                Directory.CreateDirectory(folder);
                File.WriteAllText(path, text, new UTF8Encoding(false));
                return path;
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Try the next folder.
            }
        }

        return "(nowhere: no writable folder)";
    }
}
