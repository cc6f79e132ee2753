namespace LocalQa.Llama;

/// <summary>Sampling settings. Temperature 0 (the default) is greedy: the same prompt gives the same text.</summary>
public sealed record SamplingOptions
{
    public float Temperature { get; init; }
    public int TopK { get; init; } = 40;
    public float TopP { get; init; } = 0.95f;
    public float MinP { get; init; } = 0.05f;
    public float RepeatPenalty { get; init; } = 1.0f;
    public int RepeatLastN { get; init; } = 64;
    public uint Seed { get; init; } = 0xC0FFEE;

    public static SamplingOptions Greedy { get; } = new();
}
