using System.Globalization;
using LocalQa.Core.Gguf;

namespace LocalQa.Llama;

/// <summary>Checks a model file in managed code before llama.cpp opens it: llama.cpp trusts header
/// counts and sizes and can abort the process on a malformed file.</summary>
/// <remarks>
/// GgufReader proves the file is well-formed GGUF. The model rules below cover what llama.cpp
/// asserts on (killing the process) instead of reporting: each was found by the native safety fuzz
/// (tests/LocalQa.Llama.Tests/Reliability) and names the crash it prevents. Everything that
/// llama.cpp itself refuses with a message (a missing tensor, a wrong shape, a key of the wrong
/// type) is left to it, so valid models of architectures we never tested still load.
/// </remarks>
internal static class ModelFileCheck
{
    // llama-hparams.h LLAMA_MAX_LAYERS: the per-layer arrays are fixed at this size.
    private const int MaxLayers = 512;

    // llama-hparams.h LLAMA_MAX_EXPERTS.
    private const int MaxExperts = 1024;

    // llama.h enum llama_token_type.
    private const int ByteTokenType = 6;

    private const string DamagedFix =
        "The file is damaged or was written by a faulty converter: download it again, or convert the model with a current llama.cpp.";

    internal static GgufFile Validate(string fullPath, bool vocabOnly = false)
    {
        if (Directory.Exists(fullPath))
            throw new ModelFileException($"Model path '{fullPath}' is a folder, not a .gguf file.", "Pass the path of the .gguf file inside it.");
        if (!File.Exists(fullPath))
            throw new ModelFileException($"Model file '{fullPath}' does not exist.", "Check the path, or download the model first.");
        GgufFile file;
        try
        {
            file = GgufReader.Read(fullPath);
        }
        catch (GgufFormatException e)
        {
            // The managed reader's error, as the engine's own kind: callers of the engine catch one family.
            throw new ModelFileException(e.Message, e.Fix, e);
        }
        CheckVocabulary(file);
        if (!vocabOnly)
        {
            // A vocabulary-only load never reads hyper-parameters or builds a graph.
            CheckCounts(file);
            CheckNormEpsilons(file);
            CheckNormTensorTypes(file);
            CheckPerLayerKvHeads(file);
            CheckRopeDimensions(file);
        }
        return file;
    }

    /// <summary>
    /// llama.cpp asserts on these counts while reading hyper-parameters, before any tensor is
    /// looked at. block_count 4294967295 ended the load with "llama-model.cpp:1092:
    /// GGML_ASSERT(hparams.n_layer_all > 0 &amp;&amp; hparams.n_layer_all &lt;= LLAMA_MAX_LAYERS) failed";
    /// its siblings, found once the fuzz added the keys, are the expert counts of lines 1116-1128
    /// (expert_used_count above expert_count, expert_used_count 0 with experts, expert_group_count
    /// without experts, 100,000 experts). Line numbers are LLamaSharp 0.30.0's runtime, where each case
    /// was checked again; nextn_predict_layers above block_count no longer aborts there.
    /// </summary>
    private static void CheckCounts(GgufFile file)
    {
        if (file.Architecture is not { } arch)
        {
            return;
        }
        long? Count(string suffix) => file.GetValue($"{arch}.{suffix}") switch
        {
            null => null,
            { Value: ulong big } when big > long.MaxValue => long.MaxValue,
            _ => file.GetInt64($"{arch}.{suffix}"), // the largest element of a per-layer array
        };
        void Require(bool ok, string why)
        {
            if (!ok)
            {
                throw Refuse(file, why);
            }
        }

        if (Count("block_count") is { } layers)
        {
            Require(layers is >= 1 and <= MaxLayers, string.Create(CultureInfo.InvariantCulture, $"{arch}.block_count is {layers}; a model has 1 to {MaxLayers} layers"));
        }

        var experts = Count("expert_count") ?? 0;
        var used = Count("expert_used_count") ?? 0;
        if (arch is "hunyuan-vl" or "hunyuan-dense" && experts <= 1)
        {
            (experts, used) = (0, 0); // llama.cpp reads these two as dense models
        }
        var groups = Count("expert_group_count") ?? 0;
        var groupsUsed = Count("expert_group_used_count") ?? 0;
        Require(experts <= MaxExperts, string.Create(CultureInfo.InvariantCulture, $"{arch}.expert_count is {experts}, more than the {MaxExperts} llama.cpp supports"));
        Require(used <= experts, string.Create(CultureInfo.InvariantCulture, $"{arch}.expert_used_count is {used}, more than its {experts} experts"));
        if (experts > 0)
        {
            Require(used > 0, $"{arch}.expert_used_count is 0 in a model of {experts} experts");
            Require(groups < experts, string.Create(CultureInfo.InvariantCulture, $"{arch}.expert_group_count is {groups}, not fewer than its {experts} experts"));
            if (groups > 1)
            {
                Require(experts % groups == 0 && groupsUsed > 0 && groupsUsed < groups, string.Create(CultureInfo.InvariantCulture,
                    $"{experts} experts in {groups} groups of which {groupsUsed} are used do not fit together"));
            }
        }
        else
        {
            Require(groups == 0, string.Create(CultureInfo.InvariantCulture, $"{arch}.expert_group_count is {groups} in a model without experts"));
        }
    }

    /// <summary>
    /// A negative or NaN norm epsilon loaded, then killed the first decode with
    /// "ggml-cpu/ops.cpp:3949: GGML_ASSERT(eps >= 0.0f) failed" (layer_norm_rms_epsilon = -1 in the
    /// fuzz); the plain and group norm epsilons are the same parameter of sibling operators.
    /// </summary>
    private static void CheckNormEpsilons(GgufFile file)
    {
        if (file.Architecture is not { } arch)
        {
            return;
        }
        foreach (var (key, value) in file.Metadata)
        {
            if (!key.StartsWith(arch + ".", StringComparison.Ordinal) || !key.EndsWith("_epsilon", StringComparison.Ordinal) || value.IsArray)
            {
                continue;
            }
            var epsilon = value.Value switch { float f => f, double d => d, _ => 0.0 };
            if (double.IsNaN(epsilon) || epsilon < 0)
            {
                throw Refuse(file, string.Create(CultureInfo.InvariantCulture, $"{key} is {epsilon}; a norm epsilon is a small positive number"));
            }
        }
    }

    /// <summary>
    /// A norm weight stored as Q8_0, Q4_0 or F16 loaded (llama.cpp checks shapes, not types), then
    /// killed the first decode with "ggml-cpu/binary-ops.cpp:135: binary_op: unsupported types:
    /// dst: f32, src0: f32, src1: q8_0": norms and biases are multiplied or added element-wise to
    /// F32 activations, which the CPU backend only does with F32 operands. Converters always store them as F32.
    /// </summary>
    private static void CheckNormTensorTypes(GgufFile file)
    {
        foreach (var t in file.Tensors)
        {
            var elementWise = t.Name.EndsWith("norm.weight", StringComparison.Ordinal) || t.Name.EndsWith(".bias", StringComparison.Ordinal);
            if (elementWise && t.Type != GgufTensorType.F32)
            {
                throw Refuse(file, $"tensor '{t.Name}' is {t.Type}; norm weights and biases must be F32");
            }
            // RoPE frequency factors feed ggml_rope_ext, which asserts F32: "ggml.c:4197:
            // GGML_ASSERT(c->type == GGML_TYPE_F32) failed" at the first decode of a file whose
            // rope_freqs.weight was quantized (native-load fuzz, LLamaSharp 0.30.0's runtime).
            if (t.Name.StartsWith("rope_", StringComparison.Ordinal) && t.Type != GgufTensorType.F32)
            {
                throw Refuse(file, $"tensor '{t.Name}' is {t.Type}; RoPE frequency factors must be F32");
            }
            // Lookup tables are read row by row with ggml_get_rows, which asserts a matrix: "ggml.c:3895:
            // GGML_ASSERT(a->ne[2] == b->ne[1]) failed" at the first decode of a three-dimensional
            // token_embd.weight (native-load fuzz; llama.cpp's shape check let the extra axis pass).
            if (t.Name is "token_embd.weight" or "position_embd.weight" or "token_types.weight" && t.Dimensions.Count(d => d != 1) > 2)
            {
                throw Refuse(file, $"tensor '{t.Name}' has dimensions [{string.Join(", ", t.Dimensions)}]; an embedding table must be a matrix");
            }
        }
    }

    /// <summary>
    /// A per-layer head_count_kv of [2, 3] over layers whose K and V tensors are all two heads wide
    /// loaded (llama.cpp checks tensor shapes against layer 0 only), then killed the first decode
    /// with "ggml.c:4005: GGML_ASSERT(a->ne[0] == b->ne[0]) failed" storing layer 1's keys into a
    /// cache three heads wide. Every layer's K and V tensors must be as wide as its own head count says.
    /// </summary>
    private static void CheckPerLayerKvHeads(GgufFile file)
    {
        if (file.Architecture is not { } arch || file.GetValue($"{arch}.attention.head_count_kv") is not { IsArray: true } kvHeads
            || file.BlockCount is not { } layers || layers is < 1 or > MaxLayers || kvHeads.ArrayLength != layers
            || file.EmbeddingLength is not { } embedding || FirstHeadCount(file, arch) is not { } heads || heads <= 0)
        {
            return; // no per-layer KV heads, or llama.cpp refuses the file for a reason of its own
        }
        var keyLength = file.GetInt64($"{arch}.attention.key_length") ?? (embedding / heads);
        var valueLength = file.GetInt64($"{arch}.attention.value_length") ?? (embedding / heads);
        var perLayer = (Array)kvHeads.Value;
        var byName = file.Tensors.ToDictionary(t => t.Name, StringComparer.Ordinal);
        for (var layer = 0; layer < layers; layer++)
        {
            if (GgufValue.OfScalar(kvHeads.ElementType!.Value, perLayer.GetValue(layer)!).AsInt64OrNull() is not { } n)
            {
                return;
            }
            foreach (var (name, headSize) in new[] { ("attn_k", keyLength), ("attn_v", valueLength) })
            {
                var tensorName = string.Create(CultureInfo.InvariantCulture, $"blk.{layer}.{name}.weight");
                if (byName.TryGetValue(tensorName, out var t) && t.Dimensions.Count >= 2 && t.Dimensions[1] != n * headSize)
                {
                    throw Refuse(file, string.Create(CultureInfo.InvariantCulture,
                        $"{arch}.attention.head_count_kv gives layer {layer} {n} KV heads of {headSize}, but tensor '{tensorName}' is {t.Dimensions[1]} wide"));
                }
            }
        }
    }

    /// <summary>
    /// qwen2.rope.dimension_count = 2147483647 (llama.cpp checks it against the head size for
    /// llama, deci and falcon only) loaded, then killed the first decode with
    /// "models/qwen2.cpp:57: GGML_ASSERT(n_embd_head == n_rot) failed". Rotating more dimensions
    /// than a head has is wrong for every architecture; fewer is partial rotary, which some
    /// (phi2, stablelm, gpt-neox) use on purpose, so that is left to llama.cpp.
    /// </summary>
    private static void CheckRopeDimensions(GgufFile file)
    {
        if (file.Architecture is not { } arch || file.GetInt64($"{arch}.rope.dimension_count") is not { } rotated
            || file.EmbeddingLength is not { } embedding || FirstHeadCount(file, arch) is not { } heads || heads <= 0)
        {
            return;
        }
        var headSize = file.GetInt64($"{arch}.attention.key_length") ?? (embedding / heads);
        // These graphs rotate whole heads and assert it at the first decode ("models/qwen2.cpp:57:
        // GGML_ASSERT(n_embd_head == n_rot) failed" for a qwen2 file rotating 7 of 16 dimensions).
        if (arch is "qwen2" or "qwen2moe" or "qwen3" or "qwen3moe" && rotated != headSize)
        {
            throw Refuse(file, string.Create(CultureInfo.InvariantCulture,
                $"{arch}.rope.dimension_count is {rotated}, but {arch} rotates all {headSize} dimensions of an attention head"));
        }
        if (rotated > headSize)
        {
            throw Refuse(file, string.Create(CultureInfo.InvariantCulture,
                $"{arch}.rope.dimension_count is {rotated}, more than the {headSize} dimensions of an attention head"));
        }
    }

    private static long? FirstHeadCount(GgufFile file, string arch) => file.GetValue($"{arch}.attention.head_count") switch
    {
        { IsArray: true } v when v.ArrayLength > 0 => GgufValue.OfScalar(v.ElementType!.Value, ((Array)v.Value).GetValue(0)!).AsInt64OrNull(),
        { IsArray: false } v => v.AsInt64OrNull(),
        _ => null,
    };

    /// <summary>
    /// Three vocabulary rules:
    /// <list type="bullet">
    /// <item>tokenizer.ggml.model "none" or "no_vocab" loads a model that cannot tokenize, and the
    /// first tokenization ended the process with "llama-vocab.cpp:3417: GGML_ASSERT(tokenizer &amp;&amp;
    /// "Tokenizer not initialized...") failed"; LocalQa always tokenizes, so such a file is refused.</item>
    /// <item>Two tokens with the same text (one renamed to another's text, or an empty one next to
    /// an empty one) ended the load with "llama-vocab.cpp:2539: GGML_ASSERT(id_to_token.size() ==
    /// token_to_id.size()) failed".</item>
    /// <item>A BERT (WordPiece) vocabulary holding byte tokens (type 6, "&lt;0x0A&gt;") ended the load with
    /// "llama-vocab.cpp:3202: fatal error": WordPiece has no byte fallback to decode them with.</item>
    /// </list>
    /// </summary>
    private static void CheckVocabulary(GgufFile file)
    {
        var model = file.GetString("tokenizer.ggml.model");
        if (model is "none" or "no_vocab")
        {
            throw new ModelFileException(
                $"Model '{file.Path}' has no tokenizer (tokenizer.ggml.model is '{model}'); LocalQa needs a model that carries its vocabulary.",
                "Use the complete GGUF file of the model, with its tokenizer.");
        }
        // llama.cpp reads these as string arrays after asserting only their type: "gguf.cpp:1064:
        // GGML_ASSERT(ctx->kv[key_id].get_type() == GGUF_TYPE_STRING) failed" ended the load of a file
        // whose tokens were an array of u8 (the native-load fuzz on LLamaSharp's runtime).
        foreach (var key in (ReadOnlySpan<string>)["tokenizer.ggml.tokens", "tokenizer.ggml.merges"])
        {
            if (file.GetValue(key) is { } listed && listed.Value is not string[])
                throw Refuse(file, $"{key} has type {listed.Describe()}, but it must be an array of strings");
        }
        if (file.GetValue("tokenizer.ggml.tokens")?.Value is not string[] tokens)
        {
            return; // absent: llama.cpp reports it
        }
        // llama.cpp reads these arrays as raw float and int32 memory, one element per token, after
        // asserting only that they are not strings: "gguf.cpp:1058: GGML_ASSERT(ctx->kv[key_id].get_type()
        // != GGUF_TYPE_STRING) failed" ended the load of a file whose scores were strings (the native
        // fuzz on LLamaSharp's runtime), and a shorter or narrower array would be read past its end.
        CheckPerTokenArray(file, "tokenizer.ggml.scores", GgufValueType.Float32, tokens.Length);
        CheckPerTokenArray(file, "tokenizer.ggml.token_type", GgufValueType.Int32, tokens.Length);
        var seen = new Dictionary<string, int>(tokens.Length, StringComparer.Ordinal);
        for (var i = 0; i < tokens.Length; i++)
        {
            if (!seen.TryAdd(tokens[i], i))
            {
                throw Refuse(file, string.Create(CultureInfo.InvariantCulture,
                    $"tokens {seen[tokens[i]]} and {i} of its vocabulary are both '{tokens[i]}'; every token must be distinct"));
            }
        }
        if (model == "bert" && file.GetValue("tokenizer.ggml.token_type") is { IsArray: true } types)
        {
            var values = (Array)types.Value;
            for (var i = 0; i < values.Length; i++)
            {
                if (GgufValue.OfScalar(types.ElementType!.Value, values.GetValue(i)!).AsInt64OrNull() == ByteTokenType)
                {
                    throw Refuse(file, string.Create(CultureInfo.InvariantCulture,
                        $"its BERT (WordPiece) vocabulary marks token {i} as a byte token, which WordPiece cannot decode"));
                }
            }
        }
    }

    private static void CheckPerTokenArray(GgufFile file, string key, GgufValueType type, int tokens)
    {
        if (file.GetValue(key) is not { } value) return;
        if (!value.IsArray || value.ElementType != type || value.ArrayLength < tokens)
        {
            var found = value.IsArray ? string.Create(CultureInfo.InvariantCulture, $"an array of {value.ArrayLength} {value.ElementType}") : "not an array";
            throw Refuse(file, string.Create(CultureInfo.InvariantCulture, $"{key} is {found}, but llama.cpp needs one {type} per token ({tokens})"));
        }
    }

    private static ModelFileException Refuse(GgufFile file, string why) =>
        new($"Model '{file.Path}' cannot be loaded: {why}.", DamagedFix);
}
