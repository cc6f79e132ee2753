using System.Security.Cryptography;
using LocalQa.Core.Gguf;
using LocalQa.Testing;
using Xunit;

namespace LocalQa.Llama.Tests.Gguf;

public sealed class GgufRoundTripTests : IDisposable
{
    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Tiny_model_reads_back_with_its_metadata()
    {
        var path = _folder.File("tiny.gguf");
        SyntheticModel.WriteTiny(path);
        var file = GgufReader.Read(path);

        Assert.Equal(3u, file.Version);
        Assert.Equal("llama", file.Architecture);
        Assert.Equal(ModelShape.Tiny.Name, file.Name);
        Assert.Equal("ALL_F32", file.FileType);
        Assert.Equal(2048, file.ContextLength);
        Assert.Equal(64, file.EmbeddingLength);
        Assert.Equal(2, file.BlockCount);
        Assert.Equal(4, file.HeadCount);
        Assert.Equal(2, file.HeadCountKv);
        Assert.Equal(128, file.FeedForwardLength);
        Assert.Equal(16, file.GetInt64("llama.rope.dimension_count"));
        Assert.Equal(1e-5f, (float)file.GetValue("llama.attention.layer_norm_rms_epsilon")!.AsDouble());
        Assert.Equal(SyntheticModel.ChatMlTemplate, file.ChatTemplate);
        Assert.Null(file.PoolingType);
        Assert.Equal(file.FileLength, new FileInfo(path).Length);

        Assert.Equal("llama", file.GetString("tokenizer.ggml.model"));
        var tokens = file.GetValue("tokenizer.ggml.tokens")!.AsArray<string>();
        Assert.Equal(file.VocabSize, tokens.Count);
        Assert.Equal(["<unk>", "<s>", "</s>", "<|im_start|>", "<|im_end|>", "<0x00>"], tokens.Take(6));
        Assert.Equal("<0xFF>", tokens[5 + 255]);
        Assert.Equal(tokens.Count, file.GetValue("tokenizer.ggml.scores")!.AsArray<float>().Count);
        var types = file.GetValue("tokenizer.ggml.token_type")!.AsArray<int>();
        Assert.Equal([2, 3, 3, 3, 3, 6], types.Take(6));
        Assert.Equal(GgufValueType.UInt32, file.GetValue("tokenizer.ggml.bos_token_id")!.Type);
        Assert.Equal(1, file.GetInt64("tokenizer.ggml.bos_token_id"));
        Assert.Equal(2, file.GetInt64("tokenizer.ggml.eos_token_id"));
        Assert.Equal(4, file.GetInt64("tokenizer.ggml.eot_token_id"));
        Assert.True(file.GetValue("tokenizer.ggml.add_bos_token")!.AsBool());

        // The keys keep the order they were written in.
        Assert.Equal(["general.architecture", "general.name", "general.file_type"], file.Metadata.Keys.Take(3));
    }

    [Fact]
    public void Tiny_model_tensors_have_llama_names_shapes_and_an_exact_parameter_count()
    {
        var path = _folder.File("tiny.gguf");
        SyntheticModel.WriteTiny(path);
        var file = GgufReader.Read(path);
        long vocab = file.VocabSize!.Value, embd = 64, ff = 128, q = 64, kv = 32, layers = 2;

        Assert.Equal(2 + (9 * layers) + 1, file.Tensors.Count);
        var byName = file.Tensors.ToDictionary(t => t.Name);
        Assert.Equal([embd, vocab], byName["token_embd.weight"].Dimensions);
        Assert.Equal([embd, vocab], byName["output.weight"].Dimensions);
        Assert.Equal([embd], byName["output_norm.weight"].Dimensions);
        Assert.Equal([embd, q], byName["blk.1.attn_q.weight"].Dimensions);
        Assert.Equal([embd, kv], byName["blk.1.attn_k.weight"].Dimensions);
        Assert.Equal([embd, kv], byName["blk.1.attn_v.weight"].Dimensions);
        Assert.Equal([q, embd], byName["blk.1.attn_output.weight"].Dimensions);
        Assert.Equal([embd, ff], byName["blk.0.ffn_gate.weight"].Dimensions);
        Assert.Equal([embd, ff], byName["blk.0.ffn_up.weight"].Dimensions);
        Assert.Equal([ff, embd], byName["blk.0.ffn_down.weight"].Dimensions);
        Assert.All(file.Tensors, t => Assert.Equal(GgufTensorType.F32, t.Type));
        Assert.All(file.Tensors, t => Assert.Equal(t.ElementCount * 4, t.ByteSize));
        Assert.All(file.Tensors, t => Assert.Equal(0, t.FilePosition % 32));

        var perLayer = (2 * embd) + (embd * q) + (2 * embd * kv) + (q * embd) + (3 * embd * ff);
        Assert.Equal((2 * vocab * embd) + embd + (layers * perLayer), file.ParameterCount);
        Assert.Equal(GgufTensorType.F32, file.PredominantTensorType);
    }

    [Fact]
    public void Same_seed_gives_identical_bytes_and_another_seed_other_weights()
    {
        string a = _folder.File("a.gguf"), b = _folder.File("b.gguf"), c = _folder.File("c.gguf");
        SyntheticModel.WriteTiny(a, new TinyModelOptions { Seed = 5 });
        SyntheticModel.WriteTiny(b, new TinyModelOptions { Seed = 5 });
        SyntheticModel.WriteTiny(c, new TinyModelOptions { Seed = 6 });
        Assert.Equal(SHA256.HashData(File.ReadAllBytes(a)), SHA256.HashData(File.ReadAllBytes(b)));
        Assert.NotEqual(SHA256.HashData(File.ReadAllBytes(a)), SHA256.HashData(File.ReadAllBytes(c)));
        Assert.Equal(new FileInfo(a).Length, new FileInfo(c).Length);
    }

    [Theory]
    [InlineData(GgufTensorType.F16, "MOSTLY_F16", GgufTensorType.F16)]
    [InlineData(GgufTensorType.Q8_0, "MOSTLY_Q8_0", GgufTensorType.Q8_0)]
    [InlineData(GgufTensorType.Q4_0, "MOSTLY_Q4_0", GgufTensorType.Q8_0)]
    public void Quantized_models_keep_norms_f32_and_the_output_at_higher_precision(GgufTensorType type, string fileType, GgufTensorType outputType)
    {
        var path = _folder.File("q.gguf");
        SyntheticModel.WriteTiny(path, new TinyModelOptions { TensorType = type });
        var file = GgufReader.Read(path);
        Assert.Equal(fileType, file.FileType);
        Assert.Equal(type, file.PredominantTensorType);
        foreach (var t in file.Tensors)
        {
            var expected = t.Name.EndsWith("norm.weight", StringComparison.Ordinal) ? GgufTensorType.F32
                : t.Name == "output.weight" ? outputType
                : type;
            Assert.Equal(expected, t.Type);
            Assert.Equal(GgufTensorTypes.ByteSize(t.Type, t.ElementCount), t.ByteSize);
        }
        Assert.Equal(type == GgufTensorType.F16 ? null : 2, file.GetInt64("general.quantization_version"));
    }

    [Fact]
    public void Embedding_flavour_declares_mean_pooling_and_no_chat_template()
    {
        var path = _folder.File("embed.gguf");
        SyntheticModel.WriteTiny(path, TinyModelOptions.Embedding);
        var file = GgufReader.Read(path);
        Assert.Equal(GgufPoolingType.Mean, file.PoolingType);
        Assert.Equal(GgufValueType.UInt32, file.GetValue("llama.pooling_type")!.Type);
        Assert.Null(file.ChatTemplate);
    }

    [Fact]
    public void Writer_round_trips_every_value_type()
    {
        var path = _folder.File("values.gguf");
        using (var w = new GgufWriter(path))
        {
            w.AddMetadata("u8", GgufValue.FromUInt8(250));
            w.AddMetadata("i8", GgufValue.FromInt8(-100));
            w.AddMetadata("u16", GgufValue.FromUInt16(65000));
            w.AddMetadata("i16", GgufValue.FromInt16(-32000));
            w.AddMetadata("u32", GgufValue.FromUInt32(4_000_000_000));
            w.AddMetadata("i32", GgufValue.FromInt32(-2_000_000_000));
            w.AddMetadata("f32", GgufValue.FromFloat32(3.25f));
            w.AddMetadata("bool", GgufValue.FromBool(true));
            w.AddMetadata("str", GgufValue.FromString("héllo wörld 你好 🙂"));
            w.AddMetadata("empty", GgufValue.FromString(""));
            w.AddMetadata("u64", GgufValue.FromUInt64(ulong.MaxValue));
            w.AddMetadata("i64", GgufValue.FromInt64(long.MinValue));
            w.AddMetadata("f64", GgufValue.FromFloat64(-1e300));
            w.AddMetadata("a.str", GgufValue.FromArray(["a", "", "▁b"]));
            w.AddMetadata("a.f32", GgufValue.FromArray([1.5f, -2f]));
            w.AddMetadata("a.i32", GgufValue.FromArray([1, -2, 3]));
            w.AddMetadata("a.bool", GgufValue.FromArray([true, false]));
            w.AddMetadata("a.u8", GgufValue.FromArray(new byte[] { 1, 2 }));
            w.AddMetadata("a.i64", GgufValue.FromArray([long.MaxValue]));
            w.AddMetadata("a.f64", GgufValue.FromArray([0.5]));
            w.AddMetadata("a.empty", GgufValue.FromArray(ReadOnlySpan<uint>.Empty));
            w.Complete();
        }

        var m = GgufReader.Read(path).Metadata;
        Assert.Equal((byte)250, m["u8"].Value);
        Assert.Equal((sbyte)-100, m["i8"].Value);
        Assert.Equal((ushort)65000, m["u16"].Value);
        Assert.Equal((short)-32000, m["i16"].Value);
        Assert.Equal(4_000_000_000u, m["u32"].Value);
        Assert.Equal(-2_000_000_000, m["i32"].Value);
        Assert.Equal(3.25f, m["f32"].Value);
        Assert.Equal(true, m["bool"].Value);
        Assert.Equal("héllo wörld 你好 🙂", m["str"].AsString());
        Assert.Equal("", m["empty"].AsString());
        Assert.Equal(ulong.MaxValue, m["u64"].Value);
        Assert.Null(m["u64"].AsInt64OrNull());
        Assert.Equal(long.MinValue, m["i64"].AsInt64());
        Assert.Equal(-1e300, m["f64"].AsDouble());
        Assert.Equal(["a", "", "▁b"], m["a.str"].AsArray<string>());
        Assert.Equal([1.5f, -2f], m["a.f32"].AsArray<float>());
        Assert.Equal([1, -2, 3], m["a.i32"].AsArray<int>());
        Assert.Equal([true, false], m["a.bool"].AsArray<bool>());
        Assert.Equal(new byte[] { 1, 2 }, m["a.u8"].AsArray<byte>());
        Assert.Equal([long.MaxValue], m["a.i64"].AsArray<long>());
        Assert.Equal([0.5], m["a.f64"].AsArray<double>());
        Assert.Equal(GgufValueType.UInt32, m["a.empty"].ElementType);
        Assert.Equal(0, m["a.empty"].ArrayLength);
        Assert.Equal(21, m.Count);
    }

    [Fact]
    public void Tensor_data_is_where_the_reader_says_and_decodes_back()
    {
        var path = _folder.File("tensors.gguf");
        var values = Enumerable.Range(0, 64 * 3).Select(i => MathF.Sin(i * 0.37f) * 2).ToArray();
        var types = new[] { GgufTensorType.F32, GgufTensorType.F16, GgufTensorType.Q8_0, GgufTensorType.Q4_0 };
        using (var w = new GgufWriter(path, alignment: 64))
        {
            w.AddMetadata("general.architecture", GgufValue.FromString("test"));
            foreach (var type in types)
            {
                w.AddTensor("t." + type, type, 64, 3);
            }
            w.AddTensor("odd", GgufTensorType.F32, 5);
            foreach (var type in types)
            {
                Assert.Equal("t." + type, w.NextTensorName);
                // In two pieces, to exercise streaming.
                w.WriteTensorData(values.AsSpan(0, 64));
                w.WriteTensorData(values.AsSpan(64));
            }
            w.WriteTensorData([1, 2, 3, 4, 5]);
            Assert.Null(w.NextTensorName);
            w.Complete();
        }

        var file = GgufReader.Read(path);
        Assert.Equal(64, file.Alignment);
        Assert.Equal(64, file.GetInt64("general.alignment"));
        Assert.Equal(0, file.DataOffset % 64);
        var bytes = File.ReadAllBytes(path);
        foreach (var (t, type) in file.Tensors.Zip(types))
        {
            Assert.Equal(type, t.Type);
            Assert.Equal([64L, 3L], t.Dimensions);
            Assert.Equal(0, t.Offset % 64);
            var decoded = new float[values.Length];
            GgufQuantization.Decode(type, bytes.AsSpan((int)t.FilePosition, (int)t.ByteSize), decoded);
            var tolerance = type switch
            {
                GgufTensorType.F32 => 0,
                GgufTensorType.F16 => 2e-3,
                GgufTensorType.Q8_0 => 2.0 / 127,
                _ => 2.0 / 8,
            };
            for (var i = 0; i < values.Length; i++)
            {
                Assert.True(Math.Abs(values[i] - decoded[i]) <= tolerance, $"{type}[{i}]: {values[i]} came back as {decoded[i]}");
            }
        }
        var odd = file.Tensors[^1];
        Assert.Equal(20, odd.ByteSize);
        // Like gguf-py, the writer pads after the last tensor too.
        Assert.Equal(odd.FilePosition + 64, file.FileLength);
    }

    [Fact]
    public void Writer_refuses_misuse_and_leaves_no_file_when_abandoned()
    {
        var path = _folder.File("misuse.gguf");
        using (var w = new GgufWriter(path))
        {
            w.AddMetadata("k", GgufValue.FromUInt32(1));
            Assert.Throws<ArgumentException>(() => w.AddMetadata("k", GgufValue.FromUInt32(2)));
            // The alignment decides the layout the writer computes, so only the constructor sets it.
            Assert.Throws<ArgumentException>(() => w.AddMetadata("general.alignment", GgufValue.FromUInt32(32)));
            w.AddTensor("t", GgufTensorType.Q4_0, 32, 2);
            Assert.Throws<ArgumentException>(() => w.AddTensor("t", GgufTensorType.F32, 4));
            Assert.Throws<ArgumentException>(() => w.AddTensor("u", GgufTensorType.Q8_0, 16));
            Assert.Throws<ArgumentException>(() => w.AddTensor("v", GgufTensorType.F32, 1, 1, 1, 1, 1));
            Assert.Throws<ArgumentException>(() => w.WriteTensorData(new float[31]));
            w.WriteTensorData(new float[32]);
            Assert.Throws<InvalidOperationException>(() => w.AddMetadata("late", GgufValue.FromBool(true)));
            Assert.Throws<ArgumentException>(() => w.WriteTensorData(new float[64]));
            Assert.Throws<InvalidOperationException>(w.Complete);
        }
        Assert.False(File.Exists(path));
        Assert.Empty(Directory.GetFiles(_folder.Path));
    }

    [Fact]
    public void Describe_gives_the_inspect_summary_with_big_arrays_summarized()
    {
        var path = _folder.File("tiny.gguf");
        SyntheticModel.WriteTiny(path);
        var file = GgufReader.Read(path);
        var json = file.Describe();

        Assert.Equal("llama", (string?)json["architecture"]);
        Assert.Equal(file.ParameterCount, (long?)json["parameters"]);
        Assert.Equal("ALL_F32", (string?)json["file_type"]);
        Assert.Equal(2048, (long?)json["context_length"]);
        Assert.Equal(64, (long?)json["embedding_length"]);
        Assert.Equal(2, (long?)json["block_count"]);
        Assert.Equal(file.VocabSize, (long?)json["vocab_size"]);
        Assert.True((bool?)json["chat_template"]);
        var metadata = json["metadata"]!.AsObject();
        Assert.Equal($"[array of {file.VocabSize} string]", (string?)metadata["tokenizer.ggml.tokens"]);
        Assert.Equal($"[array of {file.VocabSize} f32]", (string?)metadata["tokenizer.ggml.scores"]);
        Assert.Equal("64", metadata["llama.embedding_length"]!.ToJsonString());
        Assert.Equal(file.Metadata.Count, metadata.Count);
        Assert.True(json.ToJsonString().Length < 4096);
        Assert.Equal($"[array of {file.VocabSize} i32]", file.GetValue("tokenizer.ggml.token_type")!.ToDisplayString());
        Assert.Equal("[1, 2]", GgufValue.FromArray([1, 2]).ToDisplayString());
        Assert.Equal("[\"a\", \"b\"]", GgufValue.FromArray(["a", "b"]).ToDisplayString());
    }
}
