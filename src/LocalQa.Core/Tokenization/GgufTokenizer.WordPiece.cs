using System.Buffers;
using System.Text;
using LocalQa.Core.Gguf;
using Microsoft.ML.Tokenizers;

namespace LocalQa.Core.Tokenization;

public sealed partial class GgufTokenizer
{
    /// <summary>
    /// "bert": llama.cpp's WPM tokenizer (llm_tokenizer_wpm): the text is lowercased, every code point
    /// replaced by the first of its canonical decomposition, control characters and combining marks
    /// dropped (measured on LLamaSharp 0.30.0's llama.cpp: "a\u0301" and "a\u0903" give "▁a"), and cut at
    /// whitespace, punctuation, ASCII symbols and CJK ideographs; each word is then matched longest
    /// first. The GGUF marks word starts with "▁" where BERT marks continuations with "##", so the
    /// vocabulary is turned back into BERT's form for Microsoft.ML.Tokenizers' WordPieceTokenizer.
    /// </summary>
    private sealed class WordPieceEngine : Engine
    {
        private readonly WordPieceTokenizer _wordPiece;
        private readonly GgufVocabulary _vocab;

        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _pieces;
        private readonly int _longest;

        private WordPieceEngine(GgufVocabulary vocab, WordPieceTokenizer wordPiece)
        {
            _vocab = vocab;
            _wordPiece = wordPiece;
            var pieces = new Dictionary<string, int>(StringComparer.Ordinal);
            for (var i = 0; i < vocab.Tokens.Length; i++) pieces.TryAdd(vocab.Tokens[i], i);
            _pieces = pieces.GetAlternateLookup<ReadOnlySpan<char>>();
            _longest = vocab.Tokens.Max(t => t.Length);
        }

        public override Tokenizer Inner => _wordPiece;

        public override int LeadingSpecial => _vocab.AddBos ? _vocab.Bos : -1;

        public override int[] TrailingSpecials => [.. new[] { _vocab.AddEos ? _vocab.Eos : -1, _vocab.AddSep ? _vocab.Sep : -1 }.Where(i => i >= 0)];

        public static WordPieceEngine? TryCreate(GgufVocabulary vocab, out string? whyNot)
        {
            whyNot = null;
            if (vocab.Unk < 0)
            {
                whyNot = "its WordPiece vocabulary names no unknown token";
                return null;
            }
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var lines = new string[vocab.Tokens.Length];
            for (var i = 0; i < vocab.Tokens.Length; i++)
            {
                var t = vocab.Tokens[i];
                if (t.AsSpan().IndexOfAny('\r', '\n') >= 0)
                {
                    whyNot = $"its token {i} holds a line break";
                    return null;
                }
                // convert_hf_to_gguf.py: "##x" -> "x", "x" -> "▁x", "[X]" kept.
                lines[i] = t.StartsWith('\u2581') ? t[1..] : t.StartsWith('[') && t.EndsWith(']') ? t : "##" + t;
                if (lines[i].Length == 0 || !seen.Add(lines[i]))
                {
                    // An empty line or a twin would shift or lose ids; such a token can never match anyway.
                    lines[i] = $"\u0001unmatchable{i}";
                }
            }
            using var stream = new MemoryStream();
            using (var writer = new StreamWriter(stream, leaveOpen: true) { NewLine = "\n" })
            {
                foreach (var line in lines) writer.WriteLine(line);
            }
            stream.Position = 0;
            var wordPiece = WordPieceTokenizer.Create(stream, new WordPieceOptions
            {
                UnknownToken = lines[vocab.Unk],
                ContinuingSubwordPrefix = "##",
                MaxInputCharsPerWord = 1 << 20,
            });
            return new WordPieceEngine(vocab, wordPiece);
        }

        public override void EncodeFragment(GgufTokenizer owner, ReadOnlySpan<char> fragment, ref Sink sink)
        {
            // Each code point of the fragment gives at most one lowercased code point: two chars.
            var rented = ArrayPool<char>.Shared.Rent(Math.Max(2, fragment.Length * 2));
            try
            {
                var word = rented.AsSpan();
                var n = 0;
                for (var i = 0; i < fragment.Length;)
                {
                    var cp = Codepoints.At(fragment, i, out var w);
                    i += w;
                    cp = Decomposition.First(cp);
                    var cls = Codepoints.Classify(cp);
                    if ((cls & CodepointClass.Whitespace) != 0)
                    {
                        Flush(owner, word, ref n, ref sink);
                        continue;
                    }
                    if (cp == 0 || cp == 0xFFFD || (cls & (CodepointClass.Control | CodepointClass.AccentMark)) != 0) continue;
                    var lower = Decomposition.Lower(cp);
                    if ((cls & CodepointClass.Punctuation) != 0 || (cp < 0x7F && (cls & CodepointClass.Symbol) != 0) || IsChinese(cp))
                    {
                        Flush(owner, word, ref n, ref sink);
                        n += new System.Text.Rune(lower).EncodeToUtf16(word[n..]);
                        Flush(owner, word, ref n, ref sink);
                    }
                    else
                    {
                        n += new System.Text.Rune(lower).EncodeToUtf16(word[n..]);
                    }
                }
                Flush(owner, word, ref n, ref sink);

                static void Flush(GgufTokenizer owner, Span<char> word, ref int count, ref Sink sink)
                {
                    if (count > 0) Piece(owner, word[..count], ref sink);
                    count = 0;
                }
            }
            finally
            {
                ArrayPool<char>.Shared.Return(rented);
            }
        }

        public override int[] EncodePiece(ReadOnlySpan<char> piece) =>
            piece.Contains('\u2581') ? MatchRaw(piece)
            : [.. _wordPiece.EncodeToIds(piece, considerPreTokenization: false, considerNormalization: false)];

        /// <summary>
        /// A word holding "▁" itself: llama.cpp matches "▁word" against the GGUF pieces as raw text, so
        /// mid-word "▁x" becomes the word-start piece "▁x", which a WordPiece vocabulary cannot say.
        /// Such words are matched here the way llama.cpp does, longest piece first.
        /// </summary>
        private int[] MatchRaw(ReadOnlySpan<char> word)
        {
            var text = "\u2581" + word.ToString();
            var ids = new List<int>();
            for (var i = 0; i < text.Length;)
            {
                var found = false;
                for (var j = Math.Min(text.Length, i + _longest); j > i; j--)
                {
                    if (_pieces.TryGetValue(text.AsSpan(i, j - i), out var id))
                    {
                        ids.Add(id);
                        i = j;
                        found = true;
                        break;
                    }
                }
                if (!found) return [_vocab.Unk];
            }
            return [.. ids];
        }

        // llama.cpp's is_chinese_char, 0x2B920 included (as in Hugging Face's Rust code).
        private static bool IsChinese(int cp) =>
            cp is >= 0x4E00 and <= 0x9FFF or >= 0x3400 and <= 0x4DBF or >= 0x20000 and <= 0x2A6DF
                or >= 0x2A700 and <= 0x2B73F or >= 0x2B740 and <= 0x2B81F or >= 0x2B920 and <= 0x2CEAF
                or >= 0xF900 and <= 0xFAFF or >= 0x2F800 and <= 0x2FA1F;
    }
}
