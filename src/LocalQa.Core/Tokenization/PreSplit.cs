using System.Buffers;
using System.Text;
using System.Text.RegularExpressions;

namespace LocalQa.Core.Tokenization;

/// <summary>A growable list of (start, length) pieces of a text, on pooled arrays; reused, never shared between threads.</summary>
internal sealed class Segments : IDisposable
{
    private int[] _items = ArrayPool<int>.Shared.Rent(64);

    public int Count { get; private set; }

    public (int Start, int Length) this[int i] => (_items[2 * i], _items[2 * i + 1]);

    public void Add(int start, int length)
    {
        if (length <= 0) return;
        if (2 * Count + 2 > _items.Length)
        {
            var bigger = ArrayPool<int>.Shared.Rent(_items.Length * 2);
            _items.AsSpan(0, 2 * Count).CopyTo(bigger);
            ArrayPool<int>.Shared.Return(_items);
            _items = bigger;
        }
        _items[2 * Count] = start;
        _items[2 * Count + 1] = length;
        Count++;
    }

    public void Clear() => Count = 0;

    public void Dispose()
    {
        ArrayPool<int>.Shared.Return(_items);
        _items = [];
    }
}

/// <summary>
/// One stage of llama.cpp's BPE pre-tokenization (<c>unicode_regex_split</c>): it cuts each piece
/// of the previous stage further; the pieces between matches are pieces too.
/// </summary>
internal abstract class SplitStage
{
    /// <summary>Cuts text[start..start+length] and appends the pieces (absolute offsets) to <paramref name="output"/>.</summary>
    public abstract void Split(ReadOnlySpan<char> text, int start, int length, Segments output);

    /// <summary>The stage llama.cpp runs for a regex: its hand-written splitters for the GPT-2 and Llama 3
    /// expressions, otherwise the regex on the text collapsed to one character per category.</summary>
    public static SplitStage For(string regex) => regex switch
    {
        Gpt2Regex => new Gpt2Split(),
        Llama3Regex or Llama3RegexOriginal => new Llama3Split(),
        _ => new CollapsedRegexSplit(regex),
    };

    public const string Gpt2Regex = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)";
    public const string Llama3Regex = @"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";
    private const string Llama3RegexOriginal = @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    /// <summary>Reads code points of one piece: past its end, class None and code point -1.</summary>
    protected readonly ref struct Piece(ReadOnlySpan<char> text, int start, int end)
    {
        private readonly ReadOnlySpan<char> _text = text;

        public int End { get; } = end;

        public int Start { get; } = start;

        public int Cp(int pos) => pos < End ? Codepoints.At(_text, pos, out _) : -1;

        public CodepointClass Class(int pos) => pos < End ? Codepoints.Classify(Codepoints.At(_text, pos, out _)) : CodepointClass.None;

        public int Next(int pos)
        {
            if (pos >= End) return pos + 1;
            Codepoints.At(_text, pos, out var n);
            return pos + n;
        }
    }

    protected const CodepointClass WordLike = CodepointClass.Whitespace | CodepointClass.Letter | CodepointClass.Number;
}

/// <summary>llama.cpp's <c>unicode_regex_split_custom_gpt2</c>, by the same rules, on UTF-16 offsets.</summary>
internal sealed class Gpt2Split : SplitStage
{
    public override void Split(ReadOnlySpan<char> text, int start, int length, Segments output)
    {
        var p = new Piece(text, start, start + length);
        var prev = start;
        var pos = start;
        while (pos < p.End)
        {
            var cp = p.Cp(pos);
            var cls = p.Class(pos);
            if (cp == '\'' && p.Next(pos) < p.End)
            {
                var n1Pos = p.Next(pos);
                var n1 = p.Cp(n1Pos);
                if (n1 is 's' or 't' or 'm' or 'd')
                {
                    pos = Cut(p.Next(n1Pos));
                    continue;
                }
                var n2Pos = p.Next(n1Pos);
                if (n2Pos < p.End)
                {
                    var n2 = p.Cp(n2Pos);
                    if ((n1 == 'r' && n2 == 'e') || (n1 == 'v' && n2 == 'e') || (n1 == 'l' && n2 == 'l'))
                    {
                        pos = Cut(p.Next(n2Pos));
                        continue;
                    }
                }
            }

            var cls2 = cp == ' ' ? p.Class(p.Next(pos)) : cls;
            if ((cls2 & CodepointClass.Letter) != 0 || (cls2 & CodepointClass.Number) != 0)
            {
                var want = (cls2 & CodepointClass.Letter) != 0 ? CodepointClass.Letter : CodepointClass.Number;
                if (cp == ' ') pos = p.Next(pos);
                while ((p.Class(pos) & want) != 0) pos = p.Next(pos);
                pos = Cut(pos);
                continue;
            }
            if ((cls2 & WordLike) == 0 && cls2 != CodepointClass.None)
            {
                if (cp == ' ') pos = p.Next(pos);
                while (p.Class(pos) is var c && (c & WordLike) == 0 && c != CodepointClass.None) pos = p.Next(pos);
                pos = Cut(pos);
                continue;
            }

            var spaces = 0;
            var q = pos;
            var lastSpace = pos;
            while ((p.Class(q) & CodepointClass.Whitespace) != 0)
            {
                lastSpace = q;
                q = p.Next(q);
                spaces++;
            }
            if (spaces > 1 && q < p.End)
            {
                pos = Cut(lastSpace);
                continue;
            }
            pos = spaces > 0 ? Cut(q) : Cut(p.Next(pos));
        }

        int Cut(int end)
        {
            output.Add(prev, end - prev);
            prev = end;
            return end;
        }
    }
}

/// <summary>llama.cpp's <c>unicode_regex_split_custom_llama3</c>, by the same rules, on UTF-16 offsets.</summary>
internal sealed class Llama3Split : SplitStage
{
    public override void Split(ReadOnlySpan<char> text, int start, int length, Segments output)
    {
        var p = new Piece(text, start, start + length);
        var prev = start;
        var pos = start;
        while (pos < p.End)
        {
            var cp = p.Cp(pos);
            var cls = p.Class(pos);
            if (cp == '\'' && p.Next(pos) < p.End)
            {
                var n1Pos = p.Next(pos);
                var n1 = Lower(p.Cp(n1Pos));
                if (n1 is 's' or 't' or 'm' or 'd')
                {
                    pos = Cut(p.Next(n1Pos));
                    continue;
                }
                var n2Pos = p.Next(n1Pos);
                if (n2Pos < p.End)
                {
                    var n2 = Lower(p.Cp(n2Pos));
                    if ((n1 == 'r' && n2 == 'e') || (n1 == 'v' && n2 == 'e') || (n1 == 'l' && n2 == 'l'))
                    {
                        pos = Cut(p.Next(n2Pos));
                        continue;
                    }
                }
            }

            // [^\r\n\p{L}\p{N}]?\p{L}+
            if (!(cp == '\r' || cp == '\n' || (cls & CodepointClass.Number) != 0)
                && ((cls & CodepointClass.Letter) != 0 || (p.Class(p.Next(pos)) & CodepointClass.Letter) != 0))
            {
                pos = p.Next(pos);
                while ((p.Class(pos) & CodepointClass.Letter) != 0) pos = p.Next(pos);
                pos = Cut(pos);
                continue;
            }

            // \p{N}{1,3}
            if ((cls & CodepointClass.Number) != 0)
            {
                var run = 0;
                while ((p.Class(pos) & CodepointClass.Number) != 0)
                {
                    pos = p.Next(pos);
                    if (++run >= 3)
                    {
                        Cut(pos);
                        run = 0;
                    }
                }
                pos = Cut(pos);
                continue;
            }

            //  ?[^\s\p{L}\p{N}]+[\r\n]*
            var cls2 = cp == ' ' ? p.Class(p.Next(pos)) : cls;
            if ((cls2 & WordLike) == 0 && cls != CodepointClass.None)
            {
                if (cp == ' ') pos = p.Next(pos);
                while ((cls2 & WordLike) == 0 && cls2 != CodepointClass.None)
                {
                    pos = p.Next(pos);
                    cls2 = p.Class(pos);
                }
                while (p.Cp(pos) is '\r' or '\n') pos = p.Next(pos);
                pos = Cut(pos);
                continue;
            }

            var spaces = 0;
            var q = pos;
            var lastSpace = pos;
            var afterLastNewline = -1;
            while ((p.Class(q) & CodepointClass.Whitespace) != 0)
            {
                if (p.Cp(q) is '\r' or '\n') afterLastNewline = p.Next(q);
                lastSpace = q;
                q = p.Next(q);
                spaces++;
            }
            if (afterLastNewline >= 0)
            {
                pos = Cut(afterLastNewline);
                continue;
            }
            if (spaces > 1 && q < p.End)
            {
                pos = Cut(lastSpace);
                continue;
            }
            pos = spaces > 0 ? Cut(q) : Cut(p.Next(pos));
        }

        int Cut(int end)
        {
            output.Add(prev, end - prev);
            prev = end;
            return end;
        }
    }

    private static int Lower(int cp) => cp is >= 'A' and <= 'Z' ? cp + 32 : cp;
}

/// <summary>
/// llama.cpp's general path: every code point above ASCII becomes one stand-in character for its
/// category (letters 0xD2, numbers 0xD1, ...; whitespace becomes \v), \p{..} in the expression
/// becomes the matching class, and an ECMAScript regex runs over that. Running the same on the
/// same collapsed text gives the same pieces.
/// </summary>
internal sealed class CollapsedRegexSplit : SplitStage
{
    private readonly Regex _regex;

    public CollapsedRegexSplit(string pattern)
    {
        Pattern = pattern;
        _regex = new Regex(Collapse(pattern), RegexOptions.ECMAScript | RegexOptions.CultureInvariant);
    }

    public string Pattern { get; }

    public override void Split(ReadOnlySpan<char> text, int start, int length, Segments output)
    {
        var collapsed = ArrayPool<char>.Shared.Rent(Math.Max(1, length));
        var offsets = ArrayPool<int>.Shared.Rent(length + 1);
        try
        {
            var n = 0;
            for (var i = start; i < start + length;)
            {
                var cp = Codepoints.At(text, i, out var w);
                offsets[n] = i;
                collapsed[n++] = Stand(cp);
                i += w;
            }
            offsets[n] = start + length;
            var last = 0;
            foreach (var m in _regex.EnumerateMatches(collapsed.AsSpan(0, n)))
            {
                if (m.Index > last) output.Add(offsets[last], offsets[m.Index] - offsets[last]);
                output.Add(offsets[m.Index], offsets[m.Index + m.Length] - offsets[m.Index]);
                last = m.Index + m.Length;
            }
            if (last < n) output.Add(offsets[last], offsets[n] - offsets[last]);
        }
        finally
        {
            ArrayPool<char>.Shared.Return(collapsed);
            ArrayPool<int>.Shared.Return(offsets);
        }
    }

    private static char Stand(int cp)
    {
        if (cp < 128) return (char)cp;
        var cls = Codepoints.Classify(cp);
        if ((cls & CodepointClass.Whitespace) != 0) return '\v';
        return (cls & ~CodepointClass.Whitespace) switch
        {
            CodepointClass.Number => '\u00D1',
            CodepointClass.Letter => '\u00D2',
            CodepointClass.Punctuation => '\u00D3',
            CodepointClass.AccentMark => '\u00D4',
            CodepointClass.Symbol => '\u00D5',
            _ => '\u00D0',
        };
    }

    // llama.cpp's k_ucat_cpt and k_ucat_map: the stand-in plus the ASCII members of each category.
    private static string? ClassBody(string property) => property switch
    {
        @"\p{N}" => @"\u00D10-9",
        @"\p{L}" or @"\p{Lu}" or @"\p{Ll}" or @"\p{Lt}" or @"\p{Lm}" or @"\p{Lo}" => @"\u00D2A-Za-z",
        @"\p{P}" => @"\u00D3!-#%-*,-/:-;?-@\[-\]_\{\}",
        @"\p{M}" => @"\u00D4",
        @"\p{S}" => @"\u00D5\$\+<->\^`\|",
        _ => null,
    };

    private static string Collapse(string regex)
    {
        var sb = new StringBuilder(regex.Length * 2);
        var inside = false;
        for (var i = 0; i < regex.Length; i++)
        {
            var c = regex[i];
            if (c == '[' && (i == 0 || regex[i - 1] != '\\'))
            {
                sb.Append('[');
                inside = true;
                continue;
            }
            if (inside && c == ']' && regex[i - 1] != '\\')
            {
                sb.Append(']');
                inside = false;
                continue;
            }
            if (c == '\\' && i + 3 < regex.Length && regex[i + 1] == 'p' && regex[i + 2] == '{')
            {
                var close = regex.IndexOf('}', i + 3);
                if (close > 0 && close <= i + 10 && ClassBody(regex[i..(close + 1)]) is { } body)
                {
                    if (!inside) sb.Append('[');
                    sb.Append(body);
                    if (!inside) sb.Append(']');
                    i = close;
                    continue;
                }
            }
            sb.Append(c);
        }
        return sb.ToString();
    }
}

/// <summary>A pre-tokenizer as llama.cpp runs one: its stages in order, each cutting the pieces of the last.</summary>
internal sealed class SplitChain(SplitStage[] stages)
{
    [ThreadStatic] private static Segments? t_a;
    [ThreadStatic] private static Segments? t_b;

    public SplitStage[] Stages { get; } = stages;

    /// <summary>Splits the text; <paramref name="visit"/> sees each piece in order. Allocation-free once warm.</summary>
    public void Split<TState>(ReadOnlySpan<char> text, ref TState state, PieceVisitor<TState> visit)
    {
        if (text.IsEmpty) return;
        var a = t_a ??= new Segments();
        var b = t_b ??= new Segments();
        a.Clear();
        a.Add(0, text.Length);
        // An array, not IReadOnlyList: its enumerator would be boxed on every call.
        foreach (var stage in Stages)
        {
            b.Clear();
            for (var i = 0; i < a.Count; i++)
            {
                var (s, l) = a[i];
                stage.Split(text, s, l, b);
            }
            (a, b) = (b, a);
        }
        for (var i = 0; i < a.Count; i++)
        {
            var (s, l) = a[i];
            visit(ref state, text, s, l);
        }
    }
}

internal delegate void PieceVisitor<TState>(ref TState state, ReadOnlySpan<char> text, int start, int length);
