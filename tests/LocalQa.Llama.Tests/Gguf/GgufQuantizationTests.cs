using LocalQa.Core.Gguf;
using LocalQa.Testing;
using Xunit;

namespace LocalQa.Llama.Tests.Gguf;

public sealed class GgufQuantizationTests
{
    // Four blocks: a ramp whose extremes tie in magnitude (-1.55 first), exact .5 ties for Q8_0
    // rounding, zeros, and a ramp whose largest value is positive (a negative Q4_0 scale).
    private static float[] GoldenInput()
    {
        var x = new float[128];
        for (var j = 0; j < 32; j++)
        {
            x[j] = (j - 15.5f) * 0.1f;
            x[32 + j] = j == 0 ? 127f : j - 16 + 0.5f;
            x[96 + j] = j * 0.01f;
        }
        return x;
    }

    // Produced by ggml's quantize_row_q8_0_ref / quantize_row_q4_0_ref (libggml-base of the pinned
    // llama.cpp release) from GoldenInput.
    private static readonly string[] GoldenQ8_0 =
    [
        "40228189919AA2AAB2BAC3CBD3DBE3ECF4FC040C141D252D353D464E565E666F777F",
        "003C7FF1F2F3F4F5F6F7F8F9FAFBFCFDFEFF0102030405060708090A0B0C0D0E0F10",
        "00000000000000000000000000000000000000000000000000000000000000000000",
        "00190004080C1014191D2125292D3135393D42464A4E52565A5E62666B6F73777B7F",
    ];

    private static readonly string[] GoldenQ4_0 =
    [
        "3332809191A2A2B3B3C4C4D5D5E6E6F7F7F8",
        "F0CB80898989898989897878787878787878",
        "008088888888888888888888888888888888",
        "F6A848483737373726262626151515150404",
    ];

    [Fact]
    public void Block_sizes_are_ggmls()
    {
        Assert.Equal(34, GgufTensorTypes.BlockBytes(GgufTensorType.Q8_0));
        Assert.Equal(18, GgufTensorTypes.BlockBytes(GgufTensorType.Q4_0));
        Assert.Equal(32, GgufTensorTypes.BlockSize(GgufTensorType.Q8_0));
        Assert.Equal(32, GgufTensorTypes.BlockSize(GgufTensorType.Q4_0));
        Assert.Equal(34 * 10, GgufTensorTypes.ByteSize(GgufTensorType.Q8_0, 320));
        Assert.Equal(18 * 10, GgufTensorTypes.ByteSize(GgufTensorType.Q4_0, 320));
        Assert.Equal(210, GgufTensorTypes.BlockBytes(GgufTensorType.Q6_K));
        Assert.Equal(144, GgufTensorTypes.BlockBytes(GgufTensorType.Q4_K));
        Assert.False(GgufTensorTypes.IsKnown((GgufTensorType)4));
        Assert.Throws<ArgumentException>(() => GgufTensorTypes.ByteSize(GgufTensorType.Q4_0, 33));
    }

    [Theory]
    [InlineData(GgufTensorType.Q8_0)]
    [InlineData(GgufTensorType.Q4_0)]
    public void Quantized_bytes_match_ggml_exactly(GgufTensorType type)
    {
        var x = GoldenInput();
        var bytes = new byte[GgufTensorTypes.ByteSize(type, x.Length)];
        GgufQuantization.Encode(type, x, bytes);
        var blockBytes = GgufTensorTypes.BlockBytes(type);
        var golden = type == GgufTensorType.Q8_0 ? GoldenQ8_0 : GoldenQ4_0;
        for (var b = 0; b < golden.Length; b++)
        {
            Assert.Equal(golden[b], Convert.ToHexString(bytes, b * blockBytes, blockBytes));
        }
    }

    [Fact]
    public void Q8_0_block_layout_is_scale_then_signed_bytes()
    {
        var x = Enumerable.Range(0, 32).Select(i => (float)(i - 16)).ToArray(); // -16..15, amax 16
        var bytes = new byte[34];
        GgufQuantization.Encode(GgufTensorType.Q8_0, x, bytes);
        var d = (float)BitConverter.ToHalf(bytes, 0);
        Assert.Equal((float)(Half)(16f / 127), d);
        Assert.Equal(-127, (sbyte)bytes[2]);
        Assert.Equal(0, (sbyte)bytes[2 + 16]);
        Assert.Equal((sbyte)MathF.Round(15 * 127 / 16f, MidpointRounding.AwayFromZero), (sbyte)bytes[33]);
    }

    [Fact]
    public void Q4_0_block_layout_packs_value_j_and_j_plus_16_into_byte_j()
    {
        var x = new float[32];
        x[0] = -8; // largest magnitude: d = -8 / -8 = 1
        x[1] = 7;
        x[16] = 3;
        x[17] = -1;
        var bytes = new byte[18];
        GgufQuantization.Encode(GgufTensorType.Q4_0, x, bytes);
        Assert.Equal(1f, (float)BitConverter.ToHalf(bytes, 0));
        Assert.Equal(0x00 | ((3 + 8) << 4), bytes[2]);     // -8 -> 0 low, 3 -> 11 high
        Assert.Equal((7 + 8) | ((-1 + 8) << 4), bytes[3]); // 7 -> 15 low, -1 -> 7 high
        Assert.Equal(0x88, bytes[4]);                      // zeros -> 8 both
    }

    [Theory]
    [InlineData(GgufTensorType.Q8_0, 1.0 / 127 / 2 * 1.01)] // half a step of amax/127
    [InlineData(GgufTensorType.Q4_0, 1.0 / 8 * 1.01)]       // a full step: the extreme opposite the scale's sign clamps from 8 to 7
    public void Dequantized_values_are_within_the_expected_error(GgufTensorType type, double relativeError)
    {
        var random = new Random(3);
        var x = new float[32 * 500];
        for (var i = 0; i < x.Length; i++)
        {
            x[i] = (float)((random.NextDouble() * 2) - 1) * (1 + (i / 32 % 10));
        }
        var bytes = new byte[GgufTensorTypes.ByteSize(type, x.Length)];
        GgufQuantization.Encode(type, x, bytes);
        var y = new float[x.Length];
        GgufQuantization.Decode(type, bytes, y);
        for (var b = 0; b < x.Length / 32; b++)
        {
            var block = x.AsSpan(b * 32, 32);
            var amax = 0f;
            foreach (var v in block)
            {
                amax = Math.Max(amax, Math.Abs(v));
            }
            // Plus the fp16 rounding of the scale.
            var bound = (amax * relativeError) + (amax * 2e-3);
            for (var j = 0; j < 32; j++)
            {
                var error = Math.Abs(x[(b * 32) + j] - y[(b * 32) + j]);
                Assert.True(error <= bound, $"{type} block {b} value {j}: error {error} > {bound}");
            }
        }
    }

    [Fact]
    public void F16_round_trips_through_half()
    {
        float[] x = [0, 1, -2.5f, 65504, 1e-3f, float.PositiveInfinity];
        var bytes = new byte[x.Length * 2];
        GgufQuantization.Encode(GgufTensorType.F16, x, bytes);
        Assert.Equal("003C", Convert.ToHexString(bytes, 2, 2)); // 1.0 in IEEE half, little-endian
        var y = new float[x.Length];
        GgufQuantization.Decode(GgufTensorType.F16, bytes, y);
        for (var i = 0; i < x.Length; i++)
        {
            Assert.Equal((float)(Half)x[i], y[i]);
        }
    }

    [Fact]
    public void Encode_checks_sizes_and_types()
    {
        Assert.Throws<ArgumentException>(() => GgufQuantization.Encode(GgufTensorType.Q8_0, new float[32], new byte[33]));
        Assert.Throws<ArgumentOutOfRangeException>(() => GgufQuantization.Encode(GgufTensorType.Q4_K, new float[256], new byte[144]));
        Assert.False(GgufQuantization.CanEncode(GgufTensorType.BF16));
    }
}
