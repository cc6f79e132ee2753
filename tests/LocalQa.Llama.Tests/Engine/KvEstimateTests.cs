namespace LocalQa.Llama.Tests.Engine;

/// <summary>
/// A context is refused before llama.cpp allocates it when its KV cache would not fit in memory;
/// the estimate assumed F16 whatever the cache type, so an F32 cache was under-estimated by half.
/// </summary>
public sealed class KvEstimateTests(TinyModelFixture fixture) : IClassFixture<TinyModelFixture>
{
    [Fact]
    public void The_estimate_follows_the_cache_type()
    {
        var model = fixture.Model;
        // The tiny model: 2 layers, 2 KV heads of width 16: K and V are 2 × 2 × 32 values per position.
        var values = 2L * model.LayerCount * (model.EmbeddingLength / model.HeadCount) * model.HeadCountKv * 1024;

        Assert.Equal(values * 2, LlamaContext.EstimateKvBytes(model, 1024, KvCacheType.F16));
        Assert.Equal(values * 4, LlamaContext.EstimateKvBytes(model, 1024, KvCacheType.F32));
        Assert.Equal(values * 34 / 32, LlamaContext.EstimateKvBytes(model, 1024, KvCacheType.Q8_0));
    }
}
