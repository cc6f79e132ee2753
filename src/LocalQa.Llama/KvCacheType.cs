namespace LocalQa.Llama;

/// <summary>Element type of the KV cache (ggml type ids).</summary>
public enum KvCacheType { F32 = 0, F16 = 1, Q8_0 = 8 }
