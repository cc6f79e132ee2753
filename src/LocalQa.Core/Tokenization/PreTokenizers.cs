namespace LocalQa.Core.Tokenization;

/// <summary>
/// The pre-tokenizer expressions llama.cpp runs for a BPE vocabulary, by tokenizer.ggml.pre
/// (llama-vocab.cpp, llm_tokenizer_bpe). Only the families LocalQa's catalog uses are listed; for
/// any other name the native tokenizer stays in charge.
/// </summary>
internal static class PreTokenizers
{
    private const string Qwen2 = @"(?:'[sS]|'[tT]|'[rR][eE]|'[vV][eE]|'[mM]|'[lL][lL]|'[dD])|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    public static IReadOnlyList<string>? For(string? pre) => pre switch
    {
        "llama3" or "llama-v3" or "llama-bpe" or "falcon3" or "falcon-h1" or "pixtral" or "midm-2.0" or "lfm2" or "dbrx" or "smaug-bpe" or "chatglm-bpe" or "glm4"
            => [SplitStage.Llama3Regex],
        "qwen2" or "deepseek-r1-qwen" or "kormo" or "megrez" or "stablelm2" => [Qwen2],
        "smollm" or "starcoder" or "refact" or "command-r" or "codeshell" or "exaone" or "minerva-7b" => [@"\p{N}", SplitStage.Gpt2Regex],
        "gpt-2" or "phi-2" or "jina-es" or "jina-de" or "gigachat" or "jina-v2-es" or "jina-v2-de" or "mpt" or "olmo" or "jais" or "exaone4" or "trillion"
            => [SplitStage.Gpt2Regex],
        _ => null,
    };
}
