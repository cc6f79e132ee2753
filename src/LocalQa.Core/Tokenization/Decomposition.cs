using System.Text;

namespace LocalQa.Core.Tokenization;

/// <summary>
/// The two character maps of llama.cpp's WordPiece preprocessing: a code point becomes the first
/// code point of its canonical decomposition (unicode_cpts_normalize_nfd keeps one code point per
/// code point, so "é" becomes "e" and its accent is gone), and lowercase is the simple mapping.
/// </summary>
internal static class Decomposition
{
    public static int First(int cp)
    {
        if (cp < 0xC0) return cp;
        if (cp is >= 0xAC00 and <= 0xD7A3) return 0x1100 + (cp - 0xAC00) / 588; // Hangul syllable: its leading jamo
        var pairs = DecompositionData.Pairs;
        int lo = 0, hi = pairs.Length / 2 - 1;
        while (lo <= hi)
        {
            var mid = (lo + hi) >>> 1;
            var key = pairs[2 * mid];
            if (key == cp) return pairs[2 * mid + 1];
            if (key < cp) lo = mid + 1;
            else hi = mid - 1;
        }
        return cp;
    }

    public static int Lower(int cp) =>
        cp < 0x80 ? (cp is >= 'A' and <= 'Z' ? cp + 32 : cp)
        : Rune.IsValid(cp) ? Rune.ToLowerInvariant(new Rune(cp)).Value : cp;
}
