using LLama.Native;

namespace LocalQa.Llama;

/// <summary>A llama.cpp sampler chain (LLamaSharp's handle) with LocalQa's validation. Holds
/// per-sequence state (penalties, RNG): one per sequence.</summary>
public sealed class LlamaSampler : IDisposable
{
    private readonly SafeLLamaSamplerChainHandle _chain;

    public LlamaSampler(LlamaModel model, SamplingOptions? options = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        options ??= SamplingOptions.Greedy;
        Validate(options);
        Options = options;
        LocalQa.Llama.Native.NativeRuntime.Ensure();
        _chain = SafeLLamaSamplerChainHandle.Create(LLamaSamplerChainParams.Default());
        if (options.RepeatPenalty != 1.0f)
            _chain.AddPenalties(options.RepeatLastN, options.RepeatPenalty, 0, 0);
        if (options.Temperature <= 0)
        {
            _chain.AddGreedySampler();
            return;
        }
        if (options.TopK > 0) _chain.AddTopK(options.TopK);
        if (options.TopP < 1) _chain.AddTopP(options.TopP, 1);
        if (options.MinP > 0) _chain.AddMinP(options.MinP, 1);
        _chain.AddTemperature(options.Temperature);
        _chain.AddDistributionSampler(options.Seed);
    }

    public SamplingOptions Options { get; }

    private static void Validate(SamplingOptions o)
    {
        if (!float.IsFinite(o.Temperature) || o.Temperature < 0 || o.Temperature > 10)
            throw new ArgumentOutOfRangeException(nameof(o), o.Temperature, "Temperature must be between 0 and 10.");
        if (!float.IsFinite(o.TopP) || o.TopP <= 0 || o.TopP > 1)
            throw new ArgumentOutOfRangeException(nameof(o), o.TopP, "Top-p must be in (0, 1].");
        if (!float.IsFinite(o.MinP) || o.MinP < 0 || o.MinP >= 1)
            throw new ArgumentOutOfRangeException(nameof(o), o.MinP, "Min-p must be in [0, 1).");
        if (o.TopK < 0) throw new ArgumentOutOfRangeException(nameof(o), o.TopK, "Top-k must not be negative.");
        if (!float.IsFinite(o.RepeatPenalty) || o.RepeatPenalty <= 0)
            throw new ArgumentOutOfRangeException(nameof(o), o.RepeatPenalty, "Repeat penalty must be positive.");
        if (o.RepeatLastN < -1) throw new ArgumentOutOfRangeException(nameof(o), o.RepeatLastN, "Repeat window must be -1 or more.");
    }

    /// <summary>Samples (and accepts) a token from the logits of batch row <paramref name="batchIndex"/>.</summary>
    public int Sample(LlamaContext context, int batchIndex)
    {
        ArgumentNullException.ThrowIfNull(context);
        // Fails with an exception (not a crash) when the row has no logits.
        _ = context.GetLogits(batchIndex);
        return (int)_chain.Sample(context.Handle, batchIndex);
    }

    /// <summary>Feeds a token the sampler did not pick (a prompt token) into its penalty history.</summary>
    public void Accept(LlamaModel model, int token)
    {
        ArgumentNullException.ThrowIfNull(model);
        model.ValidateToken(token);
        _chain.Accept((LLamaToken)token);
    }

    public void Reset() => _chain.Reset();

    public void Dispose() => _chain.Dispose();
}
