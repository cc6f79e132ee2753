using System.Buffers;
using LocalQa.Core.Gguf;

namespace LocalQa.Testing;

/// <summary>
/// Writes GGUF models with random weights, llama-architecture chat models here and BERT embedders
/// in SyntheticModel.Bert.cs: tiny ones for tests (llama.cpp loads and runs them in milliseconds)
/// and ones with the exact shapes of real models for benchmarks (speed depends on shapes and
/// quantization, not on weight values). Output is deterministic: the same arguments give a
/// byte-identical file, whatever the number of cores.
/// </summary>
public static partial class SyntheticModel
{
    /// <summary>
    /// The standard chatml template, as the Jinja text that Hugging Face models carry; llama.cpp
    /// recognizes it as chatml by its &lt;|im_start|&gt; marker.
    /// </summary>
    public const string ChatMlTemplate =
        "{% for message in messages %}{{'<|im_start|>' + message['role'] + '\\n' + message['content'] + '<|im_end|>' + '\\n'}}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{% endif %}";

    // Values generated per work item: large enough to amortize scheduling, small enough to keep
    // all cores busy and memory flat.
    private const int ChunkValues = 1 << 20;

    /// <summary>Writes the tiny test model (see <see cref="TinyModelOptions"/> for what can vary).</summary>
    public static void WriteTiny(string path, TinyModelOptions? options = null)
    {
        options ??= new TinyModelOptions();
        Write(path, options.Shape, options.TensorType, options.Seed, options.PoolingType, options.ChatTemplate, options.EndsGeneration);
    }

    /// <summary>
    /// Writes a model of <paramref name="shape"/> whose weight matrices are <paramref name="quant"/>
    /// (F32, F16, Q8_0 or Q4_0). As llama-quantize does, norms stay F32 and the output projection
    /// stays at Q8_0 when the rest is Q4_0 (token_embd too when it doubles as the output).
    /// </summary>
    public static void WriteShaped(string path, ModelShape shape, GgufTensorType quant, int seed) =>
        Write(path, shape, quant, seed, poolingType: null, ChatMlTemplate, endsGeneration: true);

    private static void Write(string path, ModelShape shape, GgufTensorType quant, int seed, GgufPoolingType? poolingType, string? chatTemplate, bool endsGeneration)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(shape);
        if (!GgufQuantization.CanEncode(quant))
        {
            throw new ArgumentOutOfRangeException(nameof(quant), quant, "Generated models are F32, F16, Q8_0 or Q4_0.");
        }
        shape.Validate(quant);
        var vocab = SyntheticVocabulary.Create(shape.VocabSize);
        var tensors = PlanTensors(shape, quant, vocab.Count);
        if (!endsGeneration)
        {
            if (shape.TiedEmbeddings)
            {
                throw new ArgumentException("A model that never ends generation needs its own output projection: its end-of-generation rows are zeroed, which would zero their input embeddings too.", nameof(shape));
            }
            // A zero row gives a logit of exactly 0, and greedy sampling takes the largest of
            // hundreds of random logits, which is positive: the end tokens are never chosen.
            var output = tensors.FindIndex(t => t.Name == "output.weight");
            tensors[output] = tensors[output] with { ZeroRows = [SyntheticVocabulary.EosId, SyntheticVocabulary.ImEndId] };
        }
        WriteFile(path, tensors, seed, w => AddMetadata(w, shape, quant, vocab, poolingType, chatTemplate));
    }

    private static void WriteFile(string path, List<TensorPlan> tensors, int seed, Action<GgufWriter> addMetadata)
    {
        using var writer = new GgufWriter(path);
        addMetadata(writer);
        foreach (var t in tensors)
        {
            writer.AddTensor(t.Name, t.Type, t.Dimensions);
        }
        for (var i = 0; i < tensors.Count; i++)
        {
            WriteTensor(writer, tensors[i], DeriveSeed((ulong)(uint)seed, (ulong)i));
        }
        writer.Complete();
    }

    private static void AddFileType(GgufWriter w, GgufTensorType quant)
    {
        w.AddMetadata("general.file_type", GgufValue.FromUInt32(quant switch
        {
            GgufTensorType.F32 => 0u,
            GgufTensorType.F16 => 1u,
            GgufTensorType.Q4_0 => 2u,
            _ => 7u, // Q8_0
        }));
        if (quant is GgufTensorType.Q4_0 or GgufTensorType.Q8_0)
        {
            w.AddMetadata("general.quantization_version", GgufValue.FromUInt32(2));
        }
    }

    private static void AddMetadata(GgufWriter w, ModelShape shape, GgufTensorType quant, SyntheticVocabulary vocab,
        GgufPoolingType? poolingType, string? chatTemplate)
    {
        const string arch = "llama";
        w.AddMetadata("general.architecture", GgufValue.FromString(arch));
        w.AddMetadata("general.name", GgufValue.FromString(shape.Name));
        AddFileType(w, quant);
        w.AddMetadata($"{arch}.vocab_size", GgufValue.FromUInt32((uint)vocab.Count));
        w.AddMetadata($"{arch}.context_length", GgufValue.FromUInt32((uint)shape.ContextLength));
        w.AddMetadata($"{arch}.embedding_length", GgufValue.FromUInt32((uint)shape.EmbeddingLength));
        w.AddMetadata($"{arch}.block_count", GgufValue.FromUInt32((uint)shape.BlockCount));
        w.AddMetadata($"{arch}.feed_forward_length", GgufValue.FromUInt32((uint)shape.FeedForwardLength));
        w.AddMetadata($"{arch}.rope.dimension_count", GgufValue.FromUInt32((uint)shape.HeadDimension));
        w.AddMetadata($"{arch}.rope.freq_base", GgufValue.FromFloat32(shape.RopeFreqBase));
        w.AddMetadata($"{arch}.attention.head_count", GgufValue.FromUInt32((uint)shape.HeadCount));
        w.AddMetadata($"{arch}.attention.head_count_kv", GgufValue.FromUInt32((uint)shape.HeadCountKv));
        w.AddMetadata($"{arch}.attention.layer_norm_rms_epsilon", GgufValue.FromFloat32(shape.RmsNormEpsilon));
        if (poolingType is { } pooling)
        {
            w.AddMetadata($"{arch}.pooling_type", GgufValue.FromUInt32((uint)pooling));
        }

        w.AddMetadata("tokenizer.ggml.model", GgufValue.FromString("llama"));
        w.AddMetadata("tokenizer.ggml.tokens", GgufValue.FromArray(vocab.Tokens));
        w.AddMetadata("tokenizer.ggml.scores", GgufValue.FromArray([.. vocab.Scores]));
        w.AddMetadata("tokenizer.ggml.token_type", GgufValue.FromArray([.. vocab.TokenTypes]));
        w.AddMetadata("tokenizer.ggml.bos_token_id", GgufValue.FromUInt32(SyntheticVocabulary.BosId));
        w.AddMetadata("tokenizer.ggml.eos_token_id", GgufValue.FromUInt32(SyntheticVocabulary.EosId));
        w.AddMetadata("tokenizer.ggml.eot_token_id", GgufValue.FromUInt32(SyntheticVocabulary.ImEndId));
        w.AddMetadata("tokenizer.ggml.unknown_token_id", GgufValue.FromUInt32(SyntheticVocabulary.UnknownId));
        w.AddMetadata("tokenizer.ggml.add_bos_token", GgufValue.FromBool(true));
        w.AddMetadata("tokenizer.ggml.add_eos_token", GgufValue.FromBool(false));
        if (chatTemplate is not null)
        {
            w.AddMetadata("tokenizer.chat_template", GgufValue.FromString(chatTemplate));
        }
    }

    private static List<TensorPlan> PlanTensors(ModelShape s, GgufTensorType quant, int vocabSize)
    {
        long embd = s.EmbeddingLength, ff = s.FeedForwardLength, vocab = vocabSize;
        long headDim = s.HeadDimension, q = headDim * s.HeadCount, kv = headDim * s.HeadCountKv;
        // llama-quantize keeps the output projection at higher precision than Q4_0 (Q6_K there;
        // Q8_0 is the closest this writer has), and the output role falls to token_embd when tied.
        var outputType = quant == GgufTensorType.Q4_0 ? GgufTensorType.Q8_0 : quant;
        var embedType = s.TiedEmbeddings ? outputType : quant;

        // Scales chosen so a random model is not degenerate. Matrices of 1/sqrt(fan-in) keep
        // activations near unit size; small token embeddings let the attention and FFN outputs
        // dominate the residual stream, so greedy decoding depends on the whole prompt and a
        // tied output projection does not just repeat the last token.
        var matrixScale = 1.0f / MathF.Sqrt(embd);
        var plan = new List<TensorPlan>
        {
            new("token_embd.weight", embedType, [embd, vocab], 0.02f),
        };
        for (var i = 0; i < s.BlockCount; i++)
        {
            var p = $"blk.{i}.";
            plan.Add(new(p + "attn_norm.weight", GgufTensorType.F32, [embd], 0));
            plan.Add(new(p + "attn_q.weight", quant, [embd, q], 2 * matrixScale));
            plan.Add(new(p + "attn_k.weight", quant, [embd, kv], 2 * matrixScale));
            plan.Add(new(p + "attn_v.weight", quant, [embd, kv], matrixScale));
            plan.Add(new(p + "attn_output.weight", quant, [q, embd], matrixScale));
            plan.Add(new(p + "ffn_norm.weight", GgufTensorType.F32, [embd], 0));
            plan.Add(new(p + "ffn_gate.weight", quant, [embd, ff], matrixScale));
            plan.Add(new(p + "ffn_up.weight", quant, [embd, ff], matrixScale));
            plan.Add(new(p + "ffn_down.weight", quant, [ff, embd], 1.0f / MathF.Sqrt(ff)));
        }
        plan.Add(new("output_norm.weight", GgufTensorType.F32, [embd], 0));
        if (!s.TiedEmbeddings)
        {
            plan.Add(new("output.weight", outputType, [embd, vocab], matrixScale));
        }
        return plan;
    }

    private static void WriteTensor(GgufWriter writer, TensorPlan t, ulong seed)
    {
        var total = t.Dimensions.Aggregate(1L, (a, b) => a * b);
        var rowLength = t.Dimensions[0];
        var rowsPerChunk = Math.Max(1, ChunkValues / rowLength);
        var chunkValues = rowsPerChunk * rowLength;
        var chunkCount = (total + chunkValues - 1) / chunkValues;
        var batch = Math.Max(1, Environment.ProcessorCount * 2);
        var maxBytes = (int)GgufTensorTypes.ByteSize(t.Type, chunkValues);

        var encoded = new byte[Math.Min(batch, chunkCount)][];
        var lengths = new int[encoded.Length];
        for (var i = 0; i < encoded.Length; i++)
        {
            encoded[i] = ArrayPool<byte>.Shared.Rent(maxBytes);
        }
        try
        {
            for (long first = 0; first < chunkCount; first += batch)
            {
                var count = (int)Math.Min(batch, chunkCount - first);
                Parallel.For(0, count, j =>
                {
                    var chunk = first + j;
                    var start = chunk * chunkValues;
                    var n = (int)Math.Min(chunkValues, total - start);
                    var values = ArrayPool<float>.Shared.Rent(n);
                    try
                    {
                        var span = values.AsSpan(0, n);
                        if (t.Scale == 0)
                        {
                            span.Fill(1.0f);
                        }
                        else
                        {
                            new XorShiftRandom(DeriveSeed(seed, (ulong)chunk)).FillUniform(span, t.Scale);
                        }
                        foreach (var row in t.ZeroRows)
                        {
                            var from = Math.Max(row * rowLength, start) - start;
                            var to = Math.Min((row + 1) * rowLength, start + n) - start;
                            if (from < to) span[(int)from..(int)to].Clear();
                        }
                        lengths[j] = (int)GgufTensorTypes.ByteSize(t.Type, n);
                        GgufQuantization.Encode(t.Type, span, encoded[j].AsSpan(0, lengths[j]));
                    }
                    finally
                    {
                        ArrayPool<float>.Shared.Return(values);
                    }
                });
                for (var j = 0; j < count; j++)
                {
                    writer.WriteTensorBytes(encoded[j].AsSpan(0, lengths[j]));
                }
            }
        }
        finally
        {
            foreach (var buffer in encoded)
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    // splitmix64 of a combination: independent streams per tensor and per chunk.
    private static ulong DeriveSeed(ulong seed, ulong index)
    {
        var z = seed + ((index + 1) * 0x9E3779B97F4A7C15UL);
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }

    /// <param name="Scale">Standard deviation of the uniform random values; 0 means all ones (norm weights).</param>
    private sealed record TensorPlan(string Name, GgufTensorType Type, long[] Dimensions, float Scale)
    {
        /// <summary>Rows (second-dimension indices) written as zeros.</summary>
        public long[] ZeroRows { get; init; } = [];
    }

    /// <summary>xorshift64*: a few cycles per value, which keeps a billion-parameter file fast to make.</summary>
    private struct XorShiftRandom(ulong seed)
    {
        private ulong _state = seed == 0 ? 0x9E3779B97F4A7C15UL : seed;

        /// <summary>Fills with uniform values of mean 0 and standard deviation <paramref name="std"/>.</summary>
        public void FillUniform(Span<float> values, float std)
        {
            // Uniform on [-a, a) has standard deviation a / sqrt(3).
            var scale = std * MathF.Sqrt(3) / 2147483648f;
            var i = 0;
            for (; i + 1 < values.Length; i += 2)
            {
                var r = Next();
                values[i] = (int)r * scale;
                values[i + 1] = (int)(r >> 32) * scale;
            }
            if (i < values.Length)
            {
                values[i] = (int)Next() * scale;
            }
        }

        private ulong Next()
        {
            _state ^= _state >> 12;
            _state ^= _state << 25;
            _state ^= _state >> 27;
            return _state * 0x2545F4914F6CDD1DUL;
        }
    }
}
