using System.Globalization;
using LocalQa.Core.Gguf;

namespace LocalQa.Testing;

/// <summary>
/// A SentencePiece ("llama") vocabulary of our own for generated models: the special tokens,
/// the chatml control tokens, 256 byte tokens (so any UTF-8 text tokenizes and comes back exactly)
/// and English word pieces. Every prefix of a piece is a piece too, and longer pieces score
/// higher, so llama.cpp's greedy bigram merging reaches whole words.
/// </summary>
internal sealed class SyntheticVocabulary
{
    public const int UnknownId = 0;
    public const int BosId = 1;
    public const int EosId = 2;
    public const int ImStartId = 3;
    public const int ImEndId = 4;

    // llama.h enum llama_token_type.
    private const int TypeNormal = 1;
    private const int TypeUnknown = 2;
    private const int TypeControl = 3;
    private const int TypeByte = 6;

    private const char WordStart = '\u2581'; // SentencePiece's "▁": a space before a word

    /// <summary>Common English words, lowercase; shared with <see cref="WordPieceVocabulary"/>.</summary>
    internal static readonly string[] Words =
    [
        "the", "of", "and", "to", "in", "is", "was", "for", "that", "on", "with", "as", "it", "by", "at",
        "from", "this", "be", "are", "or", "an", "have", "has", "had", "not", "but", "what", "all", "were",
        "when", "we", "there", "can", "which", "their", "said", "if", "do", "will", "each", "about", "how",
        "up", "out", "them", "then", "she", "he", "they", "you", "his", "many", "some", "so", "these", "would",
        "other", "into", "him", "her", "more", "two", "like", "time", "could", "no", "make", "than", "first",
        "been", "its", "who", "now", "people", "my", "made", "over", "did", "down", "only", "way", "find",
        "use", "may", "water", "long", "little", "very", "after", "words", "called", "just", "where", "most",
        "know", "get", "through", "back", "much", "before", "go", "good", "new", "write", "our", "used", "me",
        "man", "too", "any", "day", "same", "right", "look", "think", "also", "around", "another", "came",
        "come", "work", "three", "word", "must", "because", "does", "part", "even", "place", "well", "such",
        "here", "take", "why", "things", "help", "put", "years", "different", "away", "again", "off", "went",
        "old", "number", "great", "tell", "men", "say", "small", "every", "found", "still", "between", "name",
        "should", "home", "big", "give", "air", "line", "set", "own", "under", "read", "last", "never", "us",
        "left", "end", "along", "while", "might", "next", "below", "saw", "something", "thought", "both",
        "few", "those", "always", "show", "large", "often", "together", "asked", "house", "world", "going",
        "want", "school", "important", "until", "food", "keep", "children", "land", "without", "once",
        "life", "enough", "took", "four", "head", "above", "kind", "began", "almost", "live", "earth", "need",
        "far", "hand", "high", "year", "mother", "light", "country", "father", "night", "being", "second",
        "soon", "story", "since", "white", "ever", "paper", "hard", "near", "better", "best", "during",
        "today", "however", "sure", "knew", "try", "told", "young", "sun", "question", "answer", "hello",
        "model", "data", "file", "text", "document", "summary", "article", "language", "system", "city",
        "river", "science", "history", "music", "computer", "water", "once", "upon", "a", "i",
    ];

    private static readonly string[] CapitalizedWords =
    [
        "The", "A", "I", "It", "In", "This", "He", "She", "We", "They", "What", "How", "Why", "When",
        "Where", "Who", "Hello", "Once", "There", "Question", "Answer", "Summary",
    ];

    /// <summary>Common English word endings; shared with <see cref="WordPieceVocabulary"/>.</summary>
    internal static readonly string[] Suffixes =
    [
        "s", "es", "ed", "ing", "er", "ers", "ly", "tion", "tions", "ment", "ness", "est", "al", "ful",
        "less", "able", "ous", "ive", "ity", "'s", "n't", "'re", "'ll", "'ve",
    ];

    private const string Symbols = ".,!?;:'\"-()/&%$#@*+=[]<>_~`{}|\\";

    private readonly List<string> _tokens = [];
    private readonly List<float> _scores = [];
    private readonly List<int> _types = [];
    private readonly HashSet<string> _seen = new(StringComparer.Ordinal);

    private SyntheticVocabulary() { }

    public IReadOnlyList<string> Tokens => _tokens;

    public IReadOnlyList<float> Scores => _scores;

    public IReadOnlyList<int> TokenTypes => _types;

    public int Count => _tokens.Count;

    /// <summary>
    /// The built-in vocabulary, padded with generated lowercase pieces up to <paramref name="size"/>
    /// when one is given.
    /// </summary>
    public static SyntheticVocabulary Create(int? size)
    {
        var v = new SyntheticVocabulary();
        v.Add("<unk>", 0, TypeUnknown);
        v.Add("<s>", 0, TypeControl);
        v.Add("</s>", 0, TypeControl);
        v.Add("<|im_start|>", 0, TypeControl);
        v.Add("<|im_end|>", 0, TypeControl);
        for (var b = 0; b < 256; b++)
        {
            v.Add(string.Create(CultureInfo.InvariantCulture, $"<0x{b:X2}>"), 0, TypeByte);
        }

        v.AddPiece(WordStart.ToString());
        for (var c = 'a'; c <= 'z'; c++)
        {
            v.AddPiece(c.ToString());
            v.AddPiece(char.ToUpperInvariant(c).ToString());
        }
        for (var c = '0'; c <= '9'; c++)
        {
            v.AddPiece(c.ToString());
        }
        foreach (var c in Symbols)
        {
            v.AddPiece(c.ToString());
        }
        foreach (var word in Words.Concat(CapitalizedWords))
        {
            v.AddWithPrefixes(WordStart + word);
        }
        foreach (var suffix in Suffixes)
        {
            v.AddWithPrefixes(suffix);
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

    private void AddWithPrefixes(string piece)
    {
        // Start at 1 char ("▁" alone is already in); every prefix must exist for merges to reach the piece.
        for (var length = 1; length <= piece.Length; length++)
        {
            AddPiece(piece[..length]);
        }
    }

    // Generated pieces "a".."z", "▁a".."▁z", "aa".., "▁aa"..: prefix-closed like the rest.
    private void PadTo(int target)
    {
        foreach (var piece in SyntheticVocabulary.LetterPieces(1))
        {
            if (Count >= target) return;
            AddPiece(piece);
        }
    }

    /// <summary>Letter pieces in pairs, word start first ("▁aa", "aa", "▁ab", ...), from
    /// <paramref name="firstLength"/> letters up: the padding both generated vocabularies use.</summary>
    internal static IEnumerable<string> LetterPieces(int firstLength)
    {
        var buffer = new char[16];
        for (var length = firstLength; length < buffer.Length; length++)
        {
            var combinations = (long)Math.Pow(26, length);
            for (long n = 0; n < combinations; n++)
            {
                var rest = n;
                for (var i = length - 1; i >= 0; i--)
                {
                    buffer[i + 1] = (char)('a' + (int)(rest % 26));
                    rest /= 26;
                }
                buffer[0] = WordStart;
                yield return new string(buffer, 0, length + 1);
                yield return new string(buffer, 1, length);
            }
        }
    }

    private void AddPiece(string piece)
    {
        if (!_seen.Contains(piece))
        {
            // Longer pieces win the merge; among equals the earlier (more common) one does.
            Add(piece, piece.Length - (_tokens.Count * 1e-6f), TypeNormal);
        }
    }

    private void Add(string token, float score, int type)
    {
        if (!_seen.Add(token))
        {
            throw new InvalidOperationException($"Duplicate token '{token}'.");
        }
        _tokens.Add(token);
        _scores.Add(score);
        _types.Add(type);
    }
}
