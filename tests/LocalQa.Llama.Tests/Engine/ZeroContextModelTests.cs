using LocalQa.Core.Gguf;
using LocalQa.Testing;

namespace LocalQa.Llama.Tests.Engine;

/// <summary>
/// Issue 24: a model whose context_length is 0 got "use at least 16 tokens", then "use a context of 1
/// tokens or less" (0 was read as 1). The GGUF writer refuses 0, so a context_length of 1 stands in:
/// it took the same two contradictory paths.
/// </summary>
public sealed class ZeroContextModelTests
{
    [Theory]
    [InlineData(0)]
    [InlineData(16)]
    [InlineData(4096)]
    public void A_model_trained_for_too_small_a_context_gets_one_consistent_message_whatever_context_is_asked(int contextSize)
    {
        var path = TestModelFiles.TempFile($"tiny-context-{contextSize}.gguf");
        SyntheticModel.WriteShaped(path, ModelShape.Tiny with { Name = "tiny-context", ContextLength = 1 }, GgufTensorType.Q4_0, seed: 5);
        LlamaModel model;
        try
        {
            model = LlamaModel.Load(path);
        }
        catch (LlamaException e)
        {
            // Refused at load is as good: the message then names the model, not a context size.
            Assert.DoesNotContain("tokens or less", e.Message, StringComparison.Ordinal);
            return;
        }

        using (model)
        {
            var e = Assert.Throws<ContextSizeException>(() => LlamaContext.Create(model, new LlamaContextOptions { ContextSize = contextSize }));
            Assert.Equal($"'tiny-context-{contextSize}.gguf' says it was trained for a context of 1 tokens (its context_length), fewer than the 16 any context needs.", e.Message);
        }
    }
}
