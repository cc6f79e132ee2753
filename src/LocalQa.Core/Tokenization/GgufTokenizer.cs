using System.Buffers;
using System.Collections.Concurrent;
using System.Text;
using LocalQa.Core.Text;
using LocalQa.Llama.Gguf;
using Microsoft.ML.Tokenizers;

namespace LocalQa.Core.Tokenization;

/// <summary>
/// A model's own tokenizer in managed code, built from the vocabulary inside its GGUF file with no
/// native model loaded: Microsoft.ML.Tokenizers does the merging (SentencePiece BPE for "llama",
/// byte-level BPE for "gpt2", WordPiece for "bert") and LocalQa feeds it text cut exactly as
/// llama.cpp cuts it, so the ids are llama.cpp's ids. Vocabularies it cannot reproduce exactly are
/// refused by <see cref="TryCreate"/> with the reason, and the caller keeps the native tokenizer.
/// </summary>
/// <remarks>
/// Thread-safe. <see cref="CountTokens"/> allocates nothing once the pieces of the text have been
/// seen: each piece's ids are cached (bounded), and the text is cut on pooled buffers.
/// </remarks>
public sealed class GgufTokenizer : ITokenCounter
{
    /// <summary>Pieces whose ids are kept by default: a few megabytes at most.</summary>
    public const int DefaultPieceCacheSize = 1 << 18;
    private const int MaxCachedPieceLength = 64;

    private readonly Engine _engine;
    private readonly (string Text, int Id)[] _userDefined;
    private readonly ConcurrentDictionary<string, int[]> _cache = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, int[]>.AlternateLookup<ReadOnlySpan<char>> _cacheBySpan;

    private readonly int _maxCachedPieces;

    private GgufTokenizer(GgufVocabulary vocab, Engine engine, int pieceCacheSize)
    {
        _maxCachedPieces = pieceCacheSize;
        _engine = engine;
        Model = vocab.Model;
        VocabularySize = vocab.Tokens.Length;
        _cacheBySpan = _cache.GetAlternateLookup<ReadOnlySpan<char>>();
        // llama.cpp cuts user-defined tokens out of the text first, longest first, even when special
        // tokens are not parsed (tokenizer_st_partition).
        _userDefined = [.. Enumerable.Range(0, vocab.Tokens.Length)
            .Where(i => vocab.Types[i] == GgufVocabulary.TypeUserDefined && vocab.Tokens[i].Length > 0)
            .Select(i => (vocab.Tokens[i], i))
            .OrderByDescending(t => t.Item1.Length)];
        Prefix = [.. new[] { engine.LeadingSpecial }.Where(i => i >= 0)];
        Suffix = [.. engine.TrailingSpecials.Where(i => i >= 0)];
    }

    /// <summary>tokenizer.ggml.model of the file: "llama", "gpt2" or "bert".</summary>
    public string Model { get; }

    /// <summary>What the vocabulary is, in words: "SentencePiece BPE", "byte-level BPE", "WordPiece".</summary>
    public string Algorithm => Describe(Model);

    public int VocabularySize { get; }

    /// <summary>The Microsoft.ML.Tokenizers tokenizer doing the merging. It expects pieces already cut
    /// (and, for SentencePiece, mirrored), so it is no tokenizer of whole texts by itself.</summary>
    internal Tokenizer Inner => _engine.Inner;

    /// <summary>Tokens llama.cpp puts around a text when asked to add special tokens (BOS/CLS and EOS/SEP).</summary>
    public int SpecialTokenCount => Prefix.Length + Suffix.Length;

    private int[] Prefix { get; }

    private int[] Suffix { get; }

    /// <summary>"SentencePiece BPE" for llama, and so on; the raw name for a kind LocalQa does not know.</summary>
    public static string Describe(string? model) => model switch
    {
        "llama" => "SentencePiece BPE",
        "gpt2" => "byte-level BPE",
        "bert" => "WordPiece",
        "t5" => "Unigram",
        null => "none",
        _ => model,
    };

    /// <summary>
    /// Builds the managed tokenizer of <paramref name="file"/>; null when its vocabulary is of a kind
    /// or has a feature that the managed one does not reproduce exactly, with the reason.
    /// </summary>
    /// <param name="file">The model file's header.</param>
    /// <param name="whyNot">Why there is no managed tokenizer, when there is none.</param>
    /// <param name="pieceCacheSize">Pieces whose ids are remembered (0: none, every piece is merged anew).</param>
    public static GgufTokenizer? TryCreate(GgufFile file, out string? whyNot, int pieceCacheSize = DefaultPieceCacheSize)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(pieceCacheSize);
        var vocab = GgufVocabulary.Read(file, out whyNot);
        if (vocab is null) return null;
        Engine? engine = vocab.Model switch
        {
            "llama" => SentencePieceEngine.TryCreate(vocab, out whyNot),
            "gpt2" => ByteLevelBpeEngine.TryCreate(vocab, out whyNot),
            "bert" => WordPieceEngine.TryCreate(vocab, out whyNot),
            _ => Refuse($"its tokenizer is '{vocab.Model}' ({Describe(vocab.Model)}); LocalQa reproduces llama, gpt2 and bert vocabularies", out whyNot),
        };
        return engine is null ? null : new GgufTokenizer(vocab, engine, pieceCacheSize);
    }

    /// <summary>
    /// What <c>models inspect</c> says about a file's tokenizer: its kind, vocabulary size, and whether
    /// LocalQa tokenizes it in managed code or leaves it to llama.cpp (and why).
    /// </summary>
    public static TokenizerDescription Inspect(GgufFile file)
    {
        ArgumentNullException.ThrowIfNull(file);
        var model = file.GetString("tokenizer.ggml.model");
        var managed = TryCreate(file, out var whyNot);
        return new TokenizerDescription(model, Describe(model), file.VocabSize, file.GetString("tokenizer.ggml.pre"), managed is not null,
            managed is null ? whyNot : null);
    }

    private static Engine? Refuse(string reason, out string? whyNot)
    {
        whyNot = reason;
        return null;
    }

    /// <summary>The ids llama.cpp's <c>llama_tokenize</c> gives (special tokens never parsed from the text).</summary>
    public int[] EncodeToIds(ReadOnlySpan<char> text, bool addSpecial = false)
    {
        var ids = new List<int>(text.Length / 3 + 4);
        if (addSpecial) ids.AddRange(Prefix);
        var sink = new Sink(ids);
        Run(text, ref sink);
        if (addSpecial) ids.AddRange(Suffix);
        return [.. ids];
    }

    /// <summary>The number of tokens the text becomes, with no special tokens: as <see cref="EncodeToIds"/> counts.</summary>
    public int CountTokens(ReadOnlySpan<char> text)
    {
        var sink = new Sink(null);
        Run(text, ref sink);
        return sink.Count;
    }

    private void Run(ReadOnlySpan<char> text, ref Sink sink)
    {
        if (text.IsEmpty) return;
        if (Codepoints.HasLoneSurrogate(text))
        {
            // What llama.cpp sees after UTF-8 encoding: rare, so the copy is fine.
            var clean = Codepoints.ReplaceLoneSurrogates(text);
            Partition(clean, 0, ref sink);
            return;
        }
        Partition(text, 0, ref sink);
    }

    private void Partition(ReadOnlySpan<char> text, int from, ref Sink sink)
    {
        if (text.IsEmpty) return;
        for (var t = from; t < _userDefined.Length; t++)
        {
            var (token, id) = _userDefined[t];
            var at = text.IndexOf(token, StringComparison.Ordinal);
            if (at < 0) continue;
            Partition(text[..at], t + 1, ref sink);
            sink.Add(id);
            Partition(text[(at + token.Length)..], t, ref sink);
            return;
        }
        _engine.EncodeFragment(this, text, ref sink);
    }

    /// <summary>Encodes one piece that the engine has already cut, through the cache.</summary>
    private void EncodePiece(ReadOnlySpan<char> piece, ref Sink sink)
    {
        if (_cacheBySpan.TryGetValue(piece, out var ids))
        {
            sink.AddRange(ids);
            return;
        }
        ids = _engine.EncodePiece(piece);
        if (piece.Length <= MaxCachedPieceLength && _cache.Count < _maxCachedPieces) _cacheBySpan.TryAdd(piece, ids);
        sink.AddRange(ids);
    }

    private struct Sink(List<int>? ids)
    {
        public int Count;

        public void Add(int id)
        {
            ids?.Add(id);
            Count++;
        }

        public void AddRange(int[] more)
        {
            ids?.AddRange(more);
            Count += more.Length;
        }
    }

    private abstract class Engine
    {
        public abstract Tokenizer Inner { get; }

        public virtual int LeadingSpecial => -1;

        public virtual int[] TrailingSpecials => [];

        /// <summary>Cuts a fragment (text between user-defined tokens) into pieces and encodes each.</summary>
        public abstract void EncodeFragment(GgufTokenizer owner, ReadOnlySpan<char> fragment, ref Sink sink);

        /// <summary>The ids of one piece, from Microsoft.ML.Tokenizers.</summary>
        public abstract int[] EncodePiece(ReadOnlySpan<char> piece);

        protected static void Piece(GgufTokenizer owner, ReadOnlySpan<char> piece, ref Sink sink) => owner.EncodePiece(piece, ref sink);
    }

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

/// <summary>A file's tokenizer as <c>models inspect</c> reports it.</summary>
/// <param name="Model">tokenizer.ggml.model ("llama", "gpt2", "bert"), null when the file has none.</param>
/// <param name="Algorithm">The algorithm in words ("SentencePiece BPE", ...).</param>
/// <param name="VocabularySize">Tokens in the vocabulary.</param>
/// <param name="PreTokenizer">tokenizer.ggml.pre of a BPE vocabulary.</param>
/// <param name="Managed">True when LocalQa counts and cuts with its managed copy (llama.cpp's ids exactly).</param>
/// <param name="NativeReason">Why llama.cpp's own tokenizer is used instead, when it is.</param>
public sealed record TokenizerDescription(string? Model, string Algorithm, long? VocabularySize, string? PreTokenizer, bool Managed, string? NativeReason)
{
    /// <summary>One line: "llama (SentencePiece BPE), 32000 tokens, managed: ..." or "..., native (llama.cpp): reason".</summary>
    public override string ToString()
    {
        var kind = Model is null ? "none" : $"{Model} ({Algorithm}{(PreTokenizer is null ? "" : ", pre-tokenizer " + PreTokenizer)})";
        var size = VocabularySize is { } n ? $", {n.ToString(System.Globalization.CultureInfo.InvariantCulture)} tokens" : "";
        return Managed
            ? $"{kind}{size}, managed (Microsoft.ML.Tokenizers, llama.cpp's ids)"
            : $"{kind}{size}, native (llama.cpp): {NativeReason}";
    }
}
