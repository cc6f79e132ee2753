using System.Globalization;
using System.Text;

namespace LocalQa.Core.Tokenization;

/// <summary>
/// The character classes llama.cpp's tokenizers test (unicode.cpp <c>unicode_cpt_flags</c>), from
/// .NET's Unicode data: its pre-tokenizers split on these, so the managed ones must see the same.
/// </summary>
[Flags]
internal enum CodepointClass : ushort
{
    /// <summary>Past the end of the text: llama.cpp's "out of range", which matches nothing.</summary>
    None = 0,
    Undefined = 1,
    Number = 2,
    Letter = 4,
    Separator = 8,
    AccentMark = 16,
    Punctuation = 32,
    Symbol = 64,
    Control = 128,
    Whitespace = 256,
}

internal static class Codepoints
{
    /// <summary>The class of one code point. Whitespace is Unicode's White_Space property, as in llama.cpp.</summary>
    public static CodepointClass Classify(int cp)
    {
        var category = cp <= 0x10FFFF && (cp < 0xD800 || cp > 0xDFFF)
            ? Rune.GetUnicodeCategory(new Rune(cp))
            : UnicodeCategory.OtherNotAssigned;
        var c = category switch
        {
            UnicodeCategory.DecimalDigitNumber or UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => CodepointClass.Number,
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter => CodepointClass.Letter,
            UnicodeCategory.SpaceSeparator or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator => CodepointClass.Separator,
            UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.EnclosingMark => CodepointClass.AccentMark,
            UnicodeCategory.ConnectorPunctuation or UnicodeCategory.DashPunctuation or UnicodeCategory.OpenPunctuation
                or UnicodeCategory.ClosePunctuation or UnicodeCategory.InitialQuotePunctuation or UnicodeCategory.FinalQuotePunctuation
                or UnicodeCategory.OtherPunctuation => CodepointClass.Punctuation,
            UnicodeCategory.MathSymbol or UnicodeCategory.CurrencySymbol or UnicodeCategory.ModifierSymbol or UnicodeCategory.OtherSymbol => CodepointClass.Symbol,
            UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.Surrogate or UnicodeCategory.PrivateUse => CodepointClass.Control,
            _ => CodepointClass.Undefined,
        };
        if (IsWhitespace(cp)) c |= CodepointClass.Whitespace;
        return c;
    }

    /// <summary>Unicode's White_Space property (llama.cpp's <c>unicode_set_whitespace</c>).</summary>
    public static bool IsWhitespace(int cp) => cp switch
    {
        >= 0x09 and <= 0x0D or 0x20 or 0x85 or 0xA0 or 0x1680 or >= 0x2000 and <= 0x200A
            or 0x2028 or 0x2029 or 0x202F or 0x205F or 0x3000 => true,
        _ => false,
    };

    /// <summary>
    /// The code point at <paramref name="index"/> and how many UTF-16 units it spans. A lone surrogate
    /// reads as U+FFFD, which is what llama.cpp sees after the text is encoded as UTF-8.
    /// </summary>
    public static int At(ReadOnlySpan<char> text, int index, out int length)
    {
        var c = text[index];
        if (!char.IsSurrogate(c))
        {
            length = 1;
            return c;
        }
        if (char.IsHighSurrogate(c) && index + 1 < text.Length && char.IsLowSurrogate(text[index + 1]))
        {
            length = 2;
            return char.ConvertToUtf32(c, text[index + 1]);
        }
        length = 1;
        return 0xFFFD;
    }

    /// <summary>True when the text holds an unpaired surrogate (which UTF-8 turns into U+FFFD).</summary>
    public static bool HasLoneSurrogate(ReadOnlySpan<char> text)
    {
        // A plain loop: span.IndexOfAnyInRange allocated 96 bytes a call here (measured), and counting must not.
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (!char.IsSurrogate(c)) continue;
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
                continue;
            }
            return true;
        }
        return false;
    }

    /// <summary>The text with every unpaired surrogate replaced by U+FFFD, as UTF-8 encoding does.</summary>
    public static string ReplaceLoneSurrogates(ReadOnlySpan<char> text)
    {
        var sb = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length;)
        {
            _ = At(text, i, out var n);
            if (n == 1 && char.IsSurrogate(text[i])) sb.Append('\uFFFD');
            else sb.Append(text.Slice(i, n));
            i += n;
        }
        return sb.ToString();
    }
}
