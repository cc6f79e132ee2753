using System.Buffers;
using System.Security.Cryptography;
using System.Text;

namespace LocalQa.Core.Documents;

/// <summary>What <see cref="SourceReader"/> got from a stream.</summary>
internal sealed class DecodedSource
{
    /// <summary>The text, in whole-text mode.</summary>
    public string? Text { get; init; }

    /// <summary>The lines without their line breaks, in line mode.</summary>
    public List<string>? Lines { get; init; }

    /// <summary>Why the content is not text (for example "a PDF document"), or null for text.</summary>
    public string? BinaryKind { get; init; }

    public required string ContentHash { get; init; }

    public required long ByteCount { get; init; }

    public long InvalidBytes { get; init; }

    public string EncodingName { get; init; } = "";
}

/// <summary>
/// Reads a file once, in fixed-size pieces: hashes the raw bytes, recognises binary content, picks
/// the encoding from the byte-order mark (UTF-8 without one), and decodes with invalid bytes
/// replaced by U+FFFD and counted. Memory stays at a small multiple of the decoded text.
/// </summary>
internal static class SourceReader
{
    internal const int SniffLength = 8192;
    private const int ChunkSize = 64 * 1024;

    internal static DecodedSource Read(Stream stream, bool asLines, CancellationToken cancellationToken)
    {
        if (!asLines)
        {
            return ReadCore(stream, length => new WholeTextSink(length), cancellationToken);
        }

        // One section of unbounded size: every line, in one list.
        List<string>? lines = null;
        var source = ReadSections(stream, int.MaxValue, int.MaxValue, section => lines = lines is null ? section : [.. lines, .. section], cancellationToken);
        return new DecodedSource
        {
            Lines = lines ?? [],
            ContentHash = source.ContentHash,
            ByteCount = source.ByteCount,
            InvalidBytes = source.InvalidBytes,
            EncodingName = source.EncodingName,
            BinaryKind = source.BinaryKind,
        };
    }

    /// <summary>
    /// Reads a text file a section at a time: <paramref name="onSection"/> gets the lines of each
    /// run of whole paragraphs once it holds at least <paramref name="sectionChars"/> characters, so
    /// memory depends on the section size, not on the file's. A line longer than
    /// <paramref name="maxLineChars"/> is broken at its last space before that length (at the length
    /// itself when it has none), which only happens to text that is not prose.
    /// </summary>
    /// <returns>The file's hash, size, encoding and invalid-byte count; no text (it went to <paramref name="onSection"/>).</returns>
    internal static DecodedSource ReadSections(Stream stream, int sectionChars, int maxLineChars, Action<List<string>> onSection, CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(sectionChars, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLineChars, 2);
        ArgumentNullException.ThrowIfNull(onSection);
        SectionSink? sink = null;
        var source = ReadCore(stream, _ => sink = new SectionSink(sectionChars, maxLineChars, onSection), cancellationToken);
        sink?.Finish();
        return source;
    }

    private static DecodedSource ReadCore(Stream stream, Func<long, ITextSink> createSink, CancellationToken cancellationToken)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        var buffer = ArrayPool<byte>.Shared.Rent(ChunkSize);
        char[]? chars = null;
        try
        {
            var headLength = ReadAtLeast(stream, buffer, SniffLength);
            var head = buffer.AsSpan(0, headLength);
            long total = headLength;
            hash.AppendData(head);

            var (encoding, bomLength, name) = DetectEncoding(head);
            var binaryKind = encoding is null ? DetectBinary(head) : null;
            if (binaryKind is not null)
            {
                // Still hash the whole file: the index may want to remember what it skipped.
                int read;
                while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
                {
                    hash.AppendData(buffer.AsSpan(0, read));
                    total += read;
                }

                return new DecodedSource { BinaryKind = binaryKind, ContentHash = Hex(hash), ByteCount = total };
            }

            var fallback = new CountingDecoderFallback();
            var decodingEncoding = (Encoding)(encoding ?? new UTF8Encoding(false)).Clone();
            decodingEncoding.DecoderFallback = fallback;
            var decoder = decodingEncoding.GetDecoder();
            chars = ArrayPool<char>.Shared.Rent(decodingEncoding.GetMaxCharCount(buffer.Length));
            var sink = createSink(stream.CanSeek ? stream.Length : ChunkSize);

            Decode(decoder, buffer.AsSpan(bomLength, headLength - bomLength), chars, sink, flush: false);
            while (true)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var read = stream.Read(buffer, 0, buffer.Length);
                if (read == 0)
                {
                    break;
                }

                total += read;
                hash.AppendData(buffer.AsSpan(0, read));
                Decode(decoder, buffer.AsSpan(0, read), chars, sink, flush: false);
            }

            Decode(decoder, [], chars, sink, flush: true);
            return new DecodedSource
            {
                Text = sink is WholeTextSink whole ? whole.Finish() : null,
                ContentHash = Hex(hash),
                ByteCount = total,
                InvalidBytes = fallback.InvalidBytes,
                EncodingName = name ?? "UTF-8",
            };
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
            if (chars is not null)
            {
                ArrayPool<char>.Shared.Return(chars);
            }
        }
    }

    internal static string HashText(string text)
    {
        var bytes = Encoding.UTF8.GetBytes(text);
        return Convert.ToHexStringLower(SHA256.HashData(bytes));
    }

    /// <summary>The encoding named by a byte-order mark, or null (UTF-8 or binary) when there is none.</summary>
    internal static (Encoding? Encoding, int BomLength, string? Name) DetectEncoding(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            return (new UTF8Encoding(false), 3, "UTF-8 with BOM");
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE, 0x00, 0x00]))
        {
            return (new UTF32Encoding(bigEndian: false, byteOrderMark: false), 4, "UTF-32 LE");
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xFE]))
        {
            return (new UnicodeEncoding(bigEndian: false, byteOrderMark: false), 2, "UTF-16 LE");
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFE, 0xFF]))
        {
            return (new UnicodeEncoding(bigEndian: true, byteOrderMark: false), 2, "UTF-16 BE");
        }

        return (null, 0, null);
    }

    /// <summary>What binary format the first bytes show, or null when they may be UTF-8 text.</summary>
    internal static string? DetectBinary(ReadOnlySpan<byte> head)
    {
        if (head.StartsWith("%PDF"u8))
        {
            return "a PDF document";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x89, (byte)'P', (byte)'N', (byte)'G']))
        {
            return "a PNG image";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0xFF, 0xD8, 0xFF]))
        {
            return "a JPEG image";
        }

        if (head.StartsWith("GIF87a"u8) || head.StartsWith("GIF89a"u8))
        {
            return "a GIF image";
        }

        if (head.StartsWith("PK\u0003\u0004"u8) || head.StartsWith("PK\u0005\u0006"u8) || head.StartsWith("PK\u0007\u0008"u8))
        {
            return "a ZIP archive (or an Office document such as .docx)";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x1F, 0x8B]))
        {
            return "a GZIP archive";
        }

        if (head.StartsWith((ReadOnlySpan<byte>)[0x7F, (byte)'E', (byte)'L', (byte)'F']))
        {
            return "an ELF executable";
        }

        if (head.StartsWith("GGUF"u8))
        {
            return "a GGUF model";
        }

        return head.Contains((byte)0) ? "binary data (it contains NUL bytes and no UTF-16 byte-order mark)" : null;
    }

    private static void Decode(Decoder decoder, ReadOnlySpan<byte> bytes, char[] chars, ITextSink sink, bool flush)
    {
        var completed = false;
        while (!completed)
        {
            decoder.Convert(bytes, chars, flush, out var bytesUsed, out var charsUsed, out completed);
            sink.Append(chars.AsSpan(0, charsUsed));
            bytes = bytes[bytesUsed..];
            if (bytes.IsEmpty && !flush)
            {
                break;
            }
        }
    }

    private static int ReadAtLeast(Stream stream, byte[] buffer, int count)
    {
        var total = 0;
        while (total < count)
        {
            var read = stream.Read(buffer, total, count - total);
            if (read == 0)
            {
                break;
            }

            total += read;
        }

        return total;
    }

    private static string Hex(IncrementalHash hash) => Convert.ToHexStringLower(hash.GetHashAndReset());

    private interface ITextSink
    {
        void Append(ReadOnlySpan<char> chars);
    }

    private sealed class WholeTextSink(long expectedBytes) : ITextSink
    {
        private readonly StringBuilder _builder = new((int)Math.Clamp(expectedBytes, 16, int.MaxValue / 4));

        public void Append(ReadOnlySpan<char> chars) => _builder.Append(chars);

        public string Finish() => _builder.ToString();
    }

    /// <summary>
    /// Splits decoded text into lines at <c>\n</c>, <c>\r\n</c> or <c>\r</c> and hands them on a
    /// section at a time: a section ends at a blank line once it is long enough (paragraphs stay
    /// whole), or at any line break once it is four times too long (a file without blank lines).
    /// </summary>
    private sealed class SectionSink(int sectionChars, int maxLineChars, Action<List<string>> onSection) : ITextSink
    {
        private readonly StringBuilder _partial = new();
        private List<string> _lines = [];
        private long _chars;
        private bool _afterCarriageReturn;

        public void Append(ReadOnlySpan<char> chars)
        {
            while (!chars.IsEmpty)
            {
                if (_afterCarriageReturn && chars[0] == '\n')
                {
                    chars = chars[1..];
                    _afterCarriageReturn = false;
                    continue;
                }

                _afterCarriageReturn = false;
                var breakAt = chars.IndexOfAny('\n', '\r');
                var piece = breakAt < 0 ? chars : chars[..breakAt];
                while ((long)_partial.Length + piece.Length > maxLineChars)
                {
                    var room = maxLineChars - _partial.Length;
                    _partial.Append(piece[..room]);
                    piece = piece[room..];
                    BreakLongLine();
                }

                if (breakAt < 0)
                {
                    _partial.Append(piece);
                    return;
                }

                if (_partial.Length == 0)
                {
                    // The common case, a whole line inside one decoded block: no copy through the builder.
                    AddLine(piece.IsWhiteSpace() ? string.Empty : piece.ToString());
                }
                else
                {
                    _partial.Append(piece);
                    EndLine();
                }

                _afterCarriageReturn = chars[breakAt] == '\r';
                chars = chars[(breakAt + 1)..];
            }
        }

        public void Finish()
        {
            if (_partial.Length > 0)
            {
                EndLine();
            }

            if (_lines.Count > 0)
            {
                onSection(_lines);
                _lines = [];
            }
        }

        /// <summary>Emits the full partial line up to its last space and keeps the rest as the start of the next line.</summary>
        private void BreakLongLine()
        {
            var cut = _partial.Length;
            for (var i = _partial.Length - 1; i > _partial.Length / 2; i--)
            {
                if (char.IsWhiteSpace(_partial[i]))
                {
                    cut = i + 1;
                    break;
                }
            }

            var rest = _partial.ToString(cut, _partial.Length - cut);
            _partial.Length = cut;
            EndLine();
            _partial.Append(rest);
        }

        private void EndLine()
        {
            var line = _partial.Length == 0 || IsBlank(_partial) ? string.Empty : _partial.ToString();
            _partial.Clear();
            AddLine(line);
        }

        private void AddLine(string line)
        {
            _lines.Add(line);
            _chars += line.Length + 1;
            if ((line.Length == 0 && _chars >= sectionChars) || _chars >= 4L * sectionChars)
            {
                onSection(_lines);
                _lines = [];
                _chars = 0;
            }
        }

        private static bool IsBlank(StringBuilder builder)
        {
            foreach (var chunk in builder.GetChunks())
            {
                if (!chunk.Span.IsWhiteSpace())
                {
                    return false;
                }
            }

            return true;
        }
    }

    /// <summary>Replaces each invalid byte sequence with U+FFFD and counts the bytes it replaced.</summary>
    private sealed class CountingDecoderFallback : DecoderFallback
    {
        public long InvalidBytes { get; set; }

        public override int MaxCharCount => 1;

        public override DecoderFallbackBuffer CreateFallbackBuffer() => new Buffer(this);

        private sealed class Buffer(CountingDecoderFallback owner) : DecoderFallbackBuffer
        {
            private int _remaining;

            public override int Remaining => _remaining;

            public override bool Fallback(byte[] bytesUnknown, int index)
            {
                owner.InvalidBytes += bytesUnknown.Length;
                _remaining = 1;
                return true;
            }

            public override char GetNextChar()
            {
                if (_remaining == 0)
                {
                    return '\0';
                }

                _remaining--;
                return '\uFFFD';
            }

            public override bool MovePrevious()
            {
                if (_remaining != 0)
                {
                    return false;
                }

                _remaining = 1;
                return true;
            }

            public override void Reset() => _remaining = 0;
        }
    }
}
