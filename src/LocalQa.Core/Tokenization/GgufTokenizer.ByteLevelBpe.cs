using LocalQa.Core.Gguf;
using Microsoft.ML.Tokenizers;

namespace LocalQa.Core.Tokenization;

public sealed partial class GgufTokenizer
{
    /// <summary>
    /// "gpt2": llama.cpp's BPE tokenizer (llm_tokenizer_bpe): the text is cut by the pre-tokenizer the
    /// file names (tokenizer.ggml.pre), each piece's UTF-8 bytes are mapped to GPT-2's printable
    /// characters, and ranked merges run per piece; Microsoft.ML.Tokenizers' BpeTokenizer with
    /// ByteLevel does the merging. Llama-3-style vocabularies take a piece that is a token whole.
    /// </summary>
    private sealed class ByteLevelBpeEngine : Engine
    {
        private readonly BpeTokenizer _bpe;
        private readonly SplitChain _split;
        private readonly GgufVocabulary _vocab;
        private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>>? _whole;

        private ByteLevelBpeEngine(GgufVocabulary vocab, BpeTokenizer bpe, SplitChain split, Dictionary<string, int>? whole)
        {
            _vocab = vocab;
            _bpe = bpe;
            _split = split;
            _whole = whole?.GetAlternateLookup<ReadOnlySpan<char>>();
        }

        public override Tokenizer Inner => _bpe;

        public override int LeadingSpecial => _vocab.AddBos ? _vocab.Bos : -1;

        public override int[] TrailingSpecials => [.. new[] { _vocab.AddEos ? _vocab.Eos : -1, _vocab.AddSep ? _vocab.Sep : -1 }.Where(i => i >= 0)];

        public static ByteLevelBpeEngine? TryCreate(GgufVocabulary vocab, out string? whyNot)
        {
            whyNot = null;
            if (PreTokenizers.For(vocab.Pre) is not { } regexes)
            {
                whyNot = $"its BPE pre-tokenizer '{vocab.Pre ?? "(none)"}' is one LocalQa does not reproduce (it does llama-bpe, qwen2, smollm, gpt-2 and their aliases)";
                return null;
            }
            if (vocab.Merges.Length == 0)
            {
                whyNot = "its BPE vocabulary has no merges (tokenizer.ggml.merges)";
                return null;
            }
            var ids = new Dictionary<string, int>(vocab.Tokens.Length, StringComparer.Ordinal);
            for (var i = 0; i < vocab.Tokens.Length; i++)
            {
                if (!ids.TryAdd(vocab.Tokens[i], i))
                {
                    whyNot = "its vocabulary holds the same token twice";
                    return null;
                }
            }
            foreach (var c in ByteLevel.Chars)
            {
                if (!ids.ContainsKey(c.ToString()))
                {
                    whyNot = "its byte-level BPE vocabulary lacks a token for every byte";
                    return null;
                }
            }
            foreach (var merge in vocab.Merges)
            {
                var space = merge.IndexOf(' ', 1);
                if (space < 0 || !ids.ContainsKey(merge[..space]) || !ids.ContainsKey(merge[(space + 1)..]) || !ids.ContainsKey(merge.Remove(space, 1)))
                {
                    whyNot = $"its merge '{merge}' joins or makes a token that is not in the vocabulary";
                    return null;
                }
            }
            var bpe = BpeTokenizer.Create(new BpeOptions(ids) { Merges = vocab.Merges, ByteLevel = true });
            var split = new SplitChain([.. regexes.Select(SplitStage.For)]);
            return new ByteLevelBpeEngine(vocab, bpe, split, vocab.IgnoreMerges ? ids : null);
        }

        public override void EncodeFragment(GgufTokenizer owner, ReadOnlySpan<char> fragment, ref Sink sink)
        {
            var state = (Owner: owner, Sink: sink);
            _split.Split(fragment, ref state, static (ref (GgufTokenizer Owner, Sink Sink) s, ReadOnlySpan<char> text, int start, int length) =>
                Piece(s.Owner, text.Slice(start, length), ref s.Sink));
            sink = state.Sink;
        }

        public override int[] EncodePiece(ReadOnlySpan<char> piece)
        {
            if (_whole is { } whole)
            {
                Span<char> encoded = stackalloc char[Math.Min(1024, piece.Length * 4)];
                var n = ByteLevel.Encode(piece, encoded);
                if (n >= 0 && whole.TryGetValue(encoded[..n], out var id)) return [id];
            }
            return [.. _bpe.EncodeToIds(piece, considerPreTokenization: false, considerNormalization: false)];
        }
    }
}
