using System.Globalization;
using LocalQa.Core.Gguf;
using LocalQa.Testing;

namespace LocalQa.Llama.Tests.Reliability;

/// <summary>
/// Makes deterministic mutants of a GGUF model: the same source, seed and index always give the same
/// bytes and the same description. Most mutations are semantic (a hyper-parameter, a tokenizer
/// array, a token id, the architecture, a tensor's name, shape or type, rewritten through
/// <see cref="GgufWriter"/> so the file stays well-formed), the rest flip bytes of the header or swap
/// tensor offsets, which the writer could never produce. Either way the interesting mutants are
/// those the managed reader accepts: they reach llama.cpp.
/// </summary>
internal sealed partial class GgufMutator
{
    private static readonly string[] Architectures =
        ["qwen2", "bert", "gpt2", "phi3", "mamba", "t5", "nomic-bert", "gemma", "falcon", "rwkv6", "deepseek2", "starcoder", "no-such-arch", ""];

    private static readonly string[] TokenizerModels = ["gpt2", "bert", "t5", "rwkv", "none", "no_vocab", "ugm", "plamo2", "llama", "test", "no-such-tokenizer", ""];

    private static readonly string[] TokenIdKeys =
    [
        "tokenizer.ggml.bos_token_id", "tokenizer.ggml.eos_token_id", "tokenizer.ggml.eot_token_id",
        "tokenizer.ggml.unknown_token_id", "tokenizer.ggml.padding_token_id", "tokenizer.ggml.seperator_token_id",
        "tokenizer.ggml.mask_token_id", "tokenizer.ggml.eom_token_id", "tokenizer.ggml.fim_pre_token_id",
    ];

    // Hyper-parameters the source models lack, which llama.cpp reads when present.
    private static readonly string[] OptionalKeys =
    [
        "expert_count", "expert_used_count", "nextn_predict_layers", "expert_group_count", "expert_group_used_count",
        "attention.sliding_window", "attention.key_length", "attention.value_length", "rope.scaling.factor",
        "attention.clamp_kqv", "attention.max_alibi_bias", "logit_scale", "rope.dimension_count", "embedding_length_out",
        "leading_dense_block_count", "expert_shared_count", "attention.q_lora_rank", "attention.kv_lora_rank",
    ];

    private static readonly string[] ArrayKeys = ["tokenizer.ggml.tokens", "tokenizer.ggml.scores", "tokenizer.ggml.token_type", "tokenizer.ggml.merges"];

    private static readonly GgufTensorType[] EncodableTypes = [GgufTensorType.F32, GgufTensorType.F16, GgufTensorType.Q8_0, GgufTensorType.Q4_0];

    private readonly byte[] _original;
    private readonly GgufFile _file;
    private readonly int _seed;

    public GgufMutator(string source, byte[] original, int seed)
    {
        Source = source;
        _original = original;
        _file = GgufReader.Read(new MemoryStream(original, writable: false), source);
        _seed = seed;
    }

    /// <summary>Names the source model in descriptions.</summary>
    public string Source { get; }

    /// <summary>Writes mutant <paramref name="index"/> to <paramref name="path"/> and says what was changed.</summary>
    public string Write(int index, string path)
    {
        var random = new Random(unchecked((_seed * 1_000_003) + index));
        var draft = GgufDraft.Of(_file, _original);
        var changes = new List<string>();
        var byteLevel = random.Next(4) == 0;
        var semanticOps = byteLevel ? random.Next(2) : 1 + random.Next(2);
        for (var i = 0; i < semanticOps; i++)
        {
            changes.Add(MutateSemantically(draft, random));
        }
        var bytes = semanticOps == 0 ? (byte[])_original.Clone() : draft.Serialize(path);
        if (byteLevel)
        {
            changes.Add(MutateBytes(bytes, random));
        }
        File.WriteAllBytes(path, bytes);
        return $"{Source} seed {_seed} mutant {index}: {string.Join("; ", changes)}";
    }

    private static string MutateSemantically(GgufDraft d, Random random)
    {
        switch (random.Next(15))
        {
            case 13:
                {
                    var key = $"{d.Architecture ?? "llama"}.{OptionalKeys[random.Next(OptionalKeys.Length)]}";
                    long[] choices = [0, 1, 2, 3, 8, 64, 255, 512, 513, 100_000, uint.MaxValue];
                    var n = choices[random.Next(choices.Length)];
                    var value = key.EndsWith("factor", StringComparison.Ordinal) || key.EndsWith("bias", StringComparison.Ordinal)
                        || key.EndsWith("kqv", StringComparison.Ordinal) || key.EndsWith("scale", StringComparison.Ordinal)
                        ? GgufValue.FromFloat32(random.Next(2) == 0 ? -n : n)
                        : GgufValue.FromUInt32((uint)n);
                    d.Set(key, value);
                    return $"{key} = {value}";
                }
            case 0:
            case 1:
            case 2:
                return SetInteger(d, random);
            case 3:
                return SetFloat(d, random);
            case 4:
                {
                    var key = Pick(d.Metadata, random, preferImportant: true).Key;
                    d.Metadata.RemoveAll(kv => kv.Key == key);
                    return $"removed {key}";
                }
            case 5:
                {
                    var old = d.Architecture;
                    var arch = Architectures[random.Next(Architectures.Length)];
                    d.Set("general.architecture", GgufValue.FromString(arch));
                    var renamed = random.Next(2) == 0 && old is not null;
                    if (renamed)
                    {
                        for (var i = 0; i < d.Metadata.Count; i++)
                        {
                            var (key, value) = d.Metadata[i];
                            if (key.StartsWith(old + ".", StringComparison.Ordinal))
                            {
                                d.Metadata[i] = new(arch + key[old!.Length..], value);
                            }
                        }
                    }
                    return $"architecture '{old}' -> '{arch}'{(renamed ? " with its keys" : "")}";
                }
            case 6:
                {
                    var model = TokenizerModels[random.Next(TokenizerModels.Length)];
                    d.Set("tokenizer.ggml.model", GgufValue.FromString(model));
                    return $"tokenizer.ggml.model = '{model}'";
                }
            case 7:
                return ResizeArray(d, random);
            case 8:
                {
                    var key = TokenIdKeys[random.Next(TokenIdKeys.Length)];
                    var vocab = d.VocabSize;
                    long[] choices = [vocab, vocab + 1, vocab * 2L, uint.MaxValue, int.MaxValue, 0, vocab - 1, -1];
                    var id = choices[random.Next(choices.Length)];
                    d.Set(key, id < 0 ? GgufValue.FromInt32((int)id) : GgufValue.FromUInt32((uint)id));
                    return $"{key} = {id} (vocabulary {vocab})";
                }
            case 9:
                return MutateTokens(d, random);
            case 10:
                return MutateTensorShape(d, random);
            case 11:
                return MutateTensorSet(d, random);
            case 12:
                {
                    var arch = d.Architecture ?? "llama";
                    var blocks = (int)Math.Clamp(d.Int($"{arch}.block_count") ?? 2, 1, 64);
                    var key = $"{arch}.attention.{(random.Next(2) == 0 ? "head_count" : "head_count_kv")}";
                    var length = random.Next(3) == 0 ? blocks : random.Next(0, blocks * 2 + 1);
                    var values = Enumerable.Range(0, length).Select(_ => (uint)random.Next(0, 9)).ToArray();
                    d.Set(key, GgufValue.FromArray(values));
                    return $"{key} = per-layer array [{string.Join(",", values)}] for {blocks} blocks";
                }
            default:
                {
                    string[] templates =
                    [
                        "", "{{", "{% for m in messages %}{{ m['content'] }}", new string('{', 5000), "<|im_start|>\0<|im_end|>",
                        "{% if messages %}{{ raise_exception('no') }}{% endif %}",
                    ];
                    var t = templates[random.Next(templates.Length)];
                    d.Set("tokenizer.chat_template", GgufValue.FromString(t));
                    return $"chat template of {t.Length} chars '{(t.Length > 20 ? t[..20] + "..." : t)}'";
                }
        }
    }

    private static string SetInteger(GgufDraft d, Random random)
    {
        var candidates = d.Metadata.Where(kv => !kv.Value.IsArray && kv.Value.AsInt64OrNull() is not null).ToList();
        if (candidates.Count == 0)
        {
            return "no integer to change";
        }
        var important = candidates.Where(kv => IsImportant(kv.Key)).ToList();
        var pool = important.Count > 0 && random.Next(4) != 0 ? important : candidates;
        var (key, value) = pool[random.Next(pool.Count)];
        var v = value.AsInt64();
        long[] choices = [0, 1, 2, 3, v - 1, v + 1, v * 2, v / 2, 7, 255, 65_535, int.MaxValue, uint.MaxValue, 1L << 40, -1];
        var n = choices[random.Next(choices.Length)];
        GgufValue replacement = random.Next(6) switch
        {
            0 => GgufValue.FromInt64(n),
            1 => GgufValue.FromString(n.ToString(CultureInfo.InvariantCulture)),
            2 => GgufValue.FromFloat32(n),
            _ => n is >= int.MinValue and <= int.MaxValue && n < 0 ? GgufValue.FromInt32((int)n)
                : n is >= 0 and <= uint.MaxValue ? GgufValue.FromUInt32((uint)n)
                : GgufValue.FromUInt64(unchecked((ulong)n)),
        };
        d.Set(key, replacement);
        return $"{key} = {n} as {replacement.Describe()} (was {v})";
    }

    private static string SetFloat(GgufDraft d, Random random)
    {
        var candidates = d.Metadata.Where(kv => !kv.Value.IsArray && kv.Value.Value is float or double).ToList();
        if (candidates.Count == 0)
        {
            return "no float to change";
        }
        var key = candidates[random.Next(candidates.Count)].Key;
        float[] choices = [0, -1, float.NaN, float.PositiveInfinity, float.NegativeInfinity, 1e30f, 1e-30f, float.Epsilon];
        var f = choices[random.Next(choices.Length)];
        d.Set(key, GgufValue.FromFloat32(f));
        return $"{key} = {f.ToString(CultureInfo.InvariantCulture)}";
    }

    private static string ResizeArray(GgufDraft d, Random random)
    {
        var key = ArrayKeys[random.Next(ArrayKeys.Length)];
        if (d.Get(key) is not { IsArray: true } value)
        {
            return $"no array {key} to resize";
        }
        var items = (Array)value.Value;
        var length = items.Length == 0 ? 0 : random.Next(4) switch
        {
            0 => 0,
            1 => items.Length - 1,
            2 => items.Length + 1 + random.Next(4),
            _ => random.Next(items.Length),
        };
        var resized = Array.CreateInstance(items.GetType().GetElementType()!, Math.Max(0, length));
        Array.Copy(items, resized, Math.Min(items.Length, resized.Length));
        for (var i = items.Length; i < resized.Length; i++)
        {
            resized.SetValue(items.GetValue(i % items.Length), i);
        }
        d.Set(key, GgufValue.OfArray(value.ElementType!.Value, resized));
        return $"{key} resized {items.Length} -> {resized.Length}";
    }

    private static string MutateTokens(GgufDraft d, Random random)
    {
        var vocab = d.VocabSize;
        if (vocab == 0)
        {
            return "no tokens to change";
        }
        switch (random.Next(3))
        {
            case 0 when d.Get("tokenizer.ggml.tokens")?.Value is string[] original:
                {
                    var tokens = (string[])original.Clone();
                    var i = random.Next(vocab);
                    var replacement = random.Next(3) switch { 0 => "", 1 => tokens[random.Next(vocab)], _ => "<0xZZ>" };
                    tokens[i] = replacement;
                    d.Set("tokenizer.ggml.tokens", GgufValue.FromArray(tokens));
                    return $"token {i} = '{replacement}'";
                }
            case 1 when d.Get("tokenizer.ggml.token_type") is { IsArray: true } types:
                {
                    var copy = (Array)((Array)types.Value).Clone();
                    var i = random.Next(copy.Length);
                    int[] choices = [0, 2, 3, 4, 5, 6, 7, 100, -1];
                    var t = choices[random.Next(choices.Length)];
                    // By element type, not by `is uint[]`: the runtime lets an int[] pass for a uint[].
                    var elementType = copy.GetType().GetElementType()!;
                    object element = Type.GetTypeCode(elementType) switch
                    {
                        TypeCode.UInt32 => unchecked((uint)t),
                        TypeCode.Byte => unchecked((byte)t),
                        TypeCode.SByte => unchecked((sbyte)t),
                        TypeCode.UInt16 => unchecked((ushort)t),
                        TypeCode.Int16 => (short)t,
                        TypeCode.Int64 => (long)t,
                        TypeCode.UInt64 => unchecked((ulong)t),
                        TypeCode.Single => (float)t,
                        TypeCode.Double => (double)t,
                        TypeCode.Boolean => t != 0,
                        TypeCode.String => t.ToString(CultureInfo.InvariantCulture),
                        _ => t,
                    };
                    copy.SetValue(element, i);
                    d.Set("tokenizer.ggml.token_type", GgufValue.OfArray(types.ElementType!.Value, copy));
                    return $"token_type[{i}] = {t}";
                }
            default:
                {
                    // The same array under a different element type: scores as u8, token types as strings.
                    var key = ArrayKeys[random.Next(3)];
                    if (d.Get(key) is not { IsArray: true } value)
                    {
                        return $"no array {key} to retype";
                    }
                    var n = value.ArrayLength;
                    var retyped = random.Next(2) == 0
                        ? GgufValue.FromArray(Enumerable.Range(0, n).Select(i => i.ToString(CultureInfo.InvariantCulture)))
                        : GgufValue.FromArray(new byte[n]);
                    d.Set(key, retyped);
                    return $"{key} retyped to {retyped.Describe()}";
                }
        }
    }

    private static string MutateTensorShape(GgufDraft d, Random random)
    {
        var t = d.Tensors[random.Next(d.Tensors.Count)];
        var before = t.ToString();
        var dims = t.Dims.ToList();
        switch (random.Next(5))
        {
            case 0 when dims.Count > 1:
                (dims[0], dims[1]) = (dims[1], dims[0]);
                break;
            case 1:
                var axis = dims.Count > 1 ? 1 : 0;
                dims[axis] = Math.Max(1, dims[axis] + (random.Next(2) == 0 ? -1 : 1) * (axis == 0 ? 32 : 1));
                break;
            case 2 when dims.Count < 4:
                dims.Add(1 + random.Next(2));
                break;
            case 3 when dims.Count > 1:
                dims[0] *= dims[^1];
                dims.RemoveAt(dims.Count - 1);
                break;
            default:
                t.Type = EncodableTypes[random.Next(EncodableTypes.Length)];
                break;
        }
        if (dims[0] % GgufTensorTypes.BlockSize(t.Type) != 0)
        {
            t.Type = GgufTensorType.F32;
        }
        if (!GgufQuantization.CanEncode(t.Type))
        {
            t.Type = GgufTensorType.F32;
        }
        t.Dims = [.. dims];
        t.Data = null;
        return $"tensor {before} -> {t}";
    }

    private static string MutateTensorSet(GgufDraft d, Random random)
    {
        var i = random.Next(d.Tensors.Count);
        var t = d.Tensors[i];
        switch (random.Next(5))
        {
            case 0:
                d.Tensors.RemoveAt(i);
                return $"removed tensor {t}";
            case 1:
                {
                    var blocks = d.Tensors.Select(x => BlockOf(x.Name)).Where(b => b >= 0).DefaultIfEmpty(0).Max();
                    var name = t.Name.StartsWith("blk.", StringComparison.Ordinal)
                        ? string.Concat("blk.", (blocks + 1 + random.Next(3)).ToString(CultureInfo.InvariantCulture), t.Name[t.Name.IndexOf('.', 4)..])
                        : t.Name + ".extra";
                    if (d.Tensors.Any(x => x.Name == name))
                    {
                        return $"tensor {name} already there";
                    }
                    d.Tensors.Insert(random.Next(d.Tensors.Count + 1), new GgufDraft.Tensor(name, t.Type, t.Dims, t.Data));
                    return $"added tensor {name} like {t}";
                }
            case 2:
                {
                    string[] names = ["token_embd.weight", "output.weight", "output_norm.weight", "blk.0.attn_q.weight", "rope_freqs.weight", "blk.0.attn_q.bias", "x"];
                    var name = names[random.Next(names.Length)];
                    if (d.Tensors.Any(x => x.Name == name))
                    {
                        d.Tensors.RemoveAll(x => x.Name == name);
                    }
                    var old = t.Name;
                    t.Name = name;
                    return $"renamed tensor {old} -> {name}";
                }
            case 3:
                {
                    var j = random.Next(d.Tensors.Count);
                    (d.Tensors[i], d.Tensors[j]) = (d.Tensors[j], d.Tensors[i]);
                    return $"declared tensors {d.Tensors[j].Name} and {d.Tensors[i].Name} in each other's place";
                }
            default:
                {
                    // One layer fewer or more than block_count says, with its tensors.
                    var arch = d.Architecture ?? "llama";
                    var blocks = d.Int($"{arch}.block_count") ?? 0;
                    var delta = random.Next(2) == 0 ? -1 : 1;
                    d.Set($"{arch}.block_count", GgufValue.FromUInt32((uint)Math.Max(0, blocks + delta)));
                    return $"{arch}.block_count {blocks} -> {blocks + delta}, tensors unchanged";
                }
        }
    }

    private static int BlockOf(string name)
    {
        if (!name.StartsWith("blk.", StringComparison.Ordinal))
        {
            return -1;
        }
        var end = name.IndexOf('.', 4);
        return end > 4 && int.TryParse(name.AsSpan(4, end - 4), NumberStyles.None, CultureInfo.InvariantCulture, out var n) ? n : -1;
    }

    private static bool IsImportant(string key) =>
        !key.StartsWith("general.", StringComparison.Ordinal) || key == "general.file_type";

    private static KeyValuePair<string, GgufValue> Pick(List<KeyValuePair<string, GgufValue>> metadata, Random random, bool preferImportant)
    {
        var important = metadata.Where(kv => IsImportant(kv.Key)).ToList();
        var pool = preferImportant && important.Count > 0 && random.Next(4) != 0 ? important : metadata;
        return pool[random.Next(pool.Count)];
    }
}
