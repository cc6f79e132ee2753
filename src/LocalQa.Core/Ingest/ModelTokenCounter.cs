using LocalQa.Core.Text;
using LocalQa.Llama;

namespace LocalQa.Core.Ingest;

/// <summary>Token counts from the model's own tokenizer, so chunk budgets are exact for that model.</summary>
public sealed class ModelTokenCounter(LlamaModel model) : ITokenCounter
{
    public int CountTokens(ReadOnlySpan<char> text) => text.IsEmpty ? 0 : model.CountTokens(text);
}
