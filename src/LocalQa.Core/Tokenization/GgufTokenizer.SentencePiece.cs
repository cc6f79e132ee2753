using System.Buffers;
using System.Text;
using LocalQa.Core.Gguf;
using LocalQa.Core.Text;
using Microsoft.ML.Tokenizers;

namespace LocalQa.Core.Tokenization;

public sealed partial class GgufTokenizer
{
    /// <summary>
    /// "llama": llama.cpp's SPM tokenizer (llm_tokenizer_spm) is SentencePiece's BPE: spaces become
    /// "▁", a "▁" goes in front, the highest-scoring adjacent pair that is a piece merges first (the
    /// leftmost among equals), and what stays unknown falls back to byte tokens. Microsoft.ML.Tokenizers'
    /// LlamaTokenizer runs that algorithm; it takes a SentencePiece model file, so one is written in
    /// memory from the GGUF's pieces and scores.
    /// </summary>
    private sealed class SentencePieceEngine : Engine
    {
        private const char Meta = '\u2581';
        private readonly SentencePieceTokenizer _spm;
        private readonly bool _spacePrefix;
        private readonly bool _wordsIndependent;
        private readonly GgufVocabulary _vocab;

        private readonly int _byte0;

        private SentencePieceEngine(GgufVocabulary vocab, SentencePieceTokenizer spm, bool wordsIndependent, int byte0)
        {
            _byte0 = byte0;
            _vocab = vocab;
            _spm = spm;
            _spacePrefix = vocab.AddSpacePrefix;
            _wordsIndependent = wordsIndependent;
        }

        public override Tokenizer Inner => _spm;

        public override int LeadingSpecial => _vocab.AddBos ? _vocab.Bos : -1;

        public override int[] TrailingSpecials => _vocab.AddEos ? [_vocab.Eos] : [];

        public static SentencePieceEngine? TryCreate(GgufVocabulary vocab, out string? whyNot)
        {
            whyNot = null;
            if (vocab.RemoveExtraWhitespaces)
            {
                whyNot = "its SentencePiece vocabulary asks to remove extra whitespace (tokenizer.ggml.remove_extra_whitespaces), which LocalQa does not reproduce";
                return null;
            }
            var byte0 = Array.IndexOf(vocab.Tokens, "<0x00>");
            for (var b = 0; b < 256; b++)
            {
                var at = byte0 + b;
                if (byte0 < 0 || at >= vocab.Tokens.Length || vocab.Tokens[at] != $"<0x{b:X2}>")
                {
                    whyNot = "its SentencePiece vocabulary lacks the 256 byte tokens <0x00>..<0xFF> in order, which byte fallback needs";
                    return null;
                }
            }
            // Mirror image: every piece spelt backwards, except the byte tokens that are found by name.
            var mirrored = new string[vocab.Tokens.Length];
            for (var i = 0; i < mirrored.Length; i++)
            {
                mirrored[i] = vocab.Types[i] == GgufVocabulary.TypeByte ? vocab.Tokens[i] : Reverse(vocab.Tokens[i]);
            }
            if (mirrored.Distinct(StringComparer.Ordinal).Count() != mirrored.Length)
            {
                whyNot = "its vocabulary holds the same piece twice";
                return null;
            }
            // Words can be merged one at a time only when no piece carries "▁" after another character.
            var independent = !vocab.Tokens.Any(t => t.AsSpan().TrimStart(Meta).Contains(Meta));
            using var model = new MemoryStream(SentencePieceModelWriter.Write(vocab, mirrored));
            var spm = LlamaTokenizer.Create(model, addBeginOfSentence: false, addEndOfSentence: false);
            return new SentencePieceEngine(vocab, spm, independent, byte0);
        }

        private static string Reverse(string s)
        {
            var runes = s.EnumerateRunes().ToArray();
            Array.Reverse(runes);
            var sb = new StringBuilder(s.Length);
            foreach (var r in runes) sb.Append(r.ToString());
            return sb.ToString();
        }

        private static void Reverse(ReadOnlySpan<char> source, Span<char> destination)
        {
            var w = source.Length;
            for (var i = 0; i < source.Length;)
            {
                Codepoints.At(source, i, out var n);
                w -= n;
                source.Slice(i, n).CopyTo(destination[w..]);
                i += n;
            }
        }

        public override void EncodeFragment(GgufTokenizer owner, ReadOnlySpan<char> fragment, ref Sink sink)
        {
            var length = fragment.Length + (_spacePrefix ? 1 : 0);
            var rented = ArrayPool<char>.Shared.Rent(length);
            try
            {
                var text = rented.AsSpan(0, length);
                var w = 0;
                if (_spacePrefix) text[w++] = Meta;
                foreach (var c in fragment) text[w++] = c == ' ' ? Meta : c;
                if (!_wordsIndependent)
                {
                    sink.AddRange(EncodePiece(text));
                    return;
                }
                var start = 0;
                for (var i = 1; i < text.Length; i++)
                {
                    if (text[i] == Meta && text[i - 1] != Meta)
                    {
                        Piece(owner, text[start..i], ref sink);
                        start = i;
                    }
                }
                Piece(owner, text[start..], ref sink);
            }
            finally
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }

        /// <summary>
        /// Merges run on the mirror image of the piece. Microsoft.ML.Tokenizers merges the rightmost of
        /// equally scored pairs first and llama.cpp (like SentencePiece) the leftmost, so on "lll" it
        /// gives "l" "ll" where llama.cpp gives "ll" "l"; spelt backwards, its rightmost is llama.cpp's
        /// leftmost. The tokens then come back in reverse, each unknown character's byte tokens kept in
        /// UTF-8 order.
        /// </summary>
        public override int[] EncodePiece(ReadOnlySpan<char> piece)
        {
            var rented = ArrayPool<char>.Shared.Rent(Math.Max(1, piece.Length));
            try
            {
                var mirror = rented.AsSpan(0, piece.Length);
                Reverse(piece, mirror);
                var ids = _spm.EncodeToIds(mirror, addBeginningOfSentence: false, addEndOfSentence: false, considerPreTokenization: false, considerNormalization: false);
                var result = new int[ids.Count];
                var w = ids.Count;
                for (var i = 0; i < ids.Count;)
                {
                    var run = 1;
                    var b = ids[i] - _byte0;
                    if (b is >= 0 and < 256)
                    {
                        // One character's UTF-8 bytes, in order: as many as its lead byte says.
                        run = b < 0xC0 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
                        run = Math.Min(run, ids.Count - i);
                    }
                    w -= run;
                    for (var k = 0; k < run; k++) result[w + k] = ids[i + k];
                    i += run;
                }
                return result;
            }
            finally
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }
    }
}
