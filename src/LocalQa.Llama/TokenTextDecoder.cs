using System.Text;

namespace LocalQa.Llama;

/// <summary>
/// Turns a stream of tokens into text. One character can span two tokens (byte-fallback pieces of
/// an emoji or CJK character), so bytes go through a stateful UTF-8 decoder that holds an incomplete
/// sequence until the next token completes it. Reused buffers: no allocation per token until a
/// string is asked for.
/// </summary>
public sealed class TokenTextDecoder
{
    private readonly LlamaModel _model;
    private readonly Decoder _utf8 = new UTF8Encoding(false, false).GetDecoder();
    private byte[] _bytes = new byte[64];
    private char[] _chars = new char[64];

    public TokenTextDecoder(LlamaModel model) => _model = model ?? throw new ArgumentNullException(nameof(model));

    /// <summary>Decodes one token; returns the characters it completes (often empty mid-character).</summary>
    public ReadOnlySpan<char> Append(int token, bool renderSpecial = false)
    {
        var n = _model.TokenToPiece(token, _bytes, renderSpecial);
        if (n < 0)
        {
            _bytes = new byte[-n];
            n = _model.TokenToPiece(token, _bytes, renderSpecial);
        }
        var need = _utf8.GetCharCount(_bytes, 0, n, flush: false);
        if (need > _chars.Length) _chars = new char[Math.Max(need, _chars.Length * 2)];
        var written = _utf8.GetChars(_bytes, 0, n, _chars, 0, flush: false);
        return _chars.AsSpan(0, written);
    }

    /// <summary>Emits whatever is held back (a dangling partial character becomes U+FFFD).</summary>
    public ReadOnlySpan<char> Flush()
    {
        var written = _utf8.GetChars([], 0, 0, _chars, 0, flush: true);
        return _chars.AsSpan(0, written);
    }

    public void Reset() => _utf8.Reset();
}
