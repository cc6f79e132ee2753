using System.Globalization;
using LocalQa.Core.Gguf;

namespace LocalQa.Core.Tokenization;

/// <summary>
/// The tokenizer half of a GGUF header, read with llama.cpp's defaults (llama-vocab.cpp
/// <c>load</c>): tokens, scores, types, merges and the flags that change how text is cut.
/// </summary>
internal sealed class GgufVocabulary
{
    // llama.h enum llama_token_type.
    public const int TypeNormal = 1;
    public const int TypeUnknown = 2;
    public const int TypeControl = 3;
    public const int TypeUserDefined = 4;
    public const int TypeUnused = 5;
    public const int TypeByte = 6;

    private GgufVocabulary(GgufFile file, string model, string[] tokens)
    {
        File = file;
        Model = model;
        Tokens = tokens;
        Scores = Floats(file, "tokenizer.ggml.scores", tokens.Length);
        Types = Ints(file, "tokenizer.ggml.token_type", tokens.Length);
        Merges = file.GetValue("tokenizer.ggml.merges") is { IsArray: true, Value: string[] m } ? m : [];
        Pre = file.GetString("tokenizer.ggml.pre");

        // llama.cpp's defaults per vocabulary type, then the file's own keys.
        (Bos, Eos, Unk, Sep) = model switch
        {
            "llama" => (1, 2, 0, -1),
            "bert" => (101, -1, 100, 102),
            "gpt2" => (11, 11, -1, -1),
            _ => (-1, -1, -1, -1),
        };
        Bos = Id(file, "tokenizer.ggml.bos_token_id", Bos, tokens.Length);
        Eos = Id(file, "tokenizer.ggml.eos_token_id", Eos, tokens.Length);
        Unk = Id(file, "tokenizer.ggml.unknown_token_id", Unk, tokens.Length);
        Sep = Id(file, "tokenizer.ggml.seperator_token_id", Sep, tokens.Length);
        var llama3Like = model == "gpt2" && Pre is "llama3" or "llama-v3" or "llama-bpe" or "falcon3" or "falcon-h1" or "pixtral" or "midm-2.0" or "lfm2";
        AddBos = Flag(file, "tokenizer.ggml.add_bos_token", model is "llama" or "bert" || llama3Like);
        AddEos = Flag(file, "tokenizer.ggml.add_eos_token", false);
        AddSep = Flag(file, "tokenizer.ggml.add_sep_token", model == "bert" || (model == "gpt2" && Pre is "jina-v1-en" or "jina-v2-code" or "roberta-bpe"));
        AddSpacePrefix = Flag(file, "tokenizer.ggml.add_space_prefix", model == "llama");
        RemoveExtraWhitespaces = Flag(file, "tokenizer.ggml.remove_extra_whitespaces", false);
        IgnoreMerges = llama3Like || (model == "gpt2" && Pre == "tekken");
    }

    public GgufFile File { get; }

    /// <summary>tokenizer.ggml.model: "llama", "gpt2", "bert", ...</summary>
    public string Model { get; }

    /// <summary>tokenizer.ggml.pre: the pre-tokenizer of a BPE vocabulary ("llama-bpe", "qwen2", ...).</summary>
    public string? Pre { get; }

    public string[] Tokens { get; }
    public float[] Scores { get; }
    public int[] Types { get; }
    public string[] Merges { get; }
    public int Bos { get; }
    public int Eos { get; }
    public int Unk { get; }
    public int Sep { get; }
    public bool AddBos { get; }
    public bool AddEos { get; }
    public bool AddSep { get; }
    public bool AddSpacePrefix { get; }
    public bool RemoveExtraWhitespaces { get; }
    public bool IgnoreMerges { get; }

    /// <summary>The vocabulary of a file, or null when it carries none (the reason says what is missing).</summary>
    public static GgufVocabulary? Read(GgufFile file, out string? missing)
    {
        ArgumentNullException.ThrowIfNull(file);
        var model = file.GetString("tokenizer.ggml.model");
        if (model is null)
        {
            missing = "it has no tokenizer.ggml.model";
            return null;
        }
        if (file.GetValue("tokenizer.ggml.tokens") is not { IsArray: true, Value: string[] tokens } || tokens.Length == 0)
        {
            missing = "it has no tokenizer.ggml.tokens";
            return null;
        }
        missing = null;
        return new GgufVocabulary(file, model, tokens);
    }

    private static float[] Floats(GgufFile file, string key, int n)
    {
        var result = new float[n];
        if (file.GetValue(key) is { IsArray: true, Value: float[] f } && f.Length == n) f.CopyTo(result, 0);
        return result;
    }

    private static int[] Ints(GgufFile file, string key, int n)
    {
        var result = new int[n];
        result.AsSpan().Fill(TypeNormal);
        if (file.GetValue(key) is { IsArray: true, Value: Array a } && a.Length == n)
        {
            for (var i = 0; i < n; i++) result[i] = Convert.ToInt32(a.GetValue(i), CultureInfo.InvariantCulture);
        }
        return result;
    }

    // llama.cpp keeps its default when the file names an id outside the vocabulary.
    private static int Id(GgufFile file, string key, int fallback, int count) =>
        file.GetInt64(key) is { } v && v >= 0 && v < count ? (int)v : fallback >= count ? -1 : fallback;

    private static bool Flag(GgufFile file, string key, bool fallback) =>
        file.GetValue(key)?.Value is bool b ? b : fallback;
}
