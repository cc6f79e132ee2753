using System.Text;

namespace LocalQa.Core.Documents;

/// <summary>
/// Caps how deeply an HTML page's elements nest before AngleSharp builds its tree. The HTML tree
/// builder checks the stack of open elements on every block start tag ("is there a p element in
/// button scope?"), which scans the whole stack when nothing on it ends the scope: with n nested
/// &lt;div&gt;s that is O(n²) work inside AngleSharp (measured: 16k levels 1.2 s, 32k 2.8 s, 64k 12 s
/// in ParseDocument alone; our walk of the tree was a small share). Browsers bound this too
/// (Blink appends elements deeper than 512 as siblings). Here tags that would open an element
/// deeper than <see cref="MaxDepth"/> are dropped with their end tags, and their text is kept, so
/// the parse stays linear and nothing readable is lost.
/// </summary>
/// <remarks>
/// The scan is an approximation of the tree builder, good enough to bound it: void elements and
/// elements whose end tag may be left out (p, li, td, option, ...) are not counted, since the
/// builder closes them itself; raw-text elements, comments and quoted attribute values are skipped.
/// A page that never nests deeper than the limit is returned unchanged (the same string).
/// </remarks>
internal static class HtmlNesting
{
    /// <summary>Far deeper than any real page nests (large web apps reach 30 to 60), shallow enough to keep every scope check cheap.</summary>
    internal const int MaxDepth = 256;

    private static readonly HashSet<string> NotCounted = new(StringComparer.OrdinalIgnoreCase)
    {
        // Void elements never hold anything.
        "area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "param", "source", "track", "wbr",
        "keygen", "frame", "basefont", "bgsound", "image",

        // The builder closes these when a sibling opens, so runs of them do not nest.
        "p", "li", "dt", "dd", "option", "optgroup", "tr", "td", "th", "thead", "tbody", "tfoot", "colgroup",
        "caption", "rb", "rt", "rtc", "rp", "html", "head", "body",
    };

    private static readonly HashSet<string> RawText = new(StringComparer.OrdinalIgnoreCase)
    {
        "script", "style", "textarea", "title", "xmp", "iframe", "noembed", "noframes", "noscript",
    };

    // An end tag does not close an element outside the scope these open (the tree builder's "in scope").
    private static readonly HashSet<string> ScopeBoundaries = new(StringComparer.OrdinalIgnoreCase)
    {
        "table", "template", "object", "marquee", "applet",
    };

    /// <summary>
    /// <paramref name="html"/> with the tags nested deeper than <paramref name="maxDepth"/> removed;
    /// <paramref name="dropped"/> says how many start tags went.
    /// </summary>
    internal static string Bound(string html, out int dropped, int maxDepth = MaxDepth)
    {
        dropped = 0;
        var open = new List<string>();
        var droppedOpen = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        StringBuilder? kept = null;
        var copiedTo = 0;
        var i = 0;
        while (i < html.Length)
        {
            var lt = html.IndexOf('<', i);
            if (lt < 0 || lt + 1 >= html.Length)
            {
                break;
            }

            var next = html[lt + 1];
            if (html.AsSpan(lt).StartsWith("<!--", StringComparison.Ordinal))
            {
                i = SkipPast(html, lt + 4, "-->");
                continue;
            }

            if (next is '!' or '?')
            {
                i = SkipPast(html, lt + 2, ">");
                continue;
            }

            var isEnd = next == '/';
            var nameStart = isEnd ? lt + 2 : lt + 1;
            if (nameStart >= html.Length || !char.IsAsciiLetter(html[nameStart]))
            {
                i = lt + 1;
                continue;
            }

            var nameEnd = nameStart;
            while (nameEnd < html.Length && !char.IsWhiteSpace(html[nameEnd]) && html[nameEnd] is not ('>' or '/'))
            {
                nameEnd++;
            }

            var name = html[nameStart..nameEnd];
            var tagEnd = TagEnd(html, nameEnd);
            i = tagEnd;
            if (NotCounted.Contains(name))
            {
                continue;
            }

            var drop = false;
            if (isEnd)
            {
                if (droppedOpen.TryGetValue(name, out var count) && count > 0)
                {
                    droppedOpen[name] = count - 1;
                    drop = true;
                }
                else
                {
                    Close(open, name);
                }
            }
            else if (RawText.Contains(name))
            {
                // Its content is text to the tree builder, whatever it looks like.
                i = SkipPast(html, tagEnd, "</" + name);
                continue;
            }
            else if (open.Count < maxDepth)
            {
                open.Add(name);
            }
            else
            {
                droppedOpen[name] = droppedOpen.GetValueOrDefault(name) + 1;
                dropped++;
                drop = true;
            }

            if (drop)
            {
                kept ??= new StringBuilder(html.Length);
                kept.Append(html, copiedTo, lt - copiedTo);
                copiedTo = tagEnd;
            }
        }

        if (kept is null)
        {
            return html;
        }

        kept.Append(html, copiedTo, html.Length - copiedTo);
        return kept.ToString();
    }

    private static void Close(List<string> open, string name)
    {
        for (var j = open.Count - 1; j >= 0; j--)
        {
            if (string.Equals(open[j], name, StringComparison.OrdinalIgnoreCase))
            {
                open.RemoveRange(j, open.Count - j);
                return;
            }

            if (ScopeBoundaries.Contains(open[j]))
            {
                return;
            }
        }
    }

    // Past the '>' that ends a tag, stepping over quoted attribute values that may hold one.
    private static int TagEnd(string html, int from)
    {
        var quote = '\0';
        var previous = '\0';
        for (var j = from; j < html.Length; j++)
        {
            var c = html[j];
            if (quote != '\0')
            {
                if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '"' or '\'' && previous == '=')
            {
                quote = c;
            }
            else if (c == '>')
            {
                return j + 1;
            }

            if (!char.IsWhiteSpace(c))
            {
                previous = c;
            }
        }

        return html.Length;
    }

    private static int SkipPast(string html, int from, string end)
    {
        var at = html.IndexOf(end, Math.Min(from, html.Length), StringComparison.OrdinalIgnoreCase);
        return at < 0 ? html.Length : at + end.Length;
    }
}
