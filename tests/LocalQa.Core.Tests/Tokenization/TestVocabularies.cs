using System.Text;
using LocalQa.Core.Gguf;
using LocalQa.Testing;

namespace LocalQa.Core.Tests.Tokenization;

/// <summary>
/// Vocabulary-only GGUF files of the three kinds, written here: a byte-level BPE vocabulary with
/// merges learnt from a small corpus (plus control and user-defined tokens, and a whole word no
/// merge reaches), and a BERT WordPiece vocabulary in the converter's "▁word"/"piece" form.
/// </summary>
internal static class TestVocabularies
{
    public const int Normal = 1;
    public const int Unknown = 2;
    public const int Control = 3;
    public const int UserDefined = 4;

    private const string Corpus =
        "The keeper counted forty boats in the harbour at dusk, and the tide turned at nine. " +
        "Once upon a time there was a little girl who loved the sea. She asked her mother what it's like " +
        "to sail, and they'll go tomorrow; we're sure you've heard I'd never seen 1234 or 56789 boats. " +
        "Überall naïve café résumé — “quoted” text, e-mail, C++ and x86_64. Привет мир, 你好世界, 안녕하세요. " +
        "Tabs\tand\nnew lines\r\nmatter;   spaces   too! Numbers 3.14159 and 2024-05-01, $14.99 (49%).";

    public static void WriteBpe(string path, string pre, int merges = 400)
    {
        var tokens = new List<string>();
        var types = new List<int>();
        var seen = new HashSet<string>(StringComparer.Ordinal);
        void Add(string t, int type)
        {
            if (seen.Add(t))
            {
                tokens.Add(t);
                types.Add(type);
            }
        }

        Add("<|endoftext|>", Control);
        Add("<|im_start|>", Control);
        Add("<|im_end|>", Control);
        Add("<tool_call>", UserDefined);
        var byteChars = ByteChars();
        foreach (var c in byteChars) Add(c.ToString(), Normal);

        // Learn merges over words cut like GPT-2 (leading space kept with the word).
        var words = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var w in System.Text.RegularExpressions.Regex.Matches(Corpus, @" ?\p{L}+| ?\p{N}| ?[^\s\p{L}\p{N}]+|\s+"))
        {
            var enc = new string([.. Encoding.UTF8.GetBytes(w.ToString()!).Select(b => byteChars[b])]);
            words[enc] = words.GetValueOrDefault(enc) + 1;
        }
        var split = words.ToDictionary(kv => kv.Key, kv => kv.Key.Select(c => c.ToString()).ToList(), StringComparer.Ordinal);
        var mergeList = new List<string>();
        for (var m = 0; m < merges; m++)
        {
            var counts = new Dictionary<(string, string), int>();
            foreach (var (word, parts) in split)
            {
                for (var i = 0; i + 1 < parts.Count; i++)
                {
                    var key = (parts[i], parts[i + 1]);
                    counts[key] = counts.GetValueOrDefault(key) + words[word];
                }
            }
            if (counts.Count == 0) break;
            var best = counts.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key.Item1, StringComparer.Ordinal).ThenBy(kv => kv.Key.Item2, StringComparer.Ordinal).First().Key;
            mergeList.Add(best.Item1 + " " + best.Item2);
            Add(best.Item1 + best.Item2, Normal);
            foreach (var parts in split.Values)
            {
                for (var i = 0; i + 1 < parts.Count; i++)
                {
                    if (parts[i] == best.Item1 && parts[i + 1] == best.Item2)
                    {
                        parts[i] += parts[i + 1];
                        parts.RemoveAt(i + 1);
                    }
                }
            }
        }
        // A whole word that no merge builds: Llama-3 style vocabularies take it whole (ignore_merges).
        Add("\u0120zyzzyva", Normal);

        using var w2 = new GgufWriter(path);
        AddHyperParameters(w2);
        w2.AddMetadata("tokenizer.ggml.model", GgufValue.FromString("gpt2"));
        w2.AddMetadata("tokenizer.ggml.pre", GgufValue.FromString(pre));
        w2.AddMetadata("tokenizer.ggml.tokens", GgufValue.FromArray(tokens));
        w2.AddMetadata("tokenizer.ggml.token_type", GgufValue.FromArray([.. types]));
        w2.AddMetadata("tokenizer.ggml.merges", GgufValue.FromArray(mergeList));
        w2.AddMetadata("tokenizer.ggml.bos_token_id", GgufValue.FromUInt32(0));
        w2.AddMetadata("tokenizer.ggml.eos_token_id", GgufValue.FromUInt32(0));
        w2.Complete();
    }

    private static readonly string[] BertWords =
    [
        "the", "keeper", "counted", "forty", "boats", "in", "harbour", "at", "dusk", "and", "tide", "turned", "nine",
        "once", "upon", "a", "time", "there", "was", "little", "girl", "who", "loved", "sea", "she", "asked", "her",
        "mother", "what", "it", "like", "to", "sail", "cafe", "resume", "naive", "uber", "all", "numbers", "and",
        "привет", "мир", "中", "文", "数", "据", "über", "tabs", "new", "lines", "spaces", "too",
    ];

    private static readonly string[] BertPieces = ["s", "ed", "ing", "er", "ly", "ou", "our", "ar", "an", "##", "est", "ll"];

    public static void WriteBert(string path)
    {
        var tokens = new List<string> { "[PAD]", "[UNK]", "[CLS]", "[SEP]", "[MASK]" };
        var types = new List<int> { Control, Unknown, Control, Control, Control };
        var seen = new HashSet<string>(tokens, StringComparer.Ordinal);
        void Add(string t)
        {
            if (seen.Add(t))
            {
                tokens.Add(t);
                types.Add(Normal);
            }
        }
        var chars = "abcdefghijklmnopqrstuvwxyz0123456789!\"#$%&'()*+,-./:;<=>?@[\\]^_`{|}~ßøæıжприветмвоц中文数据한글—“”…€£";
        foreach (var c in chars)
        {
            Add("\u2581" + c);
            Add(c.ToString());
        }
        foreach (var w in BertWords) Add("\u2581" + w);
        foreach (var p in BertPieces) Add(p);

        using var w2 = new GgufWriter(path);
        AddHyperParameters(w2);
        w2.AddMetadata("tokenizer.ggml.model", GgufValue.FromString("bert"));
        w2.AddMetadata("tokenizer.ggml.tokens", GgufValue.FromArray(tokens));
        w2.AddMetadata("tokenizer.ggml.token_type", GgufValue.FromArray([.. types]));
        w2.AddMetadata("tokenizer.ggml.unknown_token_id", GgufValue.FromUInt32(1));
        w2.AddMetadata("tokenizer.ggml.bos_token_id", GgufValue.FromUInt32(2));
        w2.AddMetadata("tokenizer.ggml.seperator_token_id", GgufValue.FromUInt32(3));
        w2.AddMetadata("tokenizer.ggml.padding_token_id", GgufValue.FromUInt32(0));
        w2.Complete();
    }

    private static void AddHyperParameters(GgufWriter w)
    {
        w.AddMetadata("general.architecture", GgufValue.FromString("llama"));
        w.AddMetadata("general.name", GgufValue.FromString("test-vocabulary"));
        w.AddMetadata("llama.context_length", GgufValue.FromUInt32(128));
        w.AddMetadata("llama.embedding_length", GgufValue.FromUInt32(16));
        w.AddMetadata("llama.block_count", GgufValue.FromUInt32(1));
        w.AddMetadata("llama.feed_forward_length", GgufValue.FromUInt32(32));
        w.AddMetadata("llama.rope.dimension_count", GgufValue.FromUInt32(4));
        w.AddMetadata("llama.attention.head_count", GgufValue.FromUInt32(4));
        w.AddMetadata("llama.attention.head_count_kv", GgufValue.FromUInt32(4));
        w.AddMetadata("llama.attention.layer_norm_rms_epsilon", GgufValue.FromFloat32(1e-5f));
    }

    private static char[] ByteChars()
    {
        var map = new char[256];
        var next = 256;
        for (var b = 0; b < 256; b++)
        {
            map[b] = b is >= 0x21 and <= 0x7E or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF ? (char)b : (char)next++;
        }
        return map;
    }
}
