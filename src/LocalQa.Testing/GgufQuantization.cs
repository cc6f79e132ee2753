using System.Buffers.Binary;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using LocalQa.Core.Gguf;

namespace LocalQa.Testing;

/// <summary>
/// Encodes float values into the tensor types the writer supports (F32, F16, Q8_0, Q4_0) and back.
/// Q8_0 and Q4_0 follow ggml's reference quantizers (quantize_row_q8_0_ref, quantize_row_q4_0_ref
/// in ggml-quants.c) bit for bit, so files match what llama-quantize writes without an importance
/// matrix.
/// </summary>
public static class GgufQuantization
{
    private const int BlockValues = 32; // QK8_0 == QK4_0

    /// <summary>Whether <see cref="Encode"/> can produce <paramref name="type"/>.</summary>
    public static bool CanEncode(GgufTensorType type) =>
        type is GgufTensorType.F32 or GgufTensorType.F16 or GgufTensorType.Q8_0 or GgufTensorType.Q4_0;

    /// <summary>
    /// Encodes <paramref name="values"/> (a whole number of blocks) as <paramref name="type"/> into
    /// <paramref name="destination"/>, which must hold exactly <see cref="GgufTensorTypes.ByteSize"/> bytes.
    /// </summary>
    public static void Encode(GgufTensorType type, ReadOnlySpan<float> values, Span<byte> destination)
    {
        CheckSizes(type, values.Length, destination.Length);
        switch (type)
        {
            case GgufTensorType.F32:
                MemoryMarshal.AsBytes(values).CopyTo(destination);
                break;
            case GgufTensorType.F16:
                TensorPrimitives.ConvertToHalf(values, MemoryMarshal.Cast<byte, Half>(destination));
                break;
            case GgufTensorType.Q8_0:
                for (int i = 0, o = 0; i < values.Length; i += BlockValues, o += 34)
                {
                    QuantizeBlockQ8_0(values.Slice(i, BlockValues), destination.Slice(o, 34));
                }
                break;
            case GgufTensorType.Q4_0:
                for (int i = 0, o = 0; i < values.Length; i += BlockValues, o += 18)
                {
                    QuantizeBlockQ4_0(values.Slice(i, BlockValues), destination.Slice(o, 18));
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "Only F32, F16, Q8_0 and Q4_0 can be encoded.");
        }
    }

    /// <summary>Decodes data of <paramref name="type"/> (F32, F16, Q8_0 or Q4_0) back to floats.</summary>
    public static void Decode(GgufTensorType type, ReadOnlySpan<byte> source, Span<float> destination)
    {
        CheckSizes(type, destination.Length, source.Length);
        switch (type)
        {
            case GgufTensorType.F32:
                source.CopyTo(MemoryMarshal.AsBytes(destination));
                break;
            case GgufTensorType.F16:
                TensorPrimitives.ConvertToSingle(MemoryMarshal.Cast<byte, Half>(source), destination);
                break;
            case GgufTensorType.Q8_0:
                for (int i = 0, o = 0; i < destination.Length; i += BlockValues, o += 34)
                {
                    var d = (float)BinaryPrimitives.ReadHalfLittleEndian(source.Slice(o, 2));
                    for (var j = 0; j < BlockValues; j++)
                    {
                        destination[i + j] = (sbyte)source[o + 2 + j] * d;
                    }
                }
                break;
            case GgufTensorType.Q4_0:
                for (int i = 0, o = 0; i < destination.Length; i += BlockValues, o += 18)
                {
                    var d = (float)BinaryPrimitives.ReadHalfLittleEndian(source.Slice(o, 2));
                    for (var j = 0; j < BlockValues / 2; j++)
                    {
                        var q = source[o + 2 + j];
                        destination[i + j] = ((q & 0x0F) - 8) * d;
                        destination[i + j + (BlockValues / 2)] = ((q >> 4) - 8) * d;
                    }
                }
                break;
            default:
                throw new ArgumentOutOfRangeException(nameof(type), type, "Only F32, F16, Q8_0 and Q4_0 can be decoded.");
        }
    }

    // Block layout (block_q8_0): fp16 scale d, then 32 signed bytes; value = q * d.
    private static void QuantizeBlockQ8_0(ReadOnlySpan<float> x, Span<byte> y)
    {
        var amax = 0.0f;
        for (var j = 0; j < BlockValues; j++)
        {
            amax = MathF.Max(amax, MathF.Abs(x[j]));
        }
        var d = amax / 127;
        var id = d != 0 ? 1.0f / d : 0.0f;
        BinaryPrimitives.WriteHalfLittleEndian(y, (Half)d);
        for (var j = 0; j < BlockValues; j++)
        {
            y[2 + j] = (byte)(sbyte)MathF.Round(x[j] * id, MidpointRounding.AwayFromZero);
        }
    }

    // Block layout (block_q4_0): fp16 scale d, then 16 bytes; byte j holds value j in its low
    // nibble and value j + 16 in its high nibble, each stored as q + 8; value = (q - 8) * d.
    // The scale maps the value of largest magnitude (keeping its sign, the first one on ties) to -8.
    private static void QuantizeBlockQ4_0(ReadOnlySpan<float> x, Span<byte> y)
    {
        var amax = 0.0f;
        var max = 0.0f;
        for (var j = 0; j < BlockValues; j++)
        {
            var v = x[j];
            if (amax < MathF.Abs(v))
            {
                amax = MathF.Abs(v);
                max = v;
            }
        }
        var d = max / -8;
        var id = d != 0 ? 1.0f / d : 0.0f;
        BinaryPrimitives.WriteHalfLittleEndian(y, (Half)d);
        for (var j = 0; j < BlockValues / 2; j++)
        {
            var x0 = x[j] * id;
            var x1 = x[(BlockValues / 2) + j] * id;
            var q0 = Math.Min(15, (int)(sbyte)(x0 + 8.5f));
            var q1 = Math.Min(15, (int)(sbyte)(x1 + 8.5f));
            y[2 + j] = (byte)(q0 | (q1 << 4));
        }
    }

    private static void CheckSizes(GgufTensorType type, int valueCount, int byteCount)
    {
        if (!CanEncode(type))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Only F32, F16, Q8_0 and Q4_0 are supported.");
        }
        var expected = GgufTensorTypes.ByteSize(type, valueCount);
        if (byteCount != expected)
        {
            throw new ArgumentException($"{valueCount} values of {type} take {expected} bytes, not {byteCount}.");
        }
    }
}
