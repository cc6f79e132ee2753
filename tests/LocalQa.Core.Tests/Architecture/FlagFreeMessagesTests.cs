using System.Text.RegularExpressions;
using Xunit;

namespace LocalQa.Core.Tests.Architecture;

/// <summary>
/// The library's messages, fixes and notes name no command-line flag: a .NET user or the Semantic
/// Kernel plugin has none to pass. A fix that concerns an option names it in
/// <see cref="InvalidInputException.Setting"/>, and the command line adds its own flag (CliErrors).
/// Checked on the source text, since a message is only a string until it is thrown.
/// </summary>
public sealed partial class FlagFreeMessagesTests
{
    /// <summary>It defines each setting's flag, as data the command line builds its options from.</summary>
    private const string FlagDefinitions = "Configuration/SettingDefinitions.cs";

    // A quote, then on the same line and with no quote in between, "--" and a lowercase word: the text
    // of a string literal (plain, verbatim or interpolated) that names a flag. A decrement has no letter
    // after it, and comments are skipped line by line.
    [GeneratedRegex("\"[^\"]*(?<![\\w-])--[a-z][a-z-]*[a-z]")]
    private static partial Regex FlagInLiteral();

    [Fact]
    public void No_string_in_the_library_names_a_command_line_flag()
    {
        var found = new List<string>();
        foreach (var (relative, line, text) in FlagLines())
        {
            if (relative == FlagDefinitions) continue;
            found.Add($"src/LocalQa.Core/{relative}:{line}: {text}");
        }
        Assert.True(
            found.Count == 0,
            "Library strings name command-line flags; say what to do in plain words and set Setting to the settings key or option property instead (CliErrors adds the flag):\n"
            + string.Join("\n", found));
    }

    private static IEnumerable<(string Relative, int Line, string Text)> FlagLines()
    {
        var root = Path.Combine(TestPaths.RepoRoot, "src", "LocalQa.Core");
        var sep = Path.DirectorySeparatorChar;
        foreach (var file in Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            var relative = Path.GetRelativePath(root, file).Replace(sep, '/');
            if (relative.StartsWith("obj/", StringComparison.Ordinal) || relative.StartsWith("bin/", StringComparison.Ordinal)) continue;
            var lines = File.ReadAllLines(file);
            for (var i = 0; i < lines.Length; i++)
            {
                var trimmed = lines[i].TrimStart();
                if (trimmed.StartsWith("//", StringComparison.Ordinal) || trimmed.StartsWith('*')) continue;
                if (FlagInLiteral().IsMatch(lines[i])) yield return (relative, i + 1, trimmed);
            }
        }
    }
}
