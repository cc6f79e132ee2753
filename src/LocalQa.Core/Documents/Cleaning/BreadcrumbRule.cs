using LocalQa.Core.Text;

namespace LocalQa.Core.Documents.Cleaning;

/// <summary>
/// Removes breadcrumb trails such as "Home › News › AI" or "Home · Meta AI (FAIR)": short lines of
/// short segments joined by separators, that start at a home page or have three segments or more.
/// </summary>
internal sealed class BreadcrumbRule : ICleaningRule
{
    private static readonly string[] Separators = [" \u00B7 ", " \u203A ", " \u00BB ", " > ", " / ", " | ", " \u2192 ", " \u2022 "];

    // "House" is how some translated sites render "Home".
    private static readonly HashSet<string> HomeWords = new(StringComparer.OrdinalIgnoreCase)
    {
        "home", "homepage", "home page", "house", "start", "main page", "front page", "index",
    };

    /// <inheritdoc/>
    public string Name => "breadcrumb";

    /// <inheritdoc/>
    public void Apply(CleaningContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        for (var i = 0; i < context.Blocks.Count; i++)
        {
            var block = context.Blocks[i];
            if (block.Kind != BlockKind.TableRow && !context.IsRemoved(i) && IsBreadcrumb(block.Text, out var current))
            {
                context.Remove(i, Name);
                context.TitleHint ??= current;
            }
        }
    }

    internal static bool IsBreadcrumb(string text, out string current)
    {
        current = "";
        if (Words.Count(text, 14) > 14 || TextShape.EndsWithPunctuation(text))
        {
            return false;
        }

        var separator = Array.Find(Separators, s => text.Contains(s, StringComparison.Ordinal));
        if (separator is null)
        {
            return false;
        }

        var segments = text.Split(separator, StringSplitOptions.TrimEntries);
        if (segments.Length < 2 || Array.Exists(segments, s => s.Length == 0 || Words.Count(s) > 5))
        {
            return false;
        }

        current = segments[^1];
        return segments.Length >= 3 || HomeWords.Contains(segments[0]);
    }
}
