using LocalQa.Core.Gguf;
using LocalQa.Llama.Tests.Gguf;
using LocalQa.Testing;

namespace LocalQa.Llama.Tests.Reliability;

/// <summary>
/// Each model file here once killed the process inside llama.cpp (the assert is quoted with each
/// case); the native safety fuzz found them. They are loaded in a child process, so a check that
/// goes missing shows up as a CRASH outcome with llama.cpp's message, not as a dead test run, and
/// each must now be refused with a message naming what is wrong.
/// </summary>
public sealed class NativeCrashRegressionTests : IDisposable
{
    private readonly TempFolder _folder = new();
    private readonly string _tiny;

    public NativeCrashRegressionTests()
    {
        _tiny = _folder.File("tiny.gguf");
        SyntheticModel.WriteTiny(_tiny);
    }

    public void Dispose() => _folder.Dispose();

    // (file name, what the refusal must mention, the change); the tiny model is llama, 2 layers,
    // width 64, 4 heads sharing 2 KV heads of 16, an SPM vocabulary with byte tokens.
    private static readonly (string Name, string Mentions, Action<GgufDraft> Change)[] Cases =
    [
        // llama-model.cpp:1092: GGML_ASSERT(hparams.n_layer_all > 0 && hparams.n_layer_all <= LLAMA_MAX_LAYERS)
        ("layers-max.gguf", "llama.block_count", d => d.Set("llama.block_count", GgufValue.FromUInt32(uint.MaxValue))),
        ("layers-zero.gguf", "llama.block_count", d => d.Set("llama.block_count", GgufValue.FromUInt32(0))),
        // llama-model.cpp:1116: GGML_ASSERT(hparams.n_expert <= LLAMA_MAX_EXPERTS)
        ("experts-max.gguf", "expert_count", d => d.Set("llama.expert_count", GgufValue.FromUInt32(100_000))),
        // llama-model.cpp:1117: GGML_ASSERT(n_expert_used_max <= hparams.n_expert)
        ("experts-used.gguf", "expert_used_count", d => d.Set("llama.expert_used_count", GgufValue.FromUInt32(2))),
        // llama-model.cpp:1119: GGML_ASSERT(n_expert_used_max > 0)
        ("experts-none-used.gguf", "expert_used_count", d => d.Set("llama.expert_count", GgufValue.FromUInt32(8))),
        // llama-model.cpp:1128: GGML_ASSERT(hparams.n_expert_groups == 0)
        ("expert-groups.gguf", "expert_group_count", d => d.Set("llama.expert_group_count", GgufValue.FromUInt32(2))),
        // ggml-cpu/ops.cpp:3820: GGML_ASSERT(eps >= 0.0f), at the first decode
        ("epsilon-negative.gguf", "layer_norm_rms_epsilon", d => d.Set("llama.attention.layer_norm_rms_epsilon", GgufValue.FromFloat32(-1))),
        ("epsilon-nan.gguf", "layer_norm_rms_epsilon", d => d.Set("llama.attention.layer_norm_rms_epsilon", GgufValue.FromFloat32(float.NaN))),
        // ggml-cpu/binary-ops.cpp:135: binary_op: unsupported types: dst: f32, src0: f32, src1: q8_0 (and f16), at the first decode
        ("norm-q8.gguf", "blk.1.ffn_norm.weight", d => d.GetTensor("blk.1.ffn_norm.weight").Retype(GgufTensorType.Q8_0)),
        ("norm-f16.gguf", "output_norm.weight", d => d.GetTensor("output_norm.weight").Retype(GgufTensorType.F16)),
        // ggml.c:3942: GGML_ASSERT(a->ne[0] == b->ne[0]) in ggml_set_rows, at the first decode
        ("kv-heads-per-layer.gguf", "head_count_kv", d => d.Set("llama.attention.head_count_kv", GgufValue.FromArray([2u, 3u]))),
        // models/qwen2.cpp:57: GGML_ASSERT(n_embd_head == n_rot), at the first decode
        ("rope-dims.gguf", "rope.dimension_count", d =>
        {
            d.Set("general.architecture", GgufValue.FromString("qwen2"));
            for (var i = 0; i < d.Metadata.Count; i++)
            {
                if (d.Metadata[i].Key.StartsWith("llama.", StringComparison.Ordinal))
                {
                    d.Metadata[i] = new("qwen2." + d.Metadata[i].Key["llama.".Length..], d.Metadata[i].Value);
                }
            }
            d.Set("qwen2.rope.dimension_count", GgufValue.FromUInt32(int.MaxValue));
        }),
        // llama-vocab.cpp:3324: GGML_ASSERT(tokenizer && "Tokenizer not initialized..."), at the first tokenization
        ("no-vocab.gguf", "no tokenizer", d => d.Set("tokenizer.ggml.model", GgufValue.FromString("no_vocab"))),
        ("none-vocab.gguf", "no tokenizer", d => d.Set("tokenizer.ggml.model", GgufValue.FromString("none"))),
        // llama-vocab.cpp:2460: GGML_ASSERT(id_to_token.size() == token_to_id.size()), while loading
        ("duplicate-token.gguf", "are both", d =>
        {
            var tokens = (string[])((string[])d.Get("tokenizer.ggml.tokens")!.Value).Clone();
            tokens[300] = tokens[301];
            d.Set("tokenizer.ggml.tokens", GgufValue.FromArray(tokens));
        }),
        // llama-vocab.cpp:3112: GGML_ABORT("fatal error") in token_to_byte of a WordPiece vocabulary
        ("bert-bytes.gguf", "byte token", d => d.Set("tokenizer.ggml.model", GgufValue.FromString("bert"))),
        // gguf.cpp:1058: GGML_ASSERT(ctx->kv[key_id].get_type() != GGUF_TYPE_STRING), while loading the
        // vocabulary (LLamaSharp 0.30.0's runtime; found by the native-load fuzz)
        ("scores-strings.gguf", "tokenizer.ggml.scores", d =>
        {
            var count = ((string[])d.Get("tokenizer.ggml.tokens")!.Value).Length;
            d.Set("tokenizer.ggml.scores", GgufValue.FromArray(Enumerable.Range(0, count).Select(i => i.ToString(System.Globalization.CultureInfo.InvariantCulture))));
        }),
        // gguf.cpp:1064: GGML_ASSERT(ctx->kv[key_id].get_type() == GGUF_TYPE_STRING), while loading the
        // vocabulary (LLamaSharp 0.30.0's runtime; found by the native-load fuzz)
        ("tokens-bytes.gguf", "tokenizer.ggml.tokens", d =>
        {
            var count = ((string[])d.Get("tokenizer.ggml.tokens")!.Value).Length;
            d.Set("tokenizer.ggml.tokens", GgufValue.FromArray(new byte[count]));
        }),
        // ggml.c:4197: GGML_ASSERT(c->type == GGML_TYPE_F32) in ggml_rope_ext, at the first decode
        ("rope-freqs-f16.gguf", "rope_freqs.weight", d => d.Tensors.Add(new GgufDraft.Tensor("rope_freqs.weight", GgufTensorType.F16, [8], null))),
        // ggml.c:3895: GGML_ASSERT(a->ne[2] == b->ne[1]) in ggml_get_rows, at the first decode
        ("token-embd-3d.gguf", "token_embd.weight", d =>
        {
            var t = d.GetTensor("token_embd.weight");
            t.Dims = [t.Dims[0], t.Dims[1], 2];
            t.Data = null;
        }),
        // models/qwen2.cpp:57: GGML_ASSERT(n_embd_head == n_rot), with fewer rotated dimensions than a head
        ("rope-dims-partial.gguf", "rotates all", d =>
        {
            d.Set("general.architecture", GgufValue.FromString("qwen2"));
            for (var i = 0; i < d.Metadata.Count; i++)
            {
                if (d.Metadata[i].Key.StartsWith("llama.", StringComparison.Ordinal))
                {
                    d.Metadata[i] = new("qwen2." + d.Metadata[i].Key["llama.".Length..], d.Metadata[i].Value);
                }
            }
            d.Set("qwen2.rope.dimension_count", GgufValue.FromUInt32(7));
        }),
        // llama-vocab.cpp:3549: GGML_ASSERT(special_bos_id != LLAMA_TOKEN_NULL), at the first tokenization
        ("t5-no-bos.gguf", "BOS", d =>
        {
            d.Set("tokenizer.ggml.model", GgufValue.FromString("t5"));
            d.Remove("tokenizer.ggml.bos_token_id");
        }),
    ];

    [Fact]
    [Trait("Category", "Reliability")]
    public void Files_that_crashed_llama_cpp_are_refused_with_a_message()
    {
        var paths = new List<string> { _tiny };
        foreach (var (name, _, change) in Cases)
        {
            var draft = GgufDraft.Of(_tiny);
            change(draft);
            var path = _folder.File(name);
            draft.Serialize(path);
            GgufReader.Read(path); // well-formed GGUF: only the model rules can stop it
            paths.Add(path);
        }

        var outcomes = ModelProbe.Run(paths).ToDictionary(o => Path.GetFileName(o.Path), StringComparer.Ordinal);

        Assert.True(outcomes["tiny.gguf"].Verdict == "OK", outcomes["tiny.gguf"].Detail);
        Assert.All(Cases, c =>
        {
            var o = outcomes[c.Name];
            Assert.True(o.Verdict == "REFUSED", $"{c.Name}: {o.Verdict} {o.Detail}");
            Assert.Contains(c.Name, o.Detail, StringComparison.Ordinal);
            Assert.Contains(c.Mentions, o.Detail, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void A_vocabulary_only_load_skips_the_rules_about_running()
    {
        // A vocabulary-only load reads no hyper-parameters and builds no graph, so a bad epsilon
        // does not matter to it; the vocabulary rules still apply.
        var draft = GgufDraft.Of(_tiny);
        draft.Set("llama.attention.layer_norm_rms_epsilon", GgufValue.FromFloat32(-1));
        var path = _folder.File("vocab-only-epsilon.gguf");
        draft.Serialize(path);
        using var model = LlamaModel.Load(path, new LlamaModelOptions { VocabOnly = true });
        Assert.NotEmpty(model.Tokenize("boats"));

        var refused = Assert.Throws<ModelFileException>(() => LlamaModel.Load(path));
        Assert.Contains("layer_norm_rms_epsilon", refused.Message, StringComparison.Ordinal);
    }
}
