using System.Text.RegularExpressions;

namespace LocalQa.Core.Answering;

/// <summary>Citation markers in a generated answer: [1], [2][3], [1, 4].</summary>
internal static partial class Citations
{
    /// <summary>The passage numbers cited, in first-mention order, and markers that point at no passage.</summary>
    public static (IReadOnlyList<int> Cited, IReadOnlyList<string> Invalid) Parse(string answer, int passageCount)
    {
        ArgumentNullException.ThrowIfNull(answer);
        var cited = new List<int>();
        var invalid = new List<string>();
        foreach (Match m in Marker().Matches(answer))
        {
            foreach (var part in m.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                if (int.TryParse(part, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) && n >= 1 && n <= passageCount)
                {
                    if (!cited.Contains(n)) cited.Add(n);
                }
                else if (!invalid.Contains("[" + part + "]"))
                {
                    invalid.Add("[" + part + "]");
                }
            }
        }
        return (cited, invalid);
    }

    [GeneratedRegex(@"\[(\s*\d+(?:\s*,\s*\d+)*\s*)\]")]
    private static partial Regex Marker();
}
