using System.Text;
using LocalQa.Core.Documents;
using Xunit;

namespace LocalQa.Core.Tests.Documents;

/// <summary>
/// Documents built from random markup, nesting, sizes and encodings (seeded, so every run sees the
/// same inputs): each must load or be skipped with a reason, never throw. Inputs are bounded by size
/// (at most <see cref="MaxChars"/> characters) rather than by a clock, so a slow machine runs the same test.
/// </summary>
public sealed class DocumentFuzzTests
{
    private const int Inputs = 120;
    private const int MaxChars = 96 * 1024;

    private static readonly string[] MarkdownPieces =
    [
        "> ", ">", "- ", "* ", "+ ", "1. ", "12) ", "  ", "    ", "\t", "# ", "###### ", "```", "~~~", "---", "***", "|a|b|\n|-|-|\n",
        "[", "]", "(", ")", "![", "*", "**", "_", "`", "<div>", "</div>", "<!--", "-->", "\\", "&amp;", "&#x0;", "[^1]", "[^1]: ",
        "\n", "\n\n", "\r\n", "text ", "word", "ünïcödé ", "日本語 ", "\u0000", "\uFFFD", "\u202E", "\uD800",
    ];

    private static readonly string[] HtmlPieces =
    [
        "<div>", "</div>", "<span>", "</span>", "<p>", "</p>", "<li>", "<ul>", "</ul>", "<table>", "<tr>", "<td>", "</table>", "<b>", "</i>",
        "<a href='#'>", "</a>", "<h1>", "</h1>", "<pre>", "</pre>", "<script>", "</script>", "<style>", "<!--", "-->", "<![CDATA[", "]]>",
        "<br>", "<img src=x>", "<svg><math>", "<template>", "</template>", "<title>", "<article>", "<main>", "<nav>", "<x-y z=\"a>b\">",
        "<div class='ad-banner'>", "<", ">", "\"", "'", "=", "&amp;", "&#0;", "&", "text ", "word", "ünïcödé ", "\n", "\u0000", "\uD800",
    ];

    private static readonly string[] TextPieces =
    [
        "word ", "Sentence. ", "\n", "\n\n", "\r", "\r\n", "\t", "    ", "HEADING\n", "\u0000", "\uFFFD", "\u00A0", "\u2028", "\uD800",
        "ünïcödé ", "日本語。", "=====\n", "* ", "1. ", "http://example.com/a?b=c ",
    ];

    public static TheoryData<int> Seeds()
    {
        var seeds = new TheoryData<int>();
        for (var i = 0; i < Inputs; i++)
        {
            seeds.Add(i);
        }

        return seeds;
    }

    [Theory]
    [MemberData(nameof(Seeds))]
    public void A_random_document_loads_or_is_skipped_with_a_reason(int seed)
    {
        var random = new Random(seed);
        var (extension, pieces) = (seed % 3) switch
        {
            0 => (".md", MarkdownPieces),
            1 => (".html", HtmlPieces),
            _ => (".txt", TextPieces),
        };
        var text = Generate(random, pieces);
        var bytes = Encode(random, text);
        using var folder = new TempFolder();
        var path = folder.Write("fuzz" + extension, bytes);

        var result = DocumentLoader.Load(path, cancellationToken: TestContext.Current.CancellationToken);

        if (result.IsLoaded)
        {
            Assert.False(string.IsNullOrWhiteSpace(result.Document!.Text));
            Assert.All(result.Warnings, w => Assert.StartsWith(path, w, StringComparison.Ordinal));
        }
        else
        {
            Assert.StartsWith(path, result.SkipReason, StringComparison.Ordinal);
        }
    }

    /// <summary>
    /// Random pieces, sometimes as a deep run of one opening piece (the nesting that broke Markdig and
    /// stalled AngleSharp), sometimes as a long run of one piece, up to <see cref="MaxChars"/>.
    /// </summary>
    private static string Generate(Random random, string[] pieces)
    {
        var target = random.Next(4) switch
        {
            0 => random.Next(1, 256),
            1 => random.Next(256, 8 * 1024),
            _ => random.Next(8 * 1024, MaxChars),
        };
        var text = new StringBuilder(target + 64);
        while (text.Length < target)
        {
            var piece = pieces[random.Next(pieces.Length)];
            var repeat = random.Next(10) switch
            {
                0 => random.Next(100, 5_000),
                1 => random.Next(10, 100),
                _ => 1,
            };
            for (var i = 0; i < repeat && text.Length < target; i++)
            {
                text.Append(piece);
                if (piece.EndsWith(' ') && random.Next(4) == 0)
                {
                    text.Append('\n').Append(' ', 2 * i % 64);
                }
            }
        }

        return text.ToString();
    }

    private static byte[] Encode(Random random, string text)
    {
        var bytes = random.Next(6) switch
        {
            0 => [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(text)],
            1 => [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(text)],
            2 => [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(text)],
            3 => Encoding.Latin1.GetBytes(text),
            _ => Encoding.UTF8.GetBytes(text),
        };

        // Damage: invalid UTF-8 sequences, a cut-off last character.
        if (random.Next(3) == 0 && bytes.Length > 0)
        {
            for (var i = 0; i < 1 + (bytes.Length / 1000); i++)
            {
                bytes[random.Next(bytes.Length)] = (byte)random.Next(0x80, 0x100);
            }
        }

        return random.Next(5) == 0 && bytes.Length > 1 ? bytes[..^1] : bytes;
    }
}
