using System.Security.Cryptography;
using System.Text;
using LocalQa.Core.Documents;
using LocalQa.Llama;
using Xunit;

namespace LocalQa.Core.Tests.Documents;

public sealed class DocumentLoaderTests
{
    private const string Article = "A Short Title\n\nThe first paragraph says something useful. It has two sentences.\n\nThe second paragraph is here.\n";

    private static LoadResult Load(string path) => DocumentLoader.Load(path, cancellationToken: TestContext.Current.CancellationToken);

    [Fact]
    public void Loads_utf8_text_with_title_hash_size_and_headings()
    {
        using var folder = new TempFolder();
        var bytes = Encoding.UTF8.GetBytes(Article);
        var path = folder.Write("article.txt", bytes);

        var result = Load(path);

        Assert.True(result.IsLoaded, result.SkipReason);
        var document = result.Document!;
        Assert.Equal(path, document.Path);
        Assert.Equal("A Short Title", document.Title);
        Assert.Equal("A Short Title\n\nThe first paragraph says something useful. It has two sentences.\n\nThe second paragraph is here.", document.Text);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), document.ContentHash);
        Assert.Equal(bytes.Length, document.SizeBytes);
        Assert.Equal(File.GetLastWriteTimeUtc(path), document.ModifiedUtc.UtcDateTime);
        Assert.Equal([new HeadingSpan(0, 13, 0)], document.Headings);
        Assert.Equal(0, result.InvalidBytesReplaced);
        Assert.Empty(result.Warnings);
    }

    public static TheoryData<string, byte[]> Encodings => new()
    {
        { "UTF-8 with BOM", [.. Encoding.UTF8.GetPreamble(), .. Encoding.UTF8.GetBytes(Article)] },
        { "UTF-16 LE", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes(Article)] },
        { "UTF-16 BE", [.. Encoding.BigEndianUnicode.GetPreamble(), .. Encoding.BigEndianUnicode.GetBytes(Article)] },
    };

    [Theory]
    [MemberData(nameof(Encodings))]
    public void Decodes_by_byte_order_mark_and_hashes_the_raw_bytes(string encoding, byte[] bytes)
    {
        using var folder = new TempFolder();
        var path = folder.Write("article.txt", bytes);

        var result = Load(path);

        Assert.True(result.IsLoaded, result.SkipReason);
        Assert.Equal(encoding, result.EncodingName);
        Assert.Equal("A Short Title", result.Document!.Title);
        Assert.StartsWith("A Short Title\n\nThe first paragraph", result.Document.Text, StringComparison.Ordinal);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), result.Document.ContentHash);
    }

    [Fact]
    public void Non_ascii_text_survives_decoding_across_read_boundaries()
    {
        using var folder = new TempFolder();
        var line = "Jérôme Pesenti’s team — 数据 and ünïcödé 😀 everywhere.";
        var text = string.Join('\n', Enumerable.Repeat(line, 5000));
        var path = folder.Write("unicode.txt", Encoding.UTF8.GetBytes(text));

        var result = Load(path);

        Assert.Equal(0, result.InvalidBytesReplaced);
        Assert.Equal(text, result.Document!.Text);
    }

    [Fact]
    public void Invalid_utf8_bytes_are_replaced_counted_and_reported()
    {
        using var folder = new TempFolder();
        byte[] bytes = [.. "Good text, "u8, 0xFF, .. " then more "u8, 0xC3, 0x28, .. " and a cut end "u8, 0xE2, 0x82];
        var path = folder.Write("broken.txt", bytes);

        var result = Load(path);

        Assert.True(result.IsLoaded);
        Assert.Equal(4, result.InvalidBytesReplaced); // 0xFF, 0xC3 and the two bytes of the cut sequence
        Assert.Equal("Good text, \uFFFD then more \uFFFD( and a cut end \uFFFD", result.Document!.Text);
        var warning = Assert.Single(result.Warnings);
        Assert.Contains(path, warning, StringComparison.Ordinal);
        Assert.Contains("4 invalid bytes were replaced with U+FFFD", warning, StringComparison.Ordinal);
    }

    public static TheoryData<string, byte[], string> BinaryFiles => new()
    {
        { "paper.txt", [.. "%PDF-1.7\n"u8, 1, 2, 3], "PDF" },
        { "image.md", [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A], "PNG" },
        { "photo.html", [0xFF, 0xD8, 0xFF, 0xE0, 0, 0x10], "JPEG" },
        { "anim.txt", [.. "GIF89a"u8, 1, 0], "GIF" },
        { "report.txt", [.. "PK\u0003\u0004"u8, 20, 0, 6, 0], "ZIP" },
        { "notes.txt", [0x1F, 0x8B, 8, 0], "GZIP" },
        { "tool.txt", [0x7F, (byte)'E', (byte)'L', (byte)'F', 2, 1], "ELF" },
        { "model.txt", [.. "GGUF"u8, 3, 0, 0, 0], "GGUF" },
        { "data.txt", [.. "looks like text"u8, 0, 0, .. "but is not"u8], "NUL" },
    };

    [Theory]
    [MemberData(nameof(BinaryFiles))]
    public void Binary_files_are_skipped_with_a_reason_that_names_them(string name, byte[] bytes, string kind)
    {
        using var folder = new TempFolder();
        var path = folder.Write(name, bytes);

        var result = Load(path);

        Assert.False(result.IsLoaded);
        Assert.Null(result.Document);
        Assert.Contains(path, result.SkipReason, StringComparison.Ordinal);
        Assert.Contains(kind, result.SkipReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Utf16_with_byte_order_mark_is_text_despite_its_nul_bytes()
    {
        using var folder = new TempFolder();
        var path = folder.Write("wide.txt", [.. Encoding.Unicode.GetPreamble(), .. Encoding.Unicode.GetBytes("Plain words.")]);

        Assert.Equal("Plain words.", Load(path).Document!.Text);
    }

    [Fact]
    public void A_missing_file_is_a_user_error_that_names_it()
    {
        var path = Path.Combine(Path.GetTempPath(), "localqa-no-such-file-" + Guid.NewGuid().ToString("N") + ".txt");

        var error = Assert.Throws<InvalidInputException>(() => Load(path));

        Assert.Contains(path, error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_folder_where_a_file_is_expected_is_a_user_error_that_names_it()
    {
        using var folder = new TempFolder();

        var error = Assert.Throws<InvalidInputException>(() => Load(folder.Path));

        Assert.Contains(folder.Path, error.Message, StringComparison.Ordinal);
        Assert.NotNull(error.Fix);
    }

    [Fact]
    public void Empty_and_boilerplate_only_files_are_skipped()
    {
        using var folder = new TempFolder();

        Assert.Contains("no text", Load(folder.Write("empty.txt", "")).SkipReason, StringComparison.Ordinal);
        Assert.Contains("boilerplate", Load(folder.Write("junk.txt", "Skip to content\n\nAdvertisement\n\nShare this\n")).SkipReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Files_over_the_size_limit_are_skipped()
    {
        using var folder = new TempFolder();
        var path = folder.Write("big.txt", new string('a', 2000));

        var result = DocumentLoader.Load(path, new LoadOptions { MaxFileBytes = 1000 }, TestContext.Current.CancellationToken);

        Assert.False(result.IsLoaded);
        Assert.Contains("limit", result.SkipReason, StringComparison.Ordinal);
    }

    [Fact]
    public void A_symbolic_link_is_held_to_the_size_limit_of_the_file_it_points_to()
    {
        // The link itself is a few bytes: a limit checked on it would let any size through.
        using var folder = new TempFolder();
        var target = folder.Write("big.md", "# Big\n\n" + new string('a', 2000));
        var link = Path.Combine(Path.GetDirectoryName(target)!, "link.md");
        File.CreateSymbolicLink(link, target);

        var result = DocumentLoader.Load(link, new LoadOptions { MaxFileBytes = 1000 }, TestContext.Current.CancellationToken);

        Assert.False(result.IsLoaded);
        Assert.Contains("limit", result.SkipReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_text_for_stdin_hashes_the_utf8_bytes_and_uses_the_name()
    {
        var result = DocumentLoader.LoadText("Pasted Heading\n\nSome pasted text.", "stdin", modifiedUtc: DateTimeOffset.UnixEpoch);

        var document = result.Document!;
        Assert.Equal("stdin", document.Path);
        Assert.Equal("Pasted Heading", document.Title);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes("Pasted Heading\n\nSome pasted text."))), document.ContentHash);
        Assert.Equal(DateTimeOffset.UnixEpoch, document.ModifiedUtc);
        Assert.Equal(DocumentFormat.PlainText, result.Format);
    }

    [Fact]
    public void Load_text_reads_markdown_when_the_name_says_so()
    {
        var result = DocumentLoader.LoadText("# Heading\n\nSome **bold** text with a [link](https://example.com).", "notes.md");

        Assert.Equal(DocumentFormat.Markdown, result.Format);
        Assert.Equal("Heading\n\nSome bold text with a link.", result.Document!.Text);
        Assert.Equal([new HeadingSpan(0, 7, 1)], result.Document.Headings);
    }

    [Fact]
    public void Hard_wrapped_paragraphs_are_joined_into_lines()
    {
        var text = "Chapter One\n\nThis paragraph was wrapped by an old editor at a fixed\nwidth, so its lines stop in the middle of sentences and\nmust be joined again before sentences can be found.\n\nShort line.\nAnother short line.";

        var document = DocumentLoader.LoadText(text, "wrapped.txt").Document!;

        Assert.Equal(
            "Chapter One\n\nThis paragraph was wrapped by an old editor at a fixed width, so its lines stop in the middle of sentences and must be joined again before sentences can be found.\n\nShort line.\nAnother short line.",
            document.Text);
    }

    [Fact]
    public void Headings_in_plain_text_are_guessed_conservatively()
    {
        var text = "Main Title Of The Piece\n\nA paragraph that ends properly.\n\nshort lower case line\n\nAnother paragraph.\nWhy It Matters\nA sentence right after the heading.\nnot a heading because lower case\nLast sentence.";

        var document = DocumentLoader.LoadText(text, "guess.txt").Document!;
        var headings = document.Headings.Select(h => document.Text.Substring(h.Start, h.Length)).ToArray();

        Assert.Equal(["Main Title Of The Piece", "Why It Matters"], headings);
    }
}
