namespace LocalQa.Core.Gguf;

/// <summary>
/// The element type of a tensor: ggml.h <c>enum ggml_type</c>. Values missing from the sequence
/// (4, 5, 31-33, 36-38) were removed from ggml and are rejected in files.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1707:Identifiers should not contain underscores",
    Justification = "The names are ggml's own (Q4_0, Q8_0, IQ2_XXS) so they read the same as in llama.cpp's logs.")]
public enum GgufTensorType
{
    F32 = 0,
    F16 = 1,
    Q4_0 = 2,
    Q4_1 = 3,
    Q5_0 = 6,
    Q5_1 = 7,
    Q8_0 = 8,
    Q8_1 = 9,
    Q2_K = 10,
    Q3_K = 11,
    Q4_K = 12,
    Q5_K = 13,
    Q6_K = 14,
    Q8_K = 15,
    IQ2_XXS = 16,
    IQ2_XS = 17,
    IQ3_XXS = 18,
    IQ1_S = 19,
    IQ4_NL = 20,
    IQ3_S = 21,
    IQ2_S = 22,
    IQ4_XS = 23,
    I8 = 24,
    I16 = 25,
    I32 = 26,
    I64 = 27,
    F64 = 28,
    IQ1_M = 29,
    BF16 = 30,
    TQ1_0 = 34,
    TQ2_0 = 35,
    MXFP4 = 39,
    NVFP4 = 40,
    Q1_0 = 41,
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
