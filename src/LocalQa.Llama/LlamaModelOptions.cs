namespace LocalQa.Llama;

/// <summary>How to load a model.</summary>
public sealed record LlamaModelOptions
{
    /// <summary>Layers to offload to a GPU; 0 keeps everything on the CPU, -1 offloads all.</summary>
    public int GpuLayers { get; init; }

    /// <summary>Memory-map the file (fast start, shared pages) instead of reading it into RAM.</summary>
    public bool UseMemoryMap { get; init; } = true;

    /// <summary>Load only the tokenizer: tokenize and apply templates, but no decoding.</summary>
    public bool VocabOnly { get; init; }
}
