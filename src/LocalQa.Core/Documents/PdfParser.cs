using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;
using UglyToad.PdfPig;
using UglyToad.PdfPig.DocumentLayoutAnalysis.PageSegmenter;
using UglyToad.PdfPig.DocumentLayoutAnalysis.WordExtractor;
using UglyToad.PdfPig.Exceptions;
using PdfBlock = UglyToad.PdfPig.DocumentLayoutAnalysis.TextBlock;

namespace LocalQa.Core.Documents;

/// <summary>
/// Reads the text layer of a PDF with PdfPig: words, then blocks (Docstrum), then the blocks in
/// reading order (column by column), one page at a time. Running headers and footers and page
/// numbers go, words hyphenated at a line end are joined, a paragraph cut by a column or page break
/// is joined again, and lines set clearly larger than the body text become headings.
/// </summary>
internal static partial class PdfParser
{
    internal const string NoTextLayer = "it has no text layer; OCR is not supported";

    // A line set this much larger than the body text is a heading: smaller steps are emphasis or noise.
    private const double HeadingScale = 1.15;

    // Headers and footers sit at the very top or bottom of the page; a line this close (points) to
    // the page's outermost line is in that band.
    private const double BandTolerance = 2.0;

    private static readonly DocstrumBoundingBoxes Segmenter = new(new DocstrumBoundingBoxes.DocstrumBoundingBoxesOptions
    {
        // Deterministic results, and no thread pool contention with the rest of an ingest.
        MaxDegreeOfParallelism = 1,
    });

    private sealed record Line(string Text, double Top, double Bottom, double Left, double Right, double Size);

    private sealed record PageText(int Number, List<List<Line>> Blocks);

    /// <param name="file">The PDF, seekable: PdfPig reads each object where it lies, so the file is never held whole.</param>
    /// <param name="cancellationToken">Checked between pages.</param>
    internal static PackagedText Parse(Stream file, CancellationToken cancellationToken)
    {
        PdfDocument document;
        try
        {
            // Lenient, and past a missing font: a damaged file still gives what text it has. A bounded
            // stack depth, because a stack overflow is the one failure no catch can turn into a skip.
            var parsing = new ParsingOptions { UseLenientParsing = true, SkipMissingFonts = true, MaxStackDepth = 64 };
            // Bytes already in memory (a PDF read from a pipe) are read in place, without a stream's per-byte calls.
            document = file is MemoryStream memory && memory.TryGetBuffer(out var buffer)
                ? PdfDocument.Open(buffer.AsMemory(), parsing)
                : PdfDocument.Open(file, parsing);
        }
        catch (PdfDocumentEncryptedException)
        {
            return PackagedText.Skip("it is encrypted and needs a password, which LocalQa does not ask for");
        }

        using (document)
        {
            var pages = new List<PageText>();
            for (var number = 1; number <= document.NumberOfPages; number++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                pages.Add(ReadPage(document, number));
            }

            if (pages.TrueForAll(p => p.Blocks.Count == 0))
            {
                return PackagedText.Skip(NoTextLayer);
            }

            RemoveRunningLines(pages);
            var blocks = Assemble(pages);
            return new PackagedText(blocks, UsefulTitle(document.Information.Title));
        }
    }

    private static PageText ReadPage(PdfDocument document, int number)
    {
        var page = document.GetPage(number);
        var words = page.GetWords(NearestNeighbourWordExtractor.Instance)
            .Where(w => !string.IsNullOrWhiteSpace(w.Text))
            .ToList();
        var blocks = new List<List<Line>>();
        if (words.Count == 0)
        {
            return new PageText(number, blocks);
        }

        var segmented = Segmenter.GetBlocks(words);
        foreach (var block in InReadingOrder(segmented))
        {
            var lines = new List<Line>();
            foreach (var line in block.TextLines)
            {
                var text = Normalize(line.Text);
                if (text.Length == 0)
                {
                    continue;
                }

                var letters = line.Words.SelectMany(w => w.Letters).Where(l => !string.IsNullOrWhiteSpace(l.Value)).ToList();
                var size = letters.Count == 0 ? 0 : letters.Average(l => l.PointSize);
                var box = line.BoundingBox;
                lines.Add(new Line(text, box.Top, box.Bottom, box.Left, box.Right, size));
            }

            if (lines.Count > 0)
            {
                blocks.Add(lines);
            }
        }

        return new PageText(number, blocks);
    }

    /// <summary>
    /// Blocks in reading order by recursive XY cuts: a region whose blocks split at a vertical gap
    /// no block crosses is read column by column, left to right; one that splits at a horizontal
    /// gap is read band by band, top to bottom; a region that splits neither way, top to bottom.
    /// Columns are tried first, so two columns whose paragraph gaps happen to line up are not read
    /// across. (PdfPig's UnsupervisedReadingOrderDetector, column-wise, read a left-aligned heading
    /// before a centred author line above it, because its x-interval precedes the author's.)
    /// </summary>
    private static List<PdfBlock> InReadingOrder(IReadOnlyList<PdfBlock> blocks)
    {
        var ordered = new List<PdfBlock>(blocks.Count);
        Cut([.. blocks], ordered, 0);
        return ordered;
    }

    private static void Cut(List<PdfBlock> region, List<PdfBlock> ordered, int depth)
    {
        if (region.Count <= 1 || depth > 64)
        {
            ordered.AddRange(region.OrderByDescending(b => b.BoundingBox.Top).ThenBy(b => b.BoundingBox.Left));
            return;
        }

        var parts = Split(region, b => b.BoundingBox.Left, b => b.BoundingBox.Right);
        if (parts.Count == 1)
        {
            parts = Split(region, b => -b.BoundingBox.Top, b => -b.BoundingBox.Bottom);
        }

        if (parts.Count == 1)
        {
            ordered.AddRange(region.OrderByDescending(b => b.BoundingBox.Top).ThenBy(b => b.BoundingBox.Left));
            return;
        }

        foreach (var part in parts)
        {
            Cut(part, ordered, depth + 1);
        }
    }

    /// <summary>The region's blocks in groups separated by gaps along one axis (start and end of each block on it).</summary>
    private static List<List<PdfBlock>> Split(List<PdfBlock> region, Func<PdfBlock, double> start, Func<PdfBlock, double> end)
    {
        var sorted = region.OrderBy(start).ToList();
        var parts = new List<List<PdfBlock>> { new() { sorted[0] } };
        var reach = end(sorted[0]);
        foreach (var block in sorted.Skip(1))
        {
            if (start(block) > reach)
            {
                parts.Add([]);
            }

            parts[^1].Add(block);
            reach = Math.Max(reach, end(block));
        }

        return parts;
    }

    /// <summary>
    /// Drops lines at the very top or bottom of a page that repeat, digits aside, on most pages (a
    /// running title, a date, "Page 3 of 9", a URL), and bare page numbers there on any page.
    /// </summary>
    private static void RemoveRunningLines(List<PageText> pages)
    {
        var withText = pages.Where(p => p.Blocks.Count > 0).ToList();
        var counts = new Dictionary<string, int>(StringComparer.Ordinal);
        var bands = new Dictionary<PageText, List<(Line Line, string Key)>>();
        foreach (var page in withText)
        {
            var band = Band(page);
            bands[page] = band;
            foreach (var key in band.Select(b => b.Key).Distinct(StringComparer.Ordinal))
            {
                counts[key] = counts.GetValueOrDefault(key) + 1;
            }
        }

        var needed = Math.Max(2, (withText.Count + 1) / 2);
        foreach (var page in withText)
        {
            var drop = bands[page]
                .Where(b => counts[b.Key] >= needed || PageNumber().IsMatch(b.Line.Text))
                .Select(b => b.Line)
                .ToHashSet();
            if (drop.Count == 0)
            {
                continue;
            }

            foreach (var block in page.Blocks)
            {
                block.RemoveAll(drop.Contains);
            }

            page.Blocks.RemoveAll(b => b.Count == 0);
        }
    }

    /// <summary>The page's topmost and bottommost lines, each keyed by where it is and its text with digits masked.</summary>
    private static List<(Line Line, string Key)> Band(PageText page)
    {
        var lines = page.Blocks.SelectMany(b => b).ToList();
        var top = lines.Max(l => l.Top);
        var bottom = lines.Min(l => l.Bottom);
        var band = new List<(Line, string)>();
        foreach (var line in lines)
        {
            if (line.Top >= top - BandTolerance)
            {
                band.Add((line, "top:" + Mask(line.Text)));
            }
            else if (line.Bottom <= bottom + BandTolerance)
            {
                band.Add((line, "bottom:" + Mask(line.Text)));
            }
        }

        return band;
    }

    private static string Mask(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            builder.Append(char.IsDigit(c) ? '#' : char.ToLowerInvariant(c));
        }

        return builder.ToString();
    }

    private sealed record Run(string Text, bool Large, double Size, int Page);

    /// <summary>Turns each page's blocks into paragraphs and headings, joining what a break split.</summary>
    private static List<TextBlock> Assemble(List<PageText> pages)
    {
        var body = BodySize(pages);
        var runs = new List<Run>();
        foreach (var page in pages)
        {
            foreach (var block in page.Blocks)
            {
                // A block can open with a heading set close above its first paragraph, and one
                // block can hold several paragraphs when they are set without space between them.
                var start = 0;
                var left = block.Min(l => l.Left);
                var right = block.Max(l => l.Right);
                for (var i = 1; i <= block.Count; i++)
                {
                    if (i == block.Count || IsLarge(block[i], body) != IsLarge(block[start], body) || StartsParagraph(block[i - 1], block[i], left, right))
                    {
                        var lines = block.GetRange(start, i - start);
                        runs.Add(new Run(JoinLines(lines.Select(l => l.Text)), IsLarge(block[start], body), lines.Max(l => l.Size), page.Number));
                        start = i;
                    }
                }
            }
        }

        var headingSizes = runs.Where(IsHeading).Select(r => Math.Round(r.Size * 2) / 2).Distinct().OrderDescending().ToList();
        var blocks = new List<TextBlock>();
        foreach (var run in runs)
        {
            if (IsHeading(run))
            {
                var level = Math.Min(6, headingSizes.IndexOf(Math.Round(run.Size * 2) / 2) + 1);
                blocks.Add(new TextBlock(run.Text, BlockKind.Heading, level) { Page = run.Page });
                continue;
            }

            if (blocks.Count > 0 && blocks[^1] is { Kind: BlockKind.Paragraph } previous && Continues(previous.Text, run.Text))
            {
                // The block before ended mid-sentence and this one goes on in lower case: one
                // paragraph that a column or page break cut in two. It keeps the page it starts on.
                blocks[^1] = previous with { Text = JoinLines([previous.Text, run.Text]) };
                continue;
            }

            blocks.Add(new TextBlock(run.Text) { Page = run.Page });
        }

        return blocks;
    }

    /// <summary>
    /// A new paragraph inside a block: the line before ends a sentence, and this line is indented
    /// (by more than half its size) or the line before stops well short of the block's right edge.
    /// </summary>
    private static bool StartsParagraph(Line previous, Line line, double left, double right)
    {
        if (previous.Text.Length == 0 || previous.Text[^1] is not ('.' or '!' or '?' or ':' or '"' or '\u201D'))
        {
            return false;
        }

        var em = Math.Max(line.Size, 1);
        return line.Left > left + (em / 2) || previous.Right < right - (em * 4);
    }

    private static bool IsHeading(Run run) => run.Large && run.Text.Length <= 200 && run.Text.Any(char.IsLetter);

    private static bool IsLarge(Line line, double body) => body > 0 && line.Size >= body * HeadingScale;

    /// <summary>The size most of the text is set in, by characters.</summary>
    private static double BodySize(List<PageText> pages)
    {
        var bySize = new Dictionary<double, long>();
        foreach (var line in pages.SelectMany(p => p.Blocks).SelectMany(b => b))
        {
            var size = Math.Round(line.Size * 2) / 2;
            bySize[size] = bySize.GetValueOrDefault(size) + line.Text.Length;
        }

        return bySize.Count == 0 ? 0 : bySize.MaxBy(kv => kv.Value).Key;
    }

    private static bool Continues(string previous, string next)
    {
        if (previous.Length == 0 || next.Length == 0 || !char.IsLower(next[0]))
        {
            return false;
        }

        return previous[^1] is not ('.' or '!' or '?' or ':' or '\u2026');
    }

    /// <summary>Joins lines with a space, except a word hyphenated at a line end, whose halves are joined.</summary>
    internal static string JoinLines(IEnumerable<string> lines)
    {
        var builder = new StringBuilder();
        foreach (var line in lines)
        {
            if (builder.Length == 0)
            {
                builder.Append(line);
                continue;
            }

            var last = builder[^1];
            if (last is '-' or '\u2010' or '\u00AD' && builder.Length >= 2 && char.IsLetter(builder[^2]) && line.Length > 0 && char.IsLower(line[0]))
            {
                builder.Length--;
            }
            else
            {
                builder.Append(' ');
            }

            builder.Append(line);
        }

        return builder.ToString();
    }

    /// <summary>
    /// Ligatures become their letters and odd spaces plain ones, so that "ﬁnd" is found by "find";
    /// invisible characters go. A soft hyphen survives only at the end, where it marks hyphenation.
    /// </summary>
    internal static string Normalize(string text)
    {
        var builder = new StringBuilder(text.Length);
        var space = false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            // The Latin ligatures' letters, written out: LocalQa runs with invariant globalization
            // (no ICU), where string.Normalize(FormKC) leaves them as they are.
            var ligature = c switch
            {
                '\uFB00' => "ff",
                '\uFB01' => "fi",
                '\uFB02' => "fl",
                '\uFB03' => "ffi",
                '\uFB04' => "ffl",
                '\uFB05' or '\uFB06' => "st",
                _ => null,
            };
            if (ligature is not null)
            {
                AppendPending(builder, ref space);
                builder.Append(ligature);
                continue;
            }

            if (char.IsWhiteSpace(c))
            {
                space = builder.Length > 0;
                continue;
            }

            if (c == '\u00AD' && i < text.Length - 1)
            {
                continue;
            }

            if (char.IsControl(c) || c is '\u200B' or '\u200C' or '\u200D' or '\u2060' or '\uFEFF'
                || CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.PrivateUse)
            {
                continue;
            }

            AppendPending(builder, ref space);
            builder.Append(c);
        }

        return builder.ToString();
    }

    private static void AppendPending(StringBuilder builder, ref bool space)
    {
        if (space)
        {
            builder.Append(' ');
            space = false;
        }
    }

    /// <summary>The document information's title, unless it is empty or a file name a converter left there.</summary>
    private static string? UsefulTitle(string? title)
    {
        if (string.IsNullOrWhiteSpace(title))
        {
            return null;
        }

        var normalized = Normalize(title);
        return normalized.Length == 0 || FileNameLike().IsMatch(normalized) ? null : normalized;
    }

    // A page number alone in a header or footer: "7", "- 7 -", "Page 7", "7 of 12", "7/12", "vii".
    [GeneratedRegex(@"^(?:page\s*)?[-\u2013\u2014(\[]?\s*(?:\d{1,5}|[ivxlcdm]{1,7})\s*[-\u2013\u2014)\]]?(?:\s*(?:/|of)\s*\d{1,5})?$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex PageNumber();

    [GeneratedRegex(@"(?:^untitled|\.(?:docx?|pdf|html?|txt|tex|dvi|ps|odt|rtf)$)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex FileNameLike();
}
