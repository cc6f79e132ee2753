using System.Runtime.CompilerServices;
using LocalQa.Core.Ai;
using LocalQa.Core.Text;
using LocalQa.Core.Tokenization;

namespace LocalQa.Llama;

/// <summary>Token counts from llama.cpp's tokenizer of a loaded model (the native path).</summary>
public sealed class ModelTokenCounter(LlamaModel model) : ITokenCounter
{
    private static readonly ConditionalWeakTable<LlamaModel, ITokenCounter> Counters = [];

    public int CountTokens(ReadOnlySpan<char> text) => text.IsEmpty ? 0 : model.CountTokens(text);

    /// <summary>
    /// The counter for a model's own tokens: the managed tokenizer built from its GGUF vocabulary when
    /// that reproduces llama.cpp exactly (no native call, any thread), llama.cpp's otherwise. One per model.
    /// </summary>
    public static ITokenCounter For(LlamaModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return Counters.GetValue(model, m => (ITokenCounter?)GgufTokenizer.TryCreate(m.File, out _) ?? new ModelTokenCounter(m));
    }
}
