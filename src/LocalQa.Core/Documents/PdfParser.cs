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
/// <remarks>
/// The pages are streamed (see <see cref="Reader"/>): what is held at any time is the pages within
/// <see cref="RunningLineWindow"/> of the one being assembled, whatever the length of the PDF, so a
/// 5,000-page report needs no more memory than a 50-page one.
/// </remarks>
internal static partial class PdfParser
{
    internal const string NoTextLayer = "it has no text layer; OCR is not supported";

    /// <summary>
    /// Pages either side of a page whose top and bottom lines are compared with it to find running
    /// headers and footers. 21 pages are enough to see that a line repeats, few enough to hold, and
    /// a running line that changes with the chapter (a book's chapter title) is found inside its chapter.
    /// </summary>
    internal const int RunningLineWindow = 10;

    // A line set this much larger than the body text is a heading: smaller steps are emphasis or noise.
    private const double HeadingScale = 1.15;

    // Headers and footers sit at the very top or bottom of the page; a line this close (points) to
    // the page's outermost line is in that band.
    private const double BandTolerance = 2.0;

    // A paragraph joined across page breaks is handed on once it is this long even when the next page
    // seems to go on with it: a PDF with no sentence end for hundreds of pages must not be held whole.
    private const int MaxJoinedChars = 1 << 16;

    private static readonly DocstrumBoundingBoxes Segmenter = new(new DocstrumBoundingBoxes.DocstrumBoundingBoxesOptions
    {
        // Deterministic results, and no thread pool contention with the rest of an ingest.
        MaxDegreeOfParallelism = 1,
    });

    private sealed record Line(string Text, double Top, double Bottom, double Left, double Right, double Size);

    /// <summary>A page read, its blocks of lines in reading order and its band lines keyed for comparison.</summary>
    private sealed class PageText
    {
        public PageText(int number, List<List<Line>> blocks)
        {
            Number = number;
            Blocks = blocks;
            HasText = blocks.Count > 0;
            Band = HasText ? BandOf(blocks) : [];
            Keys = [.. Band.Select(b => b.Key).Distinct(StringComparer.Ordinal)];
        }

        public int Number { get; }

        public List<List<Line>> Blocks { get; }

        public bool HasText { get; }

        public List<(Line Line, string Key)> Band { get; }

        /// <summary>The band's keys, each once: what the page adds to its window's counts, kept after its lines go.</summary>
        public string[] Keys { get; }
    }

    /// <summary>Reads a whole PDF: every page's blocks, in order (for a document loaded whole).</summary>
    /// <param name="file">The PDF, seekable: PdfPig reads each object where it lies, so the file is never held whole.</param>
    /// <param name="cancellationToken">Checked between pages.</param>
    internal static PackagedText Parse(Stream file, CancellationToken cancellationToken)
    {
        using var reader = Reader.Open(file, out var skipReason);
        if (reader is null)
        {
            return PackagedText.Skip(skipReason!);
        }

        var blocks = new List<TextBlock>();
        blocks.AddRange(reader.Blocks(cancellationToken));
        return reader.HasText ? new PackagedText(blocks, reader.Title) : PackagedText.Skip(NoTextLayer);
    }

    /// <summary>
    /// An open PDF whose blocks are read lazily, page after page: a page's blocks are handed out once
    /// the <see cref="RunningLineWindow"/> pages after it are read (to tell its running lines), and a
    /// paragraph at its foot once the next page shows whether it goes on there.
    /// </summary>
    /// <remarks>
    /// Each page is compared with its neighbours, not with the whole document: a header is removed
    /// where it repeats on at least half of the (up to 21) pages around it. The body text's size and
    /// the sizes that rank headings are those of the pages read so far, which include the window
    /// ahead; for a PDF of up to <see cref="RunningLineWindow"/> + 1 pages both are the whole
    /// document's, as they were when PDFs were read whole. Not thread-safe.
    /// </remarks>
    internal sealed class Reader : IDisposable
    {
        private readonly PdfDocument _document;

        // Characters of body text by size (rounded to half a point), and the sizes of lines with a
        // letter in them: the body size and the heading ranks come from these, never from stored pages.
        private readonly Dictionary<double, long> _charsBySize = [];
        private readonly SortedSet<double> _letteredSizes = [];

        private Reader(PdfDocument document)
        {
            _document = document;
            Title = UsefulTitle(document.Information.Title);
        }

        /// <summary>The document information's title, when it is a useful one.</summary>
        public string? Title { get; }

        /// <summary>Pages in the file.</summary>
        public int PageCount => _document.NumberOfPages;

        /// <summary>Pages read from the file so far (ahead of the blocks handed out by up to the window).</summary>
        public int PagesRead { get; private set; }

        /// <summary>Whether any page read so far has text; false for a whole scan.</summary>
        public bool HasText { get; private set; }

        /// <summary>Called with each page's number once it is read from the file, before it is handed on.</summary>
        public Action<int>? PageRead { get; init; }

        /// <summary>Opens the PDF; null, with a reason, for an encrypted one.</summary>
        /// <param name="file">The PDF, seekable and at its start; it must stay open while the reader is used.</param>
        /// <param name="skipReason">Why it cannot be read, as a clause for "skipped, …", when null is returned.</param>
        /// <param name="pageRead">See <see cref="PageRead"/>.</param>
        public static Reader? Open(Stream file, out string? skipReason, Action<int>? pageRead = null)
        {
            skipReason = null;
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
                skipReason = "it is encrypted and needs a password, which LocalQa does not ask for";
                return null;
            }

            return new Reader(document) { PageRead = pageRead };
        }

        /// <summary>The blocks, in reading order, each with its page; pages are read as the enumeration needs them.</summary>
        /// <param name="cancellationToken">Checked between pages.</param>
        public IEnumerable<TextBlock> Blocks(CancellationToken cancellationToken)
        {
            var count = PageCount;
            // The pages from RunningLineWindow before the one being assembled to RunningLineWindow after
            // it: those behind keep only their band keys (their blocks are cleared once handed out).
            var window = new List<PageText>(2 * RunningLineWindow + 1);
            var keyCounts = new Dictionary<string, int>(StringComparer.Ordinal);
            var textPages = 0;
            TextBlock? pending = null;
            for (var number = 1; number <= count; number++)
            {
                while (PagesRead < Math.Min(count, number + RunningLineWindow))
                {
                    cancellationToken.ThrowIfCancellationRequested();
                    var read = ReadPage(_document, PagesRead + 1);
                    PagesRead++;
                    PageRead?.Invoke(read.Number);
                    window.Add(read);
                    if (read.HasText)
                    {
                        HasText = true;
                        textPages++;
                        foreach (var key in read.Keys)
                        {
                            keyCounts[key] = keyCounts.GetValueOrDefault(key) + 1;
                        }

                        // The band's lines count once the page is assembled, without its running lines.
                        var band = read.Band.Select(b => b.Line).ToHashSet();
                        Measure(read.Blocks.SelectMany(b => b).Where(l => !band.Contains(l)));
                    }
                }

                while (window[0].Number < number - RunningLineWindow)
                {
                    var gone = window[0];
                    window.RemoveAt(0);
                    if (gone.HasText)
                    {
                        textPages--;
                        foreach (var key in gone.Keys)
                        {
                            if (--keyCounts[key] == 0)
                            {
                                keyCounts.Remove(key);
                            }
                        }
                    }
                }

                var page = window.Find(p => p.Number == number)!;
                if (!page.HasText)
                {
                    continue;
                }

                RemoveRunningLines(page, keyCounts, textPages);
                var body = BodySize();
                foreach (var run in Runs(page, body))
                {
                    if (IsHeading(run))
                    {
                        if (pending is not null)
                        {
                            yield return pending;
                            pending = null;
                        }

                        yield return new TextBlock(run.Text, BlockKind.Heading, HeadingLevel(run.Size, body)) { Page = run.Page };
                        continue;
                    }

                    if (pending is not null && pending.Text.Length < MaxJoinedChars && Continues(pending.Text, run.Text))
                    {
                        // The block before ended mid-sentence and this one goes on in lower case: one
                        // paragraph that a column or page break cut in two. It keeps the page it starts on.
                        pending = pending with { Text = JoinLines([pending.Text, run.Text]) };
                        continue;
                    }

                    if (pending is not null)
                    {
                        yield return pending;
                    }

                    pending = new TextBlock(run.Text) { Page = run.Page };
                }

                // Handed out: only its keys stay, for the pages after it to count.
                page.Blocks.Clear();
                page.Band.Clear();
            }

            if (pending is not null)
            {
                yield return pending;
            }
        }

        private void Measure(IEnumerable<Line> lines)
        {
            foreach (var line in lines)
            {
                var size = Math.Round(line.Size * 2) / 2;
                _charsBySize[size] = _charsBySize.GetValueOrDefault(size) + line.Text.Length;
                if (line.Text.Any(char.IsLetter))
                {
                    _letteredSizes.Add(size);
                }
            }
        }

        /// <summary>The size most of the text read so far is set in, by characters.</summary>
        private double BodySize() => _charsBySize.Count == 0 ? 0 : _charsBySize.MaxBy(kv => kv.Value).Key;

        /// <summary>1 for the largest heading size seen so far, 2 for the next, and so on to 6.</summary>
        private int HeadingLevel(double size, double body)
        {
            var rounded = Math.Round(size * 2) / 2;
            var larger = _letteredSizes.GetViewBetween(rounded + 0.25, double.MaxValue).Count(s => s >= body * HeadingScale);
            return Math.Min(6, larger + 1);
        }

        /// <summary>
        /// Drops the page's band lines that repeat, digits aside, on at least half of the pages with
        /// text around it (a running title, a date, "Page 3 of 9", a URL), and bare page numbers there;
        /// then counts the band lines it keeps towards the body and heading sizes.
        /// </summary>
        private void RemoveRunningLines(PageText page, Dictionary<string, int> keyCounts, int textPages)
        {
            var needed = Math.Max(2, (textPages + 1) / 2);
            var drop = page.Band
                .Where(b => keyCounts[b.Key] >= needed || PageNumber().IsMatch(b.Line.Text))
                .Select(b => b.Line)
                .ToHashSet();
            Measure(page.Band.Select(b => b.Line).Where(l => !drop.Contains(l)).Distinct());
            if (drop.Count == 0)
            {
                return;
            }

            foreach (var block in page.Blocks)
            {
                block.RemoveAll(drop.Contains);
            }

            page.Blocks.RemoveAll(b => b.Count == 0);
        }

        public void Dispose() => _document.Dispose();
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

    /// <summary>The page's topmost and bottommost lines, each keyed by where it is and its text with digits masked.</summary>
    private static List<(Line Line, string Key)> BandOf(List<List<Line>> blocks)
    {
        var lines = blocks.SelectMany(b => b).ToList();
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

    /// <summary>A page's blocks as paragraphs and headings, split where a heading or a new paragraph starts inside a block.</summary>
    private static IEnumerable<Run> Runs(PageText page, double body)
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
                    yield return new Run(JoinLines(lines.Select(l => l.Text)), IsLarge(block[start], body), lines.Max(l => l.Size), page.Number);
                    start = i;
                }
            }
        }
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
