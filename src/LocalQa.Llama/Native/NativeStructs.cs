using System.Runtime.InteropServices;

namespace LocalQa.Llama.Native;

// Blittable mirrors of llama.h (llama.cpp 0.5.0, npm node-llama-cpp@3.22.1). C `bool` is `byte`,
// enums are `int`, pointers are `nint` or typed pointers. NativeAbiTests pins every size and offset.

[StructLayout(LayoutKind.Sequential)]
internal struct LlamaModelParams
{
    public nint Devices;
    public nint TensorBuftOverrides;
    public int NGpuLayers;
    public int SplitMode;
    public int LoadMode;
    public int LazyMode;
    public int MainGpu;
    public nint TensorSplit;
    public nint ProgressCallback;
    public nint ProgressCallbackUserData;
    public nint KvOverrides;
    public byte VocabOnly;
    public byte CheckTensors;
    public byte UseExtraBufts;
    public byte NoHost;
    public byte NoAlloc;
    public byte LoadMtp;
}

[StructLayout(LayoutKind.Sequential)]
internal struct LlamaContextParams
{
    public uint NCtx;
    public uint NBatch;
    public uint NUbatch;
    public uint NSeqMax;
    public uint NRsSeq;
    public uint NOutputsMax;
    public uint NOutputsMaxPerSeq;
    public int NThreads;
    public int NThreadsBatch;
    public int CtxType;
    public int RopeScalingType;
    public int PoolingType;
    public int AttentionType;
    public int FlashAttnType;
    public float RopeFreqBase;
    public float RopeFreqScale;
    public float YarnExtFactor;
    public float YarnAttnFactor;
    public float YarnBetaFast;
    public float YarnBetaSlow;
    public uint YarnOrigCtx;
    public float DefragThold;
    public nint CbEval;
    public nint CbEvalUserData;
    public int TypeK;
    public int TypeV;
    public nint AbortCallback;
    public nint AbortCallbackData;
    public byte Embeddings;
    public byte OffloadKqv;
    public byte NoPerf;
    public byte OpOffload;
    public byte SwaFull;
    public byte KvUnified;
    public nint Samplers;
    public nuint NSamplers;
    public nint CtxOther;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaBatchNative
{
    public int NTokens;
    public int* Token;
    public float* Embd;
    public int* Pos;
    public int* NSeqId;
    public int** SeqId;
    public sbyte* Logits;
}

[StructLayout(LayoutKind.Sequential)]
internal unsafe struct LlamaChatMessageNative
{
    public byte* Role;
    public byte* Content;
}

[StructLayout(LayoutKind.Sequential)]
internal struct LlamaSamplerChainParams
{
    public byte NoPerf;
}

[StructLayout(LayoutKind.Sequential)]
internal struct LlamaPerfContextData
{
    public double TStartMs;
    public double TLoadMs;
    public double TPEvalMs;
    public double TEvalMs;
    public int NPEval;
    public int NEval;
    public int NReused;
}
