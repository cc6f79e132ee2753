using LocalQa.Core.Gguf;

namespace LocalQa.Testing;

public static partial class SyntheticModel
{
    /// <summary>
    /// Writes a BERT-architecture embedding model of <paramref name="shape"/> with a WordPiece
    /// vocabulary, laid out as llama.cpp's converter writes a real one (bge-small-en-v1.5,
    /// all-MiniLM): weight matrices are <paramref name="quant"/> (F32, F16, Q8_0 or Q4_0); norms,
    /// biases, position_embd and token_types stay F32, as the converter and llama-quantize keep them;
    /// token_embd stays at Q8_0 when the rest is Q4_0, since llama-quantize treats it as the output
    /// projection of a model that has none.
    /// </summary>
    public static void WriteBert(string path, BertModelShape shape, GgufTensorType quant, int seed)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        ArgumentNullException.ThrowIfNull(shape);
        if (!GgufQuantization.CanEncode(quant))
        {
            throw new ArgumentOutOfRangeException(nameof(quant), quant, "Generated models are F32, F16, Q8_0 or Q4_0.");
        }
        shape.Validate(quant);
        var vocab = WordPieceVocabulary.Create(shape.VocabSize);
        var tensors = PlanBertTensors(shape, quant, vocab.Count);
        WriteFile(path, tensors, seed, w => AddBertMetadata(w, shape, quant, vocab));
    }

    private static void AddBertMetadata(GgufWriter w, BertModelShape shape, GgufTensorType quant, WordPieceVocabulary vocab)
    {
        const string arch = "bert";
        w.AddMetadata("general.architecture", GgufValue.FromString(arch));
        w.AddMetadata("general.name", GgufValue.FromString(shape.Name));
        AddFileType(w, quant);
        w.AddMetadata($"{arch}.context_length", GgufValue.FromUInt32((uint)shape.ContextLength));
        w.AddMetadata($"{arch}.embedding_length", GgufValue.FromUInt32((uint)shape.EmbeddingLength));
        w.AddMetadata($"{arch}.feed_forward_length", GgufValue.FromUInt32((uint)shape.FeedForwardLength));
        w.AddMetadata($"{arch}.block_count", GgufValue.FromUInt32((uint)shape.BlockCount));
        w.AddMetadata($"{arch}.attention.head_count", GgufValue.FromUInt32((uint)shape.HeadCount));
        w.AddMetadata($"{arch}.attention.layer_norm_epsilon", GgufValue.FromFloat32(shape.LayerNormEpsilon));
        w.AddMetadata($"{arch}.attention.causal", GgufValue.FromBool(false));
        w.AddMetadata($"{arch}.pooling_type", GgufValue.FromUInt32((uint)shape.Pooling));

        w.AddMetadata("tokenizer.ggml.model", GgufValue.FromString("bert"));
        w.AddMetadata("tokenizer.ggml.tokens", GgufValue.FromArray(vocab.Tokens));
        // WordPiece matches the longest piece and never reads scores; zeros keep one per token,
        // which every reader of the tokenizer arrays may assume.
        w.AddMetadata("tokenizer.ggml.scores", GgufValue.FromArray(new float[vocab.Count]));
        w.AddMetadata("tokenizer.ggml.token_type", GgufValue.FromArray([.. vocab.TokenTypes]));
        // llama.cpp refuses a BERT without it: it sizes token_types.weight.
        w.AddMetadata("tokenizer.ggml.token_type_count", GgufValue.FromUInt32((uint)shape.TokenTypeCount));
        w.AddMetadata("tokenizer.ggml.bos_token_id", GgufValue.FromUInt32(WordPieceVocabulary.ClsId));
        w.AddMetadata("tokenizer.ggml.seperator_token_id", GgufValue.FromUInt32(WordPieceVocabulary.SepId));
        w.AddMetadata("tokenizer.ggml.unknown_token_id", GgufValue.FromUInt32(WordPieceVocabulary.UnknownId));
        w.AddMetadata("tokenizer.ggml.padding_token_id", GgufValue.FromUInt32(WordPieceVocabulary.PadId));
        w.AddMetadata("tokenizer.ggml.mask_token_id", GgufValue.FromUInt32(WordPieceVocabulary.MaskId));
    }

    private static List<TensorPlan> PlanBertTensors(BertModelShape s, GgufTensorType quant, int vocabSize)
    {
        long embd = s.EmbeddingLength, ff = s.FeedForwardLength;
        var embedType = quant == GgufTensorType.Q4_0 ? GgufTensorType.Q8_0 : quant;
        const GgufTensorType f32 = GgufTensorType.F32;

        // BERT's own initialization (std 0.02) for embeddings and biases; 1/sqrt(fan-in) for the
        // matrices, as in the llama writer, so attention is not uniform and texts stay apart.
        // Every sub-layer ends in a layer norm, so no scale can make activations blow up.
        const float small = 0.02f;
        var matrixScale = 1.0f / MathF.Sqrt(embd);
        var plan = new List<TensorPlan>
        {
            new("token_embd.weight", embedType, [embd, vocabSize], small),
            new("token_types.weight", f32, [embd, s.TokenTypeCount], small),
            new("position_embd.weight", f32, [embd, s.ContextLength], small),
            new("token_embd_norm.weight", f32, [embd], 0),
            new("token_embd_norm.bias", f32, [embd], small),
        };
        for (var i = 0; i < s.BlockCount; i++)
        {
            var p = $"blk.{i}.";
            plan.Add(new(p + "attn_q.weight", quant, [embd, embd], 2 * matrixScale));
            plan.Add(new(p + "attn_q.bias", f32, [embd], small));
            plan.Add(new(p + "attn_k.weight", quant, [embd, embd], 2 * matrixScale));
            plan.Add(new(p + "attn_k.bias", f32, [embd], small));
            plan.Add(new(p + "attn_v.weight", quant, [embd, embd], matrixScale));
            plan.Add(new(p + "attn_v.bias", f32, [embd], small));
            plan.Add(new(p + "attn_output.weight", quant, [embd, embd], matrixScale));
            plan.Add(new(p + "attn_output.bias", f32, [embd], small));
            plan.Add(new(p + "attn_output_norm.weight", f32, [embd], 0));
            plan.Add(new(p + "attn_output_norm.bias", f32, [embd], small));
            plan.Add(new(p + "ffn_up.weight", quant, [embd, ff], matrixScale));
            plan.Add(new(p + "ffn_up.bias", f32, [ff], small));
            plan.Add(new(p + "ffn_down.weight", quant, [ff, embd], 1.0f / MathF.Sqrt(ff)));
            plan.Add(new(p + "ffn_down.bias", f32, [embd], small));
            plan.Add(new(p + "layer_output_norm.weight", f32, [embd], 0));
            plan.Add(new(p + "layer_output_norm.bias", f32, [embd], small));
        }
        return plan;
    }
}
