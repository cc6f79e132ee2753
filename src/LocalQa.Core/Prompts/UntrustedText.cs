using System.Text.RegularExpressions;

namespace LocalQa.Core.Prompts;

/// <summary>
/// Article text is data. Before it is placed in a prompt, anything that looks like a chat-template
/// control sequence is broken up so no tokenizer can read it as a special token, and the fence
/// markup cannot be closed from inside a passage.
/// </summary>
public static partial class UntrustedText
{
    // A zero-width space splits the marker for the tokenizer while the reader still sees it.
    private const string Break = "\u200B";

    /// <summary>
    /// <paramref name="text"/> with each control marker (<c>&lt;|im_start|&gt;</c>, <c>[INST]</c>,
    /// <c>&lt;/s&gt;</c>, a passage or article tag) split by a zero-width space after its first
    /// character: it reads the same, but no longer acts as one.
    /// </summary>
    public static string Neutralize(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = ControlMarker().Replace(text, m => m.Value[..1] + Break + m.Value[1..]);
        return s;
    }

    // <|im_start|>, <|eot_id|>, [INST], [/INST], <<SYS>>, <s>, </s>, <start_of_turn>, </passage>, <article ...>
    [GeneratedRegex(@"<\|[^|<>\n]{0,40}\|>|\[/?INST\]|<</?SYS>>|</?s>|<(?:start|end)_of_turn>|</?(?:passage|article)\b", RegexOptions.IgnoreCase)]
    private static partial Regex ControlMarker();
}
