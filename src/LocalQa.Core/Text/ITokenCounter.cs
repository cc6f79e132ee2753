namespace LocalQa.Core.Text;

/// <summary>
/// Counts the tokens a model would see for a piece of text. The chunker and the context packer
/// budget with it, so a model's real tokenizer can replace the <see cref="TokenEstimator"/>
/// without touching them. Implementations must be thread-safe and must not allocate per call
/// in the common case: chunking calls this once per sentence.
/// </summary>
public interface ITokenCounter
{
    /// <summary>The number of tokens in <paramref name="text"/>; 0 only for empty or all-whitespace text.</summary>
    int CountTokens(ReadOnlySpan<char> text);
}
