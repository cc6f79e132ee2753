namespace LocalQa.Core.Tokenization;

/// <summary>A file's tokenizer as <c>models inspect</c> reports it.</summary>
/// <param name="Model">tokenizer.ggml.model ("llama", "gpt2", "bert"), null when the file has none.</param>
/// <param name="Algorithm">The algorithm in words ("SentencePiece BPE", ...).</param>
/// <param name="VocabularySize">Tokens in the vocabulary.</param>
/// <param name="PreTokenizer">tokenizer.ggml.pre of a BPE vocabulary.</param>
/// <param name="Managed">True when LocalQa counts and cuts with its managed copy (llama.cpp's ids exactly).</param>
/// <param name="NativeReason">Why llama.cpp's own tokenizer is used instead, when it is.</param>
public sealed record TokenizerDescription(string? Model, string Algorithm, long? VocabularySize, string? PreTokenizer, bool Managed, string? NativeReason)
{
    /// <summary>One line: "llama (SentencePiece BPE), 32000 tokens, managed: ..." or "..., native (llama.cpp): reason".</summary>
    public override string ToString()
    {
        var kind = Model is null ? "none" : $"{Model} ({Algorithm}{(PreTokenizer is null ? "" : ", pre-tokenizer " + PreTokenizer)})";
        var size = VocabularySize is { } n ? $", {n.ToString(System.Globalization.CultureInfo.InvariantCulture)} tokens" : "";
        return Managed
            ? $"{kind}{size}, managed (Microsoft.ML.Tokenizers, llama.cpp's ids)"
            : $"{kind}{size}, native (llama.cpp): {NativeReason}";
    }
}
