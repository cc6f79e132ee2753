using System.Globalization;

namespace LocalQa.Core.Text;

/// <summary>
/// Estimates token counts without a tokenizer, for budgeting before a model is loaded.
/// </summary>
/// <remarks>
/// <para>
/// The estimate blends a per-word cost with a per-character cost, because subword tokenizers
/// spend about one token on a common word whatever its length, a few characters per token on
/// rare long words, and one token per digit (LLaMA and Qwen vocabularies split numbers into
/// digits). Calibrated on the seed articles: about 1.35 tokens per English word (modern BPE
/// vocabularies give about 1.3; the 32k LLaMA-2 SentencePiece vocabulary gave 1.6 on the same
/// text, largely because of curly quotes and digits), and about 4 characters per token for long
/// runs of letters without spaces.
/// </para>
/// <para>
/// Whitespace costs nothing, so the count of two texts joined by whitespace is at most the sum of
/// their counts: the chunker relies on this to budget a chunk from its sentences' counts.
/// Thread-safe and allocation-free.
/// </para>
/// </remarks>
public sealed class TokenEstimator : ITokenCounter
{
    // Costs in hundredths of a token.
    private const int WordCost = 34;
    private const int ShortRunLetterCost = 16;
    private const int LongRunLetterCost = 25;
    private const int LongRunThreshold = 12;
    private const int DigitCost = 100;
    private const int PunctuationCost = 50;
    private const int OtherLetterCost = 30;
    private const int IdeographCost = 100;

    /// <summary>The shared instance.</summary>
    public static TokenEstimator Default { get; } = new();

    /// <inheritdoc/>
    public int CountTokens(ReadOnlySpan<char> text)
    {
        long cost = 0;
        var inWord = false;
        var letterRun = 0;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c))
            {
                inWord = false;
                letterRun = 0;
                continue;
            }

            if (!inWord)
            {
                inWord = true;
                cost += WordCost;
            }

            if (char.IsAsciiLetter(c))
            {
                letterRun++;
                cost += letterRun <= LongRunThreshold ? ShortRunLetterCost : LongRunLetterCost;
                continue;
            }

            letterRun = 0;
            if (char.IsAsciiDigit(c))
            {
                cost += DigitCost;
            }
            else if (c < 128)
            {
                cost += PunctuationCost;
            }
            else
            {
                cost += NonAsciiCost(c);
            }
        }

        return (int)Math.Min(int.MaxValue, (cost + 99) / 100);
    }

    private static int NonAsciiCost(char c)
    {
        var category = char.GetUnicodeCategory(c);
        if (category == UnicodeCategory.OtherLetter)
        {
            // Ideographs, kana and hangul: roughly a token per character in multilingual vocabularies.
            return IdeographCost;
        }

        return category switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter
                or UnicodeCategory.NonSpacingMark => OtherLetterCost,
            UnicodeCategory.Surrogate or UnicodeCategory.OtherSymbol => IdeographCost,
            _ => PunctuationCost,
        };
    }
}
