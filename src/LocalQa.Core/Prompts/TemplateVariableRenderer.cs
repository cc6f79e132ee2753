using System.Text;
using System.Text.RegularExpressions;

namespace LocalQa.Core.Prompts;

/// <summary>
/// Renders the subset of Semantic Kernel's template syntax that LocalQa's prompt files may use:
/// <c>{{$name}}</c> (looked up ignoring case, as SK does), and the literal blocks
/// <c>{{ "text" }}</c> / <c>{{ 'text' }}</c> (a backslash escapes the next character), with values
/// inserted as they are. Anything else was refused when the file was loaded
/// (<see cref="PromptLibrary"/>), so a Core-only program renders every accepted file without
/// Semantic Kernel; a test renders the repository's prompts both ways and compares.
/// </summary>
public sealed class TemplateVariableRenderer : IPromptRenderer
{
    /// <summary>The renderer; it holds no state, so one instance serves every library.</summary>
    public static TemplateVariableRenderer Instance { get; } = new();

    /// <inheritdoc/>
    public Func<IReadOnlyDictionary<string, string>, CancellationToken, ValueTask<string>> Compile(string file, string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        // Split once at load: literal text and blocks alternate, so a render is a join.
        var parts = new List<(string Text, string? Variable)>();
        var last = 0;
        foreach (Match m in PromptLibrary.Block().Matches(text))
        {
            parts.Add((text[last..m.Index], null));
            var content = m.Groups[1].Value.Trim();
            if (content.StartsWith('$'))
            {
                parts.Add(("", content[1..]));
            }
            else if (content.Length >= 2 && content[0] is '"' or '\'' && content[^1] == content[0])
            {
                parts.Add((Unescape(content[1..^1]), null));
            }
            else
            {
                throw new InvalidInputException($"Prompt file '{file}' uses {m.Value}, which LocalQa cannot render: its prompts call no functions.",
                    "Use only {{$variable}} blocks and quoted literals.");
            }
            last = m.Index + m.Length;
        }
        parts.Add((text[last..], null));

        return (values, _) =>
        {
            ArgumentNullException.ThrowIfNull(values);
            var sb = new StringBuilder(text.Length + values.Values.Sum(v => v.Length));
            foreach (var (literal, variable) in parts)
            {
                if (variable is null)
                {
                    sb.Append(literal);
                    continue;
                }
                foreach (var (key, value) in values)
                {
                    if (string.Equals(key, variable, StringComparison.OrdinalIgnoreCase))
                    {
                        sb.Append(value);
                        break;
                    }
                }
            }
            return ValueTask.FromResult(sb.ToString());
        };
    }

    private static string Unescape(string literal)
    {
        if (!literal.Contains('\\', StringComparison.Ordinal)) return literal;
        var sb = new StringBuilder(literal.Length);
        for (var i = 0; i < literal.Length; i++)
        {
            if (literal[i] == '\\' && i + 1 < literal.Length) i++;
            sb.Append(literal[i]);
        }
        return sb.ToString();
    }
}
