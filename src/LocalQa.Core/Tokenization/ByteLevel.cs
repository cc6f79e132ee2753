using System.Text;

namespace LocalQa.Core.Tokenization;

/// <summary>GPT-2's map from bytes to printable characters, in which byte-level BPE vocabularies are written.</summary>
internal static class ByteLevel
{
    public static readonly char[] Chars = Build();

    private static char[] Build()
    {
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            var printable = b is >= 0x21 and <= 0x7E or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }
        return map;
    }

    /// <summary>Writes the byte-level form of <paramref name="text"/>; -1 when it does not fit.</summary>
    public static int Encode(ReadOnlySpan<char> text, Span<char> destination)
    {
        Span<byte> bytes = stackalloc byte[256];
        if (Encoding.UTF8.GetMaxByteCount(text.Length) > bytes.Length && Encoding.UTF8.GetByteCount(text) > bytes.Length) return -1;
        var n = Encoding.UTF8.GetBytes(text, bytes);
        if (n > destination.Length) return -1;
        for (var i = 0; i < n; i++) destination[i] = Chars[bytes[i]];
        return n;
    }
}
