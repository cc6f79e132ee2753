using System.Diagnostics;
using LocalQa.Core.Documents;
using LocalQa.Core.Text;

namespace LocalQa.Core.Chunking;

/// <summary>
/// Cuts a <see cref="Document"/> into sentence-aligned <see cref="Chunk"/>s within a token budget.
/// </summary>
/// <remarks>
/// <para>
/// A chunk is a run of whole sentences (see <see cref="SentenceSplitter"/>) whose token count is at
/// most <see cref="ChunkingOptions.MaxTokens"/>. Only a sentence that alone exceeds the budget is cut:
/// at word boundaries, or at character boundaries when one word is itself too long. The next chunk
/// repeats the last sentences of the previous one that fit in <see cref="ChunkingOptions.OverlapTokens"/>.
/// A heading starts a new chunk (once the current one is not tiny), no chunk ends with a heading,
/// and overlap never crosses a heading. Each chunk records the heading it sits under.
/// </para>
/// <para>
/// Every sentence is counted once; chunk sizes come from prefix sums, and each finished chunk is
/// counted once more to guard against tokenizers whose counts do not add up. Linear in the length
/// of the text. Thread-safe when the <see cref="ITokenCounter"/> is.
/// </para>
/// </remarks>
public sealed class Chunker
{
    private readonly ITokenCounter _counter;
    private readonly ChunkingOptions _options;

    /// <param name="counter">Counts tokens; <see cref="TokenEstimator.Default"/> when null.</param>
    /// <param name="options">Budget and overlap; <see cref="ChunkingOptions.Default"/> when null.</param>
    public Chunker(ITokenCounter? counter = null, ChunkingOptions? options = null)
    {
        _counter = counter ?? TokenEstimator.Default;
        _options = options ?? ChunkingOptions.Default;
        _options.Validate();
    }

    /// <summary>The options in use.</summary>
    public ChunkingOptions Options => _options;

    /// <summary>The chunks of <paramref name="document"/>, in order; empty for a text with no words.</summary>
    public IReadOnlyList<Chunk> Split(Document document)
    {
        ArgumentNullException.ThrowIfNull(document);
        var text = document.Text;
        var units = BuildUnits(text, document.Headings);
        return Pack(document, units);
    }

    /// <summary>A sentence, or a piece of a sentence too long for one chunk.</summary>
    private readonly record struct Unit(int Start, int End, int Tokens, bool IsHeading);

    private List<Unit> BuildUnits(string text, IReadOnlyList<HeadingSpan> headings)
    {
        var units = new List<Unit>();
        var headingIndex = 0;
        foreach (var sentence in SentenceSplitter.Enumerate(text))
        {
            while (headingIndex < headings.Count && headings[headingIndex].Start < sentence.Start)
            {
                headingIndex++;
            }

            var isHeading = headingIndex < headings.Count && headings[headingIndex].Start == sentence.Start;
            var tokens = _counter.CountTokens(sentence.In(text));
            if (tokens == 0)
            {
                // A tokenizer may see nothing in stray symbols; keep them covered anyway.
                tokens = 1;
            }

            if (tokens <= _options.MaxTokens)
            {
                units.Add(new Unit(sentence.Start, sentence.End, tokens, isHeading));
            }
            else
            {
                var firstPiece = units.Count;
                SplitLongSentence(text, sentence.Start, sentence.End, units);
                if (isHeading && units.Count > firstPiece)
                {
                    units[firstPiece] = units[firstPiece] with { IsHeading = true };
                }
            }
        }

        return units;
    }

    /// <summary>Cuts an over-budget sentence at word boundaries, and an over-budget word at characters.</summary>
    private void SplitLongSentence(string text, int start, int end, List<Unit> units)
    {
        var budget = _options.MaxTokens;
        var pieceStart = -1;
        var pieceEnd = -1;
        var pieceTokens = 0;
        var position = start;
        while (position < end)
        {
            while (position < end && char.IsWhiteSpace(text[position]))
            {
                position++;
            }

            if (position >= end)
            {
                break;
            }

            var wordEnd = position;
            while (wordEnd < end && !char.IsWhiteSpace(text[wordEnd]))
            {
                wordEnd++;
            }

            var wordTokens = Math.Max(1, _counter.CountTokens(text.AsSpan(position, wordEnd - position)));
            if (wordTokens > budget)
            {
                Flush();
                SplitLongWord(text, position, wordEnd, units);
            }
            else
            {
                if (pieceStart >= 0 && pieceTokens + wordTokens > budget)
                {
                    Flush();
                }

                if (pieceStart < 0)
                {
                    pieceStart = position;
                    pieceTokens = 0;
                }

                pieceEnd = wordEnd;
                pieceTokens += wordTokens;
            }

            position = wordEnd;
        }

        Flush();

        void Flush()
        {
            if (pieceStart < 0)
            {
                return;
            }

            // Words counted one by one may count more together with some tokenizers: drop words until it fits.
            var actual = _counter.CountTokens(text.AsSpan(pieceStart, pieceEnd - pieceStart));
            while (actual > budget)
            {
                var lastSpace = text.AsSpan(pieceStart, pieceEnd - pieceStart).LastIndexOfAny(' ', '\t', '\n');
                if (lastSpace <= 0)
                {
                    break;
                }

                var cut = pieceStart + lastSpace;
                while (cut > pieceStart && char.IsWhiteSpace(text[cut - 1]))
                {
                    cut--;
                }

                var rest = cut + 1;
                while (rest < pieceEnd && char.IsWhiteSpace(text[rest]))
                {
                    rest++;
                }

                AddPiece(units, pieceStart, cut, _counter.CountTokens(text.AsSpan(pieceStart, cut - pieceStart)));
                pieceStart = rest;
                actual = _counter.CountTokens(text.AsSpan(pieceStart, pieceEnd - pieceStart));
            }

            AddPiece(units, pieceStart, pieceEnd, actual);
            pieceStart = -1;
        }
    }

    private void SplitLongWord(string text, int start, int end, List<Unit> units)
    {
        var budget = _options.MaxTokens;
        var total = Math.Max(1, _counter.CountTokens(text.AsSpan(start, end - start)));
        var charsPerToken = Math.Max(1.0, (double)(end - start) / total);
        var position = start;
        while (position < end)
        {
            var length = Math.Min(end - position, Math.Max(1, (int)(budget * charsPerToken * 0.95)));
            while (true)
            {
                length = AvoidSplittingSurrogates(text, position, length, end);
                var tokens = _counter.CountTokens(text.AsSpan(position, length));
                if (tokens <= budget || length <= 2)
                {
                    AddPiece(units, position, position + length, tokens);
                    break;
                }

                length = Math.Max(1, (int)(length * Math.Min(0.9, (double)budget / tokens)));
            }

            position += length;
        }
    }

    private static int AvoidSplittingSurrogates(string text, int position, int length, int end)
    {
        if (position + length < end && char.IsHighSurrogate(text[position + length - 1]))
        {
            return length > 1 ? length - 1 : length + 1;
        }

        return length;
    }

    private static void AddPiece(List<Unit> units, int start, int end, int tokens)
    {
        if (end > start)
        {
            units.Add(new Unit(start, end, Math.Max(1, tokens), IsHeading: false));
        }
    }

    private List<Chunk> Pack(Document document, List<Unit> units)
    {
        var chunks = new List<Chunk>();
        var count = units.Count;
        var prefix = new long[count + 1];
        for (var u = 0; u < count; u++)
        {
            prefix[u + 1] = prefix[u] + units[u].Tokens;
        }

        long Sum(int from, int to) => prefix[to] - prefix[from];

        var budget = _options.MaxTokens;
        var first = 0;
        while (first < count)
        {
            var end = first;
            var onlyHeadings = true;

            // A chunk that picks up in the middle of a section ends with that section; one that starts a
            // section may take in the next sections while it is small, rather than leave tiny chunks.
            var continuesSection = first > 0 && !units[first].IsHeading;
            while (end < count)
            {
                var unit = units[end];
                if (end > first && unit.IsHeading && !onlyHeadings
                    && (continuesSection || Sum(first, end) >= _options.MinTokensBeforeHeadingBreak))
                {
                    break;
                }

                if (Sum(first, end + 1) > budget)
                {
                    break;
                }

                onlyHeadings &= unit.IsHeading;
                end++;
            }

            Debug.Assert(end > first, "Every unit fits the budget on its own.");

            // A heading belongs with the text under it, not at the tail of the chunk before.
            while (end < count && end - first > 1 && units[end - 1].IsHeading)
            {
                end--;
            }

            var tokens = CountChunk(document.Text, units, first, ref end);
            var start = units[first].Start;
            var length = units[end - 1].End - start;
            chunks.Add(new Chunk(
                chunks.Count,
                start,
                length,
                document.Text.Substring(start, length),
                HeadingText(document, start),
                tokens) { Page = document.PageAt(start) });

            if (end >= count)
            {
                break;
            }

            first = NextStart(units, first, end, Sum);
        }

        return chunks;
    }

    /// <summary>Counts the chunk as a whole; drops trailing units while a tokenizer counts it over budget.</summary>
    private int CountChunk(string text, List<Unit> units, int first, ref int end)
    {
        while (true)
        {
            var start = units[first].Start;
            var tokens = _counter.CountTokens(text.AsSpan(start, units[end - 1].End - start));
            if (tokens <= _options.MaxTokens || end - first == 1)
            {
                return Math.Max(tokens, 1);
            }

            end--;
        }
    }

    private int NextStart(List<Unit> units, int first, int end, Func<int, int, long> sum)
    {
        if (units[end].IsHeading || _options.OverlapTokens == 0)
        {
            return end;
        }

        var next = end;
        while (next - 1 > first && sum(next - 1, end) <= _options.OverlapTokens)
        {
            next--;
        }

        // Overlap stays within the section: never reach back over a heading.
        for (var u = end - 1; u >= next; u--)
        {
            if (units[u].IsHeading)
            {
                next = u;
                break;
            }
        }

        while (next < end && sum(next, end + 1) > _options.MaxTokens)
        {
            next++;
        }

        return next;
    }

    private static string? HeadingText(Document document, int offset)
    {
        var index = Document.HeadingIndexAt(document.Headings, offset);
        if (index < 0)
        {
            return null;
        }

        var heading = document.Headings[index];
        return document.Text.Substring(heading.Start, heading.Length);
    }
}
