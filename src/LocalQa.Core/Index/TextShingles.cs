using System.Buffers;
using System.Globalization;
using System.Text;

namespace LocalQa.Core.Index;

/// <summary>
/// Splits text into words the way FTS5's unicode61 tokenizer does (letters, digits and combining
/// marks are word characters; everything else separates), without allocating a string per word.
/// </summary>
internal ref struct WordEnumerator
{
    private readonly ReadOnlySpan<char> _text;
    private int _position;

    public WordEnumerator(ReadOnlySpan<char> text)
    {
        _text = text;
        _position = 0;
        Current = default;
    }

    /// <summary>The current word as a (start, length) pair into the text.</summary>
    public (int Start, int Length) Current { get; private set; }

    public readonly WordEnumerator GetEnumerator() => this;

    public bool MoveNext()
    {
        var text = _text;
        var i = _position;
        while (i < text.Length)
        {
            var width = WordCharWidth(text, i);
            if (width > 0)
            {
                break;
            }

            i += -width;
        }

        if (i >= text.Length)
        {
            _position = i;
            return false;
        }

        var start = i;
        while (i < text.Length)
        {
            var width = WordCharWidth(text, i);
            if (width <= 0)
            {
                break;
            }

            i += width;
        }

        _position = i;
        Current = (start, i - start);
        return true;
    }

    /// <summary>Positive width for a word character at <paramref name="index"/>, negative width for a separator.</summary>
    private static int WordCharWidth(ReadOnlySpan<char> text, int index)
    {
        var c = text[index];
        if (char.IsAscii(c))
        {
            return char.IsAsciiLetterOrDigit(c) ? 1 : -1;
        }

        if (Rune.DecodeFromUtf16(text[index..], out var rune, out var consumed) != OperationStatus.Done)
        {
            return -1;
        }

        var category = Rune.GetUnicodeCategory(rune);
        var isWord = Rune.IsLetterOrDigit(rune)
            || category is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark or UnicodeCategory.OtherNumber;
        return isWord ? consumed : -consumed;
    }
}

/// <summary>
/// Word n-gram shingles hashed to 64 bits, the basis of near-duplicate detection for whole
/// documents (MinHash) and for passages (exact Jaccard over small sets).
/// </summary>
internal static class TextShingles
{
    /// <summary>Calls <paramref name="onShingle"/> for every hashed word n-gram; a text shorter than n words yields one shingle of all its words.</summary>
    public static void ForEachShingle<TState>(ReadOnlySpan<char> text, int wordsPerShingle, ref TState state, ShingleAction<TState> onShingle)
        where TState : allows ref struct
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(wordsPerShingle, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(wordsPerShingle, 16);
        Span<ulong> window = stackalloc ulong[wordsPerShingle];
        var seen = 0;
        foreach (var (start, length) in new WordEnumerator(text))
        {
            window[seen % wordsPerShingle] = HashWord(text.Slice(start, length));
            seen++;
            if (seen >= wordsPerShingle)
            {
                onShingle(ref state, HashWindow(window, seen % wordsPerShingle));
            }
        }

        if (seen is > 0 && seen < wordsPerShingle)
        {
            onShingle(ref state, HashWindow(window[..seen], 0));
        }
    }

    /// <summary>The distinct shingle hashes of a text.</summary>
    public static HashSet<ulong> ShingleSet(ReadOnlySpan<char> text, int wordsPerShingle)
    {
        var set = new HashSet<ulong>();
        ForEachShingle(text, wordsPerShingle, ref set, static (ref HashSet<ulong> s, ulong h) => s.Add(h));
        return set;
    }

    /// <summary>|A ∩ B| / |A ∪ B|; 0 when both are empty.</summary>
    public static double Jaccard(HashSet<ulong> a, HashSet<ulong> b)
    {
        if (a.Count == 0 && b.Count == 0)
        {
            return 0;
        }

        var common = CountCommon(a, b);
        return (double)common / (a.Count + b.Count - common);
    }

    /// <summary>|A ∩ B| / min(|A|, |B|): catches a passage wholly contained in a longer one.</summary>
    public static double Containment(HashSet<ulong> a, HashSet<ulong> b)
    {
        if (a.Count == 0 || b.Count == 0)
        {
            return 0;
        }

        return (double)CountCommon(a, b) / Math.Min(a.Count, b.Count);
    }

    /// <summary>|A ∩ B|, probing the larger set with the smaller.</summary>
    private static int CountCommon(HashSet<ulong> a, HashSet<ulong> b)
    {
        var (small, large) = a.Count <= b.Count ? (a, b) : (b, a);
        var common = 0;
        foreach (var h in small)
        {
            if (large.Contains(h))
            {
                common++;
            }
        }

        return common;
    }

    /// <summary>SplitMix64's finalizer: a cheap, well-mixed 64-bit permutation.</summary>
    public static ulong Mix(ulong x)
    {
        x ^= x >> 30;
        x *= 0xBF58476D1CE4E5B9UL;
        x ^= x >> 27;
        x *= 0x94D049BB133111EBUL;
        x ^= x >> 31;
        return x;
    }

    /// <summary>FNV-1a over the lower-cased UTF-16 code units, so "Meta" and "META" are one word.</summary>
    private static ulong HashWord(ReadOnlySpan<char> word)
    {
        var hash = 0xCBF29CE484222325UL;
        foreach (var c in word)
        {
            hash = (hash ^ char.ToLowerInvariant(c)) * 0x100000001B3UL;
        }

        return hash;
    }

    private static ulong HashWindow(ReadOnlySpan<ulong> window, int oldest)
    {
        var hash = 0x9E3779B97F4A7C15UL;
        for (var i = 0; i < window.Length; i++)
        {
            hash = Mix(hash ^ window[(oldest + i) % window.Length]);
        }

        return hash;
    }
}

internal delegate void ShingleAction<TState>(ref TState state, ulong shingle)
    where TState : allows ref struct;
