using LocalQa.Core.Gguf;

namespace LocalQa.Testing;

/// <summary>
/// A WordPiece ("bert") vocabulary of our own for generated BERT models, uncased like
/// bge-small-en-v1.5's: the five special tokens, then word-start and continuation pieces for every
/// letter and digit (so any lowercase ASCII word tokenizes without [UNK]), punctuation, whole
/// English words and common endings.
/// </summary>
/// <remarks>
/// Pieces are spelled as llama.cpp's converter stores a BERT vocabulary, not as Hugging Face's
/// vocab.txt: a word start carries U+2581 ("▁the") and a continuation drops its "##" ("ing").
/// llama.cpp's WordPiece tokenizer prefixes each word with U+2581 and matches the longest piece,
/// so a literal "##ing" would never match. There are no byte tokens: WordPiece cannot decode them
/// (llama.cpp aborts loading such a vocabulary).
/// </remarks>
internal sealed class WordPieceVocabulary
{
    public const int PadId = 0;
    public const int UnknownId = 1;
    public const int ClsId = 2;
    public const int SepId = 3;
    public const int MaskId = 4;

    // llama.h enum llama_token_type.
    private const int TypeNormal = 1;
    private const int TypeControl = 3;

    private const char WordStart = '\u2581';

    // llama.cpp's WordPiece pre-tokenizer makes each of these a word of its own.
    private const string Punctuation = ".,!?;:'\"-()/&%$#@*+=[]<>_~`{}|\\";

    private readonly List<string> _tokens = [];
    private readonly List<int> _types = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    private WordPieceVocabulary() { }

    public IReadOnlyList<string> Tokens => _tokens;

    public IReadOnlyList<int> TokenTypes => _types;

    public int Count => _tokens.Count;

    /// <summary>
    /// The built-in vocabulary, padded with generated pieces up to <paramref name="size"/> when one
    /// is given.
    /// </summary>
    public static WordPieceVocabulary Create(int? size)
    {
        var v = new WordPieceVocabulary();
        // Hugging Face's special tokens, which the converter keeps unprefixed.
        foreach (var special in new[] { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" })
        {
            v.Add(special, TypeControl);
        }
        for (var c = 'a'; c <= 'z'; c++)
        {
            v.AddWordStartAndContinuation(c.ToString());
        }
        for (var c = '0'; c <= '9'; c++)
        {
            v.AddWordStartAndContinuation(c.ToString());
        }
        foreach (var c in Punctuation)
        {
            v.AddPiece(WordStart + c.ToString());
        }
        foreach (var word in SyntheticVocabulary.Words)
        {
            v.AddPiece(WordStart + word);
        }
        foreach (var suffix in SyntheticVocabulary.Suffixes.Where(s => s.All(char.IsAsciiLetterLower)))
        {
            v.AddPiece(suffix);
        }

        if (size is { } target)
        {
            if (target < v.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(size), size, $"The vocabulary needs at least {v.Count} tokens.");
            }
            v.PadTo(target);
        }
        return v;
    }

    private void AddWordStartAndContinuation(string piece)
    {
        AddPiece(WordStart + piece);
        AddPiece(piece);
    }

    // Generated pieces "▁aa", "aa", "▁ab", "ab"..., then three letters: the spread of word starts
    // and continuations a real vocabulary has.
    private void PadTo(int target)
    {
        foreach (var piece in SyntheticVocabulary.LetterPieces(2))
        {
            if (Count >= target) return;
            AddPiece(piece);
        }
    }

    // The shared word list repeats a few words; a duplicate token would abort llama.cpp's load.
    private void AddPiece(string piece)
    {
        if (!_seen.Contains(piece))
        {
            Add(piece, TypeNormal);
        }
    }

    private void Add(string token, int type)
    {
        if (!_seen.Add(token))
        {
            throw new InvalidOperationException($"Duplicate token '{token}'.");
        }
        _tokens.Add(token);
        _types.Add(type);
    }
}
