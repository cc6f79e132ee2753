using System.Runtime.InteropServices;
using LocalQa.Llama.Native;

namespace LocalQa.Llama.Tests.Engine;

/// <summary>
/// The mirrored structs must match llama.h of the pinned release byte for byte, or every call that
/// passes them corrupts memory. The numbers come from the header itself, computed with:
///   gcc -I llama.cpp/include -I llama.cpp/ggml/include abi.c &amp;&amp; ./a.out
/// where abi.c prints sizeof/offsetof for each field (llama.cpp of node-llama-cpp@3.22.1, llama/gitRelease.bundle).
/// </summary>
public sealed class NativeAbiTests
{
    private static int Off<T>(string field) => (int)Marshal.OffsetOf<T>(field);

    [Fact]
    public void Model_params_match_the_header()
    {
        Assert.Equal(80, Marshal.SizeOf<LlamaModelParams>());
        Assert.Equal(
            [0, 8, 16, 20, 24, 28, 32, 40, 48, 56, 64, 72, 73, 74, 75, 76, 77],
            new[] { "Devices", "TensorBuftOverrides", "NGpuLayers", "SplitMode", "LoadMode", "LazyMode", "MainGpu", "TensorSplit",
                "ProgressCallback", "ProgressCallbackUserData", "KvOverrides", "VocabOnly", "CheckTensors", "UseExtraBufts", "NoHost", "NoAlloc", "LoadMtp" }
                .Select(Off<LlamaModelParams>));
    }

    [Fact]
    public void Context_params_match_the_header()
    {
        Assert.Equal(160, Marshal.SizeOf<LlamaContextParams>());
        Assert.Equal(
            [0, 4, 8, 12, 16, 20, 24, 28, 32, 36, 40, 44, 48, 52, 56, 60, 64, 68, 72, 76, 80, 84, 88, 96, 104, 108, 112, 120,
             128, 129, 130, 131, 132, 133, 136, 144, 152],
            new[] { "NCtx", "NBatch", "NUbatch", "NSeqMax", "NRsSeq", "NOutputsMax", "NOutputsMaxPerSeq", "NThreads", "NThreadsBatch",
                "CtxType", "RopeScalingType", "PoolingType", "AttentionType", "FlashAttnType", "RopeFreqBase", "RopeFreqScale",
                "YarnExtFactor", "YarnAttnFactor", "YarnBetaFast", "YarnBetaSlow", "YarnOrigCtx", "DefragThold", "CbEval", "CbEvalUserData",
                "TypeK", "TypeV", "AbortCallback", "AbortCallbackData", "Embeddings", "OffloadKqv", "NoPerf", "OpOffload", "SwaFull",
                "KvUnified", "Samplers", "NSamplers", "CtxOther" }
                .Select(Off<LlamaContextParams>));
    }

    [Fact]
    public void Batch_and_small_structs_match_the_header()
    {
        Assert.Equal(56, Marshal.SizeOf<LlamaBatchNative>());
        Assert.Equal([0, 8, 16, 24, 32, 40, 48],
            new[] { "NTokens", "Token", "Embd", "Pos", "NSeqId", "SeqId", "Logits" }.Select(Off<LlamaBatchNative>));
        Assert.Equal(16, Marshal.SizeOf<LlamaChatMessageNative>());
        Assert.Equal(8, Off<LlamaChatMessageNative>("Content"));
        Assert.Equal(1, Marshal.SizeOf<LlamaSamplerChainParams>());
        Assert.Equal(48, Marshal.SizeOf<LlamaPerfContextData>());
        Assert.Equal([0, 8, 16, 24, 32, 36, 40],
            new[] { "TStartMs", "TLoadMs", "TPEvalMs", "TEvalMs", "NPEval", "NEval", "NReused" }.Select(Off<LlamaPerfContextData>));
    }

    [Fact]
    public void Defaults_read_through_the_mirrors_are_llama_cpp_defaults()
    {
        // A layout error shows up as garbage here even if offsets were mistyped consistently.
        var c = LlamaNative.llama_context_default_params();
        Assert.Equal(512u, c.NCtx);
        Assert.Equal(2048u, c.NBatch);
        Assert.Equal(512u, c.NUbatch);
        Assert.Equal(1u, c.NSeqMax);
        Assert.Equal(-1, c.FlashAttnType);
        Assert.Equal(1, c.OffloadKqv);
        var m = LlamaNative.llama_model_default_params();
        Assert.Equal(0, m.VocabOnly);
        Assert.Equal(0, m.CheckTensors);
    }
}
