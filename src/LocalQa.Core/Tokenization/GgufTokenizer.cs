using System.Collections.Concurrent;
using LocalQa.Core.Gguf;
using LocalQa.Core.Text;
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
public sealed partial class GgufTokenizer : ITokenCounter
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

    /// <summary>Tokens in the vocabulary (the length of tokenizer.ggml.tokens), special ones included.</summary>
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
}
