using System.Text;
using System.Text.RegularExpressions;
using LocalQa.Core.Documents;
using LocalQa.Core.Text;

namespace LocalQa.Core.Extractive;

/// <summary>A sentence of a text as extractive selection sees it: where it stands, what block it is in, its content words.</summary>
internal sealed class Sentence
{
    internal Sentence(TextSpan span, string text, BlockKind kind, int index, int section, string? heading)
    {
        Span = span;
        Text = text;
        Kind = kind;
        Index = index;
        Section = section;
        Heading = heading;
        Words = LocalQa.Core.Text.Words.Count(text);
        foreach (var term in LocalQa.Core.Text.Words.Terms(text))
        {
            Counts[term.Stem] = Counts.GetValueOrDefault(term.Stem) + 1;
            TermCount++;
        }
    }

    /// <summary>Where the sentence stands in the text read (a list marker left out).</summary>
    public TextSpan Span { get; }

    /// <summary>The sentence with runs of whitespace collapsed: what is quoted.</summary>
    public string Text { get; }

    /// <summary>The kind of block the sentence stands in.</summary>
    public BlockKind Kind { get; }

    /// <summary>0-based position among the sentences of the text.</summary>
    public int Index { get; }

    /// <summary>0-based section (a heading starts the next one).</summary>
    public int Section { get; }

    /// <summary>The heading of the sentence's section, if any.</summary>
    public string? Heading { get; }

    /// <summary>True when the sentence starts a line of the text read: it opens a paragraph, a list item or a block.</summary>
    public bool OpensParagraph { get; internal set; }

    /// <summary>True for the first candidate sentence of its section.</summary>
    public bool OpensSection { get; internal set; }

    /// <summary>Whitespace-separated words (<see cref="LocalQa.Core.Text.Words.Count(ReadOnlySpan{char})"/>).</summary>
    public int Words { get; }

    /// <summary>How often each content stem occurs.</summary>
    public Dictionary<string, int> Counts { get; } = new(StringComparer.Ordinal);

    /// <summary>Content words, repeats included.</summary>
    public int TermCount { get; }

    /// <summary>How many candidate sentences of the text share this one's template (names, numbers and identifiers masked); 1 for most.</summary>
    public int FamilySize { get; internal set; } = 1;

    /// <summary>The masked template, for telling families apart.</summary>
    public string Shape { get; internal set; } = "";

    /// <summary>
    /// A labelled entry ("Label: value") whose label recurs, or one of three in a row: the cells of a table,
    /// a form or a changelog, or a glossary. It can answer a question ("What is X?") but does not summarize.
    /// </summary>
    public bool Labelled { get; internal set; }

    /// <summary>Why the sentence can never be quoted (code, a table row, a reference entry …); null for a candidate.</summary>
    public string? Excluded { get; internal set; }

    /// <summary>True when the sentence may be quoted.</summary>
    public bool IsCandidate => Excluded is null;

    /// <summary>What the sentence opens with (<see cref="Discourse.OpeningOf"/>), read once however often it is asked.</summary>
    public Opening Opening => opening ??= Discourse.OpeningOf(Text);

    private Opening? opening;
}

/// <summary>
/// Reads a text into <see cref="Sentence"/>s and decides which can be quoted at all. What the loader saw
/// (<see cref="Document.Blocks"/>: code, tables, list items, headings, captions) is carried onto each
/// sentence; where it is not known (a retrieved passage, plain text) list items and table rows are told
/// by their line's shape. Stateless and thread-safe.
/// </summary>
/// <remarks>
/// Never candidates, each for a reason a reader would give: code and preformatted text; table rows;
/// headings and captions; fragments (under <see cref="MinWords"/> words) and lines that do not end like a
/// sentence; an aside wholly in parentheses (credit lines, "(See below.)"); text that reads as code or
/// terminal output (few letters among its characters, or a shell prompt); cross-references ("See …"); the entries of a reference
/// list (a section headed "References", "Bibliography" …, or an entry shaped "Surname, I. … (2023)");
/// and text that reads as an order to an AI model. Labelled entries are marked (<see cref="Sentence.Labelled"/>).
/// </remarks>
internal static partial class SentenceReader
{
    /// <summary>Shorter sentences are fragments: a heading, a caption, a label.</summary>
    public const int MinWords = 4;

    // Prose is mostly letters; code and terminal output are not (symbols, digits, paths). Measured on
    // prose full of numbers ("Python 3.11 is between 10-60% faster than Python 3.10." is 0.68).
    private const double MinLetterShare = 0.6;

    // Characters that are syntax in code and rare in prose; a tenth of a sentence's characters is code.
    private const double MaxCodeSymbolShare = 0.1;

    // Three of a kind are a pattern, two a coincidence: three labelled entries in a row are a glossary,
    // three sentences of one template are a family (credit lines, changelog entries).
    private const int Pattern = 3;

    // A line of at most this many words without closing punctuation is a heading, where the loader did not say.
    private const int MaxHeadingWords = 12;

    /// <summary>Reads <paramref name="text"/>, a loaded document's text or a retrieved passage.</summary>
    /// <param name="text">One block per line, as <see cref="Document.Text"/> holds it.</param>
    /// <param name="blocks">The non-paragraph blocks the loader saw; empty to tell them by shape.</param>
    /// <param name="headings">The heading lines the loader saw; empty to treat short unpunctuated lines as headings.</param>
    /// <param name="heading">The heading the text sits under (a passage's), if any.</param>
    public static List<Sentence> Read(string text, IReadOnlyList<BlockSpan>? blocks = null, IReadOnlyList<HeadingSpan>? headings = null, string? heading = null)
    {
        ArgumentNullException.ThrowIfNull(text);
        blocks ??= [];
        headings ??= [];
        var sentences = new List<Sentence>();
        var section = 0;
        var block = 0;
        var headingIndex = 0;
        var backMatter = IsBackMatter(heading);
        var opened = false;
        foreach (var found in SentenceSplitter.Enumerate(text))
        {
            while (block < blocks.Count && blocks[block].End <= found.Start)
            {
                block++;
            }

            while (headingIndex < headings.Count && headings[headingIndex].Start + headings[headingIndex].Length <= found.Start)
            {
                headingIndex++;
            }

            var raw = found.In(text);
            var kind = block < blocks.Count && blocks[block].Start <= found.Start ? blocks[block].Kind
                : headingIndex < headings.Count && headings[headingIndex].Start <= found.Start ? BlockKind.Heading
                : blocks.Count == 0 ? KindByShape(text, found) : BlockKind.Paragraph;
            var span = WithoutListMarker(text, found);
            var sentenceText = Collapse(span.In(text));
            if (kind == BlockKind.Heading)
            {
                section++;
                heading = sentenceText.TrimEnd('¶', ':', ' ');
                backMatter = IsBackMatter(heading);
                opened = false;
            }

            var sentence = new Sentence(span, sentenceText, kind, sentences.Count, section, heading);
            sentence.OpensParagraph = text.AsSpan(0, found.Start).TrimEnd(' ').TrimEnd('\t') is var before && (before.IsEmpty || before[^1] == '\n');
            sentence.Excluded = backMatter ? "an entry of a reference list" : Exclusion(sentence, raw);
            if (sentence.IsCandidate && !opened)
            {
                sentence.OpensSection = opened = true;
            }

            sentences.Add(sentence);
        }

        ExcludeLabelledEntries(sentences);
        GroupFamilies(sentences);
        return sentences;
    }

    private static string? Exclusion(Sentence s, ReadOnlySpan<char> raw) => s.Kind switch
    {
        BlockKind.Code => "code or preformatted text",
        BlockKind.TableRow => "a table row",
        BlockKind.Heading => "a heading",
        BlockKind.Caption => "a caption",
        _ when s.Words < MinWords || s.Counts.Count == 0 => "a fragment",
        _ when !EndsLikeSentence(s.Text) => "not a sentence: no closing punctuation",
        _ when s.Text[0] == '(' => "an aside in parentheses (a credit line, a cross-reference, a remark cut from its context)",
        _ when LooksLikeCode(raw) => "reads as code or terminal output",
        _ when CrossReference().IsMatch(s.Text) => "a cross-reference: it points elsewhere rather than saying something",
        _ when ReferenceEntry().IsMatch(s.Text) => "an entry of a reference list",
        _ when Instruction().IsMatch(s.Text) => "reads as an instruction to an AI model",
        _ => null,
    };

    /// <summary>True when a sentence ends like one (a full stop, a question or exclamation mark, maybe inside closing quotes).</summary>
    public static bool EndsLikeSentence(ReadOnlySpan<char> sentence)
    {
        var trimmed = sentence.TrimEnd().TrimEnd("\"')]\u201D\u2019*_");
        return !trimmed.IsEmpty && trimmed[^1] is '.' or '!' or '?' or '\u2026' or '\u3002' or '\uFF01' or '\uFF1F';
    }

    private static bool LooksLikeCode(ReadOnlySpan<char> text)
    {
        if (text.StartsWith(">>>") || text.StartsWith("$ ") || text.StartsWith("# ") || text.StartsWith("..."))
        {
            return true;
        }

        int visible = 0, letters = 0, symbols = 0;
        foreach (var c in text)
        {
            visible += char.IsWhiteSpace(c) ? 0 : 1;
            letters += char.IsLetter(c) ? 1 : 0;
            symbols += c is '=' or '(' or ')' or '{' or '}' or '[' or ']' or '<' or '>' or ';' or '$' or '|' or '\\' or '_' or '^' or '~' or '@' or '#' ? 1 : 0;
        }

        return letters < MinLetterShare * visible || symbols > MaxCodeSymbolShare * visible;
    }

    /// <summary>
    /// "Label: value" sentences whose label recurs (digits ignored: "Changed in version 3.4:") are the cells
    /// of a table, a form or a changelog flattened into text; three in a row are a glossary.
    /// </summary>
    private static void ExcludeLabelledEntries(List<Sentence> sentences)
    {
        var labels = sentences.Select(s => Label(s.Text)).ToArray();
        var counts = labels.OfType<string>().CountBy(l => l, StringComparer.OrdinalIgnoreCase).ToDictionary(StringComparer.OrdinalIgnoreCase);
        for (var i = 0; i < sentences.Count; i++)
        {
            if (labels[i] is not { } label || !sentences[i].IsCandidate)
            {
                continue;
            }

            // A run is of labels used once each: one recurring label ("Goal:") is a table, not a glossary.
            var run = 1;
            for (var j = i - 1; j >= 0 && labels[j] is { } l && counts[l] == 1; j--) run++;
            for (var j = i + 1; j < sentences.Count && labels[j] is { } l && counts[l] == 1; j++) run++;
            if (counts[label] > 1 || run >= Pattern)
            {
                sentences[i].Labelled = true;
            }
        }
    }

    /// <summary>The label of a "Label: value" sentence (a fragment of up to <see cref="MinWords"/> words before a colon, the first capitalized), digits masked; else null.</summary>
    private static string? Label(string sentence)
    {
        var colon = sentence.IndexOf(": ", StringComparison.Ordinal);
        if (colon <= 0 || !char.IsUpper(sentence[0]))
        {
            return null;
        }

        return LocalQa.Core.Text.Words.Count(sentence.AsSpan(0, colon), MinWords) <= MinWords && sentence[..colon].All(c => char.IsLetterOrDigit(c) || char.IsWhiteSpace(c) || c is '-' or '\'' or '’' or '(' or ')' or '.')
            ? Digits().Replace(sentence[..colon], "#")
            : null;
    }

    /// <summary>
    /// Candidates that read the same once names, numbers and identifiers are masked ("Contributed by N in #",
    /// "Return a new N") are one family; <see cref="Sentence.FamilySize"/> says how large.
    /// </summary>
    private static void GroupFamilies(List<Sentence> sentences)
    {
        foreach (var s in sentences)
        {
            s.Shape = Shape(s.Text);
        }

        foreach (var family in sentences.Where(s => s.IsCandidate).GroupBy(s => s.Shape, StringComparer.Ordinal))
        {
            var size = family.Count();
            foreach (var s in family)
            {
                s.FamilySize = size >= Pattern ? size : 1;
            }
        }
    }

    private static string Shape(string sentence)
    {
        var shape = new StringBuilder();
        var first = true;
        foreach (var token in sentence.Split(' ', StringSplitOptions.RemoveEmptyEntries))
        {
            var word = token.Trim("()[]{}\"'“”‘’.,;:!?".ToCharArray());
            var mask = word.Length == 0 ? null
                : word.Any(char.IsDigit) ? "#"
                : word.Any(c => c is '_' or '.' or '(' or '/') ? "@"
                : char.IsUpper(word[0]) && !first ? "N"
                : word.ToLowerInvariant();
            first = false;
            if (mask is null || (mask.Length == 1 && shape.Length > 0 && shape[^1] == mask[0]))
            {
                continue;
            }

            shape.Append(mask.Length == 1 ? mask : " " + mask);
        }

        return shape.ToString();
    }

    private static BlockKind KindByShape(string text, TextSpan sentence)
    {
        var lineStart = sentence.Start == 0 ? 0 : text.LastIndexOf('\n', sentence.Start - 1) + 1;
        if (!text.AsSpan(lineStart, sentence.Start - lineStart).IsWhiteSpace())
        {
            return BlockKind.Paragraph;
        }

        var lineEnd = text.IndexOf('\n', sentence.Start);
        var line = text.AsSpan(sentence.Start, (lineEnd < 0 ? text.Length : lineEnd) - sentence.Start).TrimEnd();
        return line.IndexOf(" | ") >= 0 ? BlockKind.TableRow
            : TextShape.StartsWithListMarker(line) ? BlockKind.ListItem
            : line.Length == sentence.Length && !TextShape.EndsWithPunctuation(line) && LocalQa.Core.Text.Words.Count(line, MaxHeadingWords) <= MaxHeadingWords ? BlockKind.Heading
            : BlockKind.Paragraph;
    }

    private static bool IsBackMatter(string? heading) =>
        heading is not null && Lexicon.BackMatterHeadings.Contains(heading.Trim().TrimEnd('¶', ':', ' ').ToLowerInvariant());

    /// <summary>
    /// The span without a leading list marker ("- ", "• ", "3. ") or footnote reference ("[1] ", which
    /// belongs to the sentence before): noise once the sentence is quoted alone.
    /// </summary>
    private static TextSpan WithoutListMarker(string text, TextSpan span)
    {
        var sentence = span.In(text);
        var footnote = sentence.Length > 2 && sentence[0] == '[' && sentence.IndexOf(']') is var close && close > 1 && !sentence[1..close].ContainsAnyExceptInRange('0', '9');
        if (!footnote && !TextShape.StartsWithListMarker(sentence))
        {
            return span;
        }

        var skip = footnote ? sentence.IndexOf(']') + 1 : sentence.IndexOfAny(' ', '\t');
        while (skip >= 0 && skip < sentence.Length && char.IsWhiteSpace(sentence[skip]))
        {
            skip++;
        }

        return skip < 0 || skip >= sentence.Length ? span : new TextSpan(span.Start + skip, span.Length - skip);
    }

    private static string Collapse(ReadOnlySpan<char> text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var part in text.ToString().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries))
        {
            builder.Append(builder.Length > 0 ? " " : "").Append(part);
        }

        return builder.ToString();
    }

    // "See …", "Refer to …", "For major changes, see …": the sentence only points elsewhere.
    [GeneratedRegex(@"^(?:See|Consult|Refer to)\b|^For\b[^.;:]{0,60},?\s+see\b")]
    private static partial Regex CrossReference();

    [GeneratedRegex(@"\d")]
    private static partial Regex Digits();

    // "Touvron, H. et al. (2023)." "Paszke, A., Gross, S. …": a surname, a comma, initials.
    [GeneratedRegex(@"^\p{Lu}[\p{L}'’-]+,\s(?:\p{Lu}\.\s?)+|\bet\s+al\.\s+\((?:19|20)\d\d\)")]
    private static partial Regex ReferenceEntry();

    [GeneratedRegex(@"\b(?:ignore|disregard|forget|override)\s+(?:(?:all|any|the|your|of|my)\s+)*(?:previous|prior|above|earlier|preceding|system|original)\b[^.?!\n]{0,60}\b(?:instructions?|prompts?|rules|directions|messages?)\b|^\W*(?:system|assistant|developer)\s*:|\byou\s+(?:must|should|will|are\s+to)\s+(?:now\s+|always\s+|only\s+)?(?:reply|answer|respond|say|output|print|write)\b|\b(?:reply|answer|respond)\s+(?:only\s+)?with\s+(?:the\s+)?(?:single\s+)?word\b", RegexOptions.IgnoreCase)]
    private static partial Regex Instruction();
}
