namespace LocalQa.Core.Gguf;

/// <summary>
/// The element type of a tensor: ggml.h <c>enum ggml_type</c>. Values missing from the sequence
/// (4, 5, 31-33, 36-38) were removed from ggml and are rejected in files.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores",
    Justification = "The names are ggml's own (Q4_0, Q8_0, IQ2_XXS) so they read the same as in llama.cpp's logs.")]
public enum GgufTensorType
{
    /// <summary>32-bit IEEE floats.</summary>
    F32 = 0,
    /// <summary>16-bit IEEE half floats.</summary>
    F16 = 1,
    /// <summary>4-bit weights in blocks of 32 with one F16 scale (ggml Q4_0, 4.5 bits a weight).</summary>
    Q4_0 = 2,
    /// <summary>4-bit weights in blocks of 32 with an F16 scale and an F16 minimum (ggml Q4_1, 5 bits a weight).</summary>
    Q4_1 = 3,
    /// <summary>5-bit weights in blocks of 32 with one F16 scale (ggml Q5_0, 5.5 bits a weight).</summary>
    Q5_0 = 6,
    /// <summary>5-bit weights in blocks of 32 with an F16 scale and an F16 minimum (ggml Q5_1, 6 bits a weight).</summary>
    Q5_1 = 7,
    /// <summary>8-bit weights in blocks of 32 with one F16 scale (ggml Q8_0, 8.5 bits a weight).</summary>
    Q8_0 = 8,
    /// <summary>8-bit values in blocks of 32 with an F16 scale and an F16 of the scaled sum (ggml Q8_1); llama.cpp quantizes activations to it, files rarely hold it.</summary>
    Q8_1 = 9,
    /// <summary>2-bit weights in super-blocks of 256, with a 4-bit scale and minimum for each 16 (ggml Q2_K, 2.625 bits a weight).</summary>
    Q2_K = 10,
    /// <summary>3-bit weights in super-blocks of 256, with a 6-bit scale for each 16 (ggml Q3_K, 3.4375 bits a weight).</summary>
    Q3_K = 11,
    /// <summary>4-bit weights in super-blocks of 256, with a 6-bit scale and minimum for each 32 (ggml Q4_K, 4.5 bits a weight).</summary>
    Q4_K = 12,
    /// <summary>5-bit weights in super-blocks of 256, with a 6-bit scale and minimum for each 32 (ggml Q5_K, 5.5 bits a weight).</summary>
    Q5_K = 13,
    /// <summary>6-bit weights in super-blocks of 256, with an 8-bit scale for each 16 (ggml Q6_K, 6.5625 bits a weight).</summary>
    Q6_K = 14,
    /// <summary>8-bit values in blocks of 256 with an F32 scale and sums of each 16 (ggml Q8_K); llama.cpp quantizes activations to it for K-quant products, not weights.</summary>
    Q8_K = 15,
    /// <summary>Codebook (i-quant) weights in super-blocks of 256, 2.0625 bits a weight (ggml IQ2_XXS).</summary>
    IQ2_XXS = 16,
    /// <summary>Codebook (i-quant) weights in super-blocks of 256, 2.3125 bits a weight (ggml IQ2_XS).</summary>
    IQ2_XS = 17,
    /// <summary>Codebook (i-quant) weights in super-blocks of 256, 3.0625 bits a weight (ggml IQ3_XXS).</summary>
    IQ3_XXS = 18,
    /// <summary>Codebook (i-quant) weights in super-blocks of 256, 1.5625 bits a weight (ggml IQ1_S).</summary>
    IQ1_S = 19,
    /// <summary>4-bit indices into a fixed non-linear table of 16 values, in blocks of 32 with one F16 scale (ggml IQ4_NL, 4.5 bits a weight).</summary>
    IQ4_NL = 20,
    /// <summary>Codebook (i-quant) weights in super-blocks of 256, 3.4375 bits a weight (ggml IQ3_S).</summary>
    IQ3_S = 21,
    /// <summary>Codebook (i-quant) weights in super-blocks of 256, 2.5625 bits a weight (ggml IQ2_S).</summary>
    IQ2_S = 22,
    /// <summary>IQ4_NL's non-linear 4-bit values in super-blocks of 256, with a 6-bit scale for each 32 (ggml IQ4_XS, 4.25 bits a weight).</summary>
    IQ4_XS = 23,
    /// <summary>8-bit signed integers.</summary>
    I8 = 24,
    /// <summary>16-bit signed integers.</summary>
    I16 = 25,
    /// <summary>32-bit signed integers.</summary>
    I32 = 26,
    /// <summary>64-bit signed integers.</summary>
    I64 = 27,
    /// <summary>64-bit IEEE floats.</summary>
    F64 = 28,
    /// <summary>Codebook (i-quant) weights in super-blocks of 256, 1.75 bits a weight (ggml IQ1_M).</summary>
    IQ1_M = 29,
    /// <summary>bfloat16: 16-bit floats with F32's 8-bit exponent and a 7-bit mantissa.</summary>
    BF16 = 30,
    /// <summary>Ternary weights (-1, 0, +1) packed in base 3 in blocks of 256 with one F16 scale (ggml TQ1_0, 1.6875 bits a weight).</summary>
    TQ1_0 = 34,
    /// <summary>Ternary weights (-1, 0, +1) at 2 bits each in blocks of 256 with one F16 scale (ggml TQ2_0, 2.0625 bits a weight).</summary>
    TQ2_0 = 35,
    /// <summary>4-bit floats (E2M1) in blocks of 32 with one shared power-of-two (E8M0) scale (OCP MXFP4, 4.25 bits a weight).</summary>
    MXFP4 = 39,
    /// <summary>4-bit floats (E2M1) in blocks of 64 with an FP8 (UE4M3) scale for each 16 (NVIDIA NVFP4, 4.5 bits a weight).</summary>
    NVFP4 = 40,
    /// <summary>1-bit weights (plus or minus the scale) in blocks of 128 with one F16 scale (ggml Q1_0, 1.125 bits a weight).</summary>
    Q1_0 = 41,
    /// <summary>2-bit codes in blocks of 64 with one F16 scale, used for ternary (-1, 0, +1) weights (ggml Q2_0, 2.25 bits a weight).</summary>
    Q2_0 = 42,
}

/// <summary>Block geometry of each tensor type (ggml's type traits).</summary>
public static class GgufTensorTypes
{
    private const int QK_K = 256;

    // Indexed by the ggml_type value; (0, 0) marks a value that is not a type.
    private static readonly (int BlockSize, int TypeSize)[] Traits = BuildTraits();

    /// <summary>Whether <paramref name="type"/> is a tensor type that llama.cpp can read.</summary>
    public static bool IsKnown(GgufTensorType type) =>
        (uint)type < (uint)Traits.Length && Traits[(int)type].BlockSize != 0;

    /// <summary>Number of values stored together in one block (1 for plain types, 32 for Q8_0 and Q4_0).</summary>
    public static int BlockSize(GgufTensorType type) => Get(type).BlockSize;

    /// <summary>Bytes taken by one block (4 for F32, 34 for Q8_0, 18 for Q4_0).</summary>
    public static int BlockBytes(GgufTensorType type) => Get(type).TypeSize;

    /// <summary>
    /// Bytes taken by <paramref name="elementCount"/> values; the count must be a whole number of blocks.
    /// </summary>
    public static long ByteSize(GgufTensorType type, long elementCount)
    {
        var (block, size) = Get(type);
        ArgumentOutOfRangeException.ThrowIfNegative(elementCount);
        if (elementCount % block != 0)
        {
            throw new ArgumentException($"{elementCount} values are not a whole number of {type} blocks of {block}.", nameof(elementCount));
        }
        return checked(elementCount / block * size);
    }

    private static (int BlockSize, int TypeSize) Get(GgufTensorType type) =>
        IsKnown(type) ? Traits[(int)type] : throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown ggml tensor type.");

    private static (int, int)[] BuildTraits()
    {
        var t = new (int, int)[43];
        t[(int)GgufTensorType.F32] = (1, 4);
        t[(int)GgufTensorType.F16] = (1, 2);
        t[(int)GgufTensorType.Q4_0] = (32, 2 + 16);
        t[(int)GgufTensorType.Q4_1] = (32, 2 + 2 + 16);
        t[(int)GgufTensorType.Q5_0] = (32, 2 + 4 + 16);
        t[(int)GgufTensorType.Q5_1] = (32, 2 + 2 + 4 + 16);
        t[(int)GgufTensorType.Q8_0] = (32, 2 + 32);
        t[(int)GgufTensorType.Q8_1] = (32, 2 + 2 + 32);
        t[(int)GgufTensorType.Q2_K] = (QK_K, 2 + 2 + (QK_K / 16) + (QK_K / 4));
        t[(int)GgufTensorType.Q3_K] = (QK_K, 2 + (QK_K / 4) + (QK_K / 8) + 12);
        t[(int)GgufTensorType.Q4_K] = (QK_K, 2 + 2 + (QK_K / 2) + 12);
        t[(int)GgufTensorType.Q5_K] = (QK_K, 2 + 2 + (QK_K / 2) + (QK_K / 8) + 12);
        t[(int)GgufTensorType.Q6_K] = (QK_K, 2 + (QK_K / 2) + (QK_K / 4) + (QK_K / 16));
        t[(int)GgufTensorType.Q8_K] = (QK_K, 4 + QK_K + (QK_K / 8));
        t[(int)GgufTensorType.IQ2_XXS] = (QK_K, 2 + (QK_K / 4));
        t[(int)GgufTensorType.IQ2_XS] = (QK_K, 2 + (QK_K / 4) + (QK_K / 32));
        t[(int)GgufTensorType.IQ3_XXS] = (QK_K, 2 + (QK_K / 4) + (QK_K / 8));
        t[(int)GgufTensorType.IQ1_S] = (QK_K, 2 + (QK_K / 8) + (QK_K / 16));
        t[(int)GgufTensorType.IQ4_NL] = (32, 2 + 16);
        t[(int)GgufTensorType.IQ3_S] = (QK_K, 2 + (QK_K / 4) + (QK_K / 8) + (QK_K / 32) + 4);
        t[(int)GgufTensorType.IQ2_S] = (QK_K, 2 + (QK_K / 4) + (QK_K / 16));
        t[(int)GgufTensorType.IQ4_XS] = (QK_K, 2 + 2 + (QK_K / 2) + (QK_K / 64));
        t[(int)GgufTensorType.I8] = (1, 1);
        t[(int)GgufTensorType.I16] = (1, 2);
        t[(int)GgufTensorType.I32] = (1, 4);
        t[(int)GgufTensorType.I64] = (1, 8);
        t[(int)GgufTensorType.F64] = (1, 8);
        t[(int)GgufTensorType.IQ1_M] = (QK_K, (QK_K / 8) + (QK_K / 16) + (QK_K / 32));
        t[(int)GgufTensorType.BF16] = (1, 2);
        t[(int)GgufTensorType.TQ1_0] = (QK_K, 2 + (4 * 13));
        t[(int)GgufTensorType.TQ2_0] = (QK_K, 2 + 64);
        t[(int)GgufTensorType.MXFP4] = (32, 1 + 16);
        t[(int)GgufTensorType.NVFP4] = (64, 4 + 32);
        t[(int)GgufTensorType.Q1_0] = (128, 2 + 16);
        t[(int)GgufTensorType.Q2_0] = (64, 2 + 16);
        return t;
    }
}
