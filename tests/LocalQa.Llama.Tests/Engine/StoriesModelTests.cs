namespace LocalQa.Llama.Tests.Engine;

public sealed class StoriesModelTests
{
    [Fact]
    public void Stories260K_continues_once_upon_a_time_greedily()
    {
        var path = SharedModels.Require("stories260K.gguf");
        using var model = LlamaModel.Load(path);
        using var ctx = LlamaContext.Create(model, new LlamaContextOptions { ContextSize = 256 });
        using var gen = new LlamaGenerator(ctx);
        var text = string.Concat(gen.Generate(model.Tokenize("Once upon a time"), new GenerationOptions { MaxTokens = 24 }));
        Assert.StartsWith(", there was a little girl named Lily", text, StringComparison.Ordinal);
    }
}
