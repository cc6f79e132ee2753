using System.Buffers.Binary;
using System.Text.RegularExpressions;
using LocalQa.Core.Gguf;
using LocalQa.Testing;
using Xunit;

namespace LocalQa.Llama.Tests.Gguf;

/// <summary>
/// Deterministic mutations of real GGUF files through the reader: whatever the bytes, the only
/// exception that may escape is GgufFormatException (no overflow, index, end-of-stream or
/// out-of-memory errors), and a file that parses can be summarized.
/// </summary>
public sealed class GgufReaderFuzzTests : IDisposable
{
    private const int Mutations = 10_000;

    private readonly TempFolder _folder = new();

    public void Dispose() => _folder.Dispose();

    [Fact]
    public void Mutated_generated_model_only_ever_raises_GgufFormatException()
    {
        var path = _folder.File("fuzz.gguf");
        SyntheticModel.WriteTiny(path, new TinyModelOptions { TensorType = GgufTensorType.Q4_0 });
        var stats = Fuzz(File.ReadAllBytes(path), seed: 11);
        AssertReachedDeepChecks(stats);
    }

    [Fact]
    public void Mutated_real_model_only_ever_raises_GgufFormatException()
    {
        var path = TestPaths.SharedModel("stories260K.gguf");
        if (path is null)
        {
            Assert.Skip("Shared test model absent: ../shared/models/stories260K.gguf");
        }
        var stats = Fuzz(File.ReadAllBytes(path), seed: 12);
        AssertReachedDeepChecks(stats);
    }

    // The mutations must get past the magic and the counts: many distinct problems are reported.
    private static void AssertReachedDeepChecks((int Parsed, int Rejected, HashSet<string> Problems) stats)
    {
        var summary = $"parsed {stats.Parsed}, rejected {stats.Rejected}:\n{string.Join("\n", stats.Problems.Order())}";
        Assert.True(stats.Parsed > 0 && stats.Rejected > Mutations / 2, summary);
        Assert.True(stats.Problems.Count >= 15, summary);
    }

    private static (int Parsed, int Rejected, HashSet<string> Problems) Fuzz(byte[] original, int seed)
    {
        var problems = new HashSet<string>(StringComparer.Ordinal);
        var header = (int)GgufReader.Read(new MemoryStream(original), "original").DataOffset;
        var fields = FieldPositions(original, header);
        var random = new Random(seed);
        var buffer = (byte[])original.Clone();
        int parsed = 0, rejected = 0;

        for (var i = 0; i < Mutations; i++)
        {
            var undo = new List<(int At, byte Was)>();
            void Set(int at, byte value)
            {
                undo.Add((at, buffer[at]));
                buffer[at] = value;
            }

            var length = buffer.Length;
            var kind = random.Next(6);
            switch (kind)
            {
                case 0: // flip bits in the header
                    for (var n = random.Next(1, 4); n > 0; n--)
                    {
                        var at = random.Next(header);
                        Set(at, (byte)(buffer[at] ^ (1 << random.Next(8))));
                    }
                    break;
                case 1: // overwrite header bytes
                    for (var n = random.Next(1, 8); n > 0; n--)
                    {
                        Set(random.Next(header), (byte)random.Next(256));
                    }
                    break;
                case 2: // truncate anywhere, mostly inside the header
                    length = random.Next(2) == 0 ? random.Next(header) : random.Next(buffer.Length);
                    break;
                case 3: // set a count or length field to an extreme
                case 4:
                    {
                        var at = fields[random.Next(fields.Count)];
                        ulong[] extremes = [0, 1, 0xFF, 0xFFFF_FFFF, 0x8000_0000_0000_0000, ulong.MaxValue, 1UL << 62, 1UL << 31, (ulong)random.NextInt64()];
                        var value = new byte[8];
                        BinaryPrimitives.WriteUInt64LittleEndian(value, extremes[random.Next(extremes.Length)]);
                        var width = random.Next(2) == 0 ? 8 : 4;
                        for (var b = 0; b < width && at + b < buffer.Length; b++)
                        {
                            Set(at + b, value[b]);
                        }
                    }
                    break;
                default: // a small change in the data section and a truncation near its end
                    Set(header + random.Next(buffer.Length - header), (byte)random.Next(256));
                    length = buffer.Length - random.Next(64);
                    break;
            }

            try
            {
                var file = GgufReader.Read(new MemoryStream(buffer, 0, length, writable: false), $"mutation {i}");
                _ = file.Describe().ToJsonString();
                _ = file.FileType;
                _ = file.PoolingType;
                _ = file.HeadCount;
                parsed++;
            }
            catch (GgufFormatException e)
            {
                Assert.Contains($"'mutation {i}'", e.Message, StringComparison.Ordinal);
                rejected++;
                problems.Add(Regex.Replace(e.Message, @"'[^']*'(\.\.\.)?|\d+", "_"));
                Assert.True(e.Message.Length < 600, e.Message);
            }
            catch (Exception e)
            {
                Assert.Fail($"Mutation {i} (kind {kind}, length {length}) raised {e.GetType().Name}: {e.Message}");
            }

            for (var u = undo.Count - 1; u >= 0; u--)
            {
                buffer[undo[u].At] = undo[u].Was;
            }
        }
        return (parsed, rejected, problems);
    }

    // Positions of the fields worth setting to extremes: the two counts, and every string
    // length, type tag and array length of the metadata, found by walking the valid header.
    private static List<int> FieldPositions(byte[] bytes, int headerEnd)
    {
        var positions = new List<int> { 8, 16 };
        var kvCount = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(16));
        var p = 24;
        for (var i = 0; i < kvCount; i++)
        {
            positions.Add(p);
            p += 8 + (int)BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(p));
            positions.Add(p);
            var type = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(p));
            p += 4;
            p = SkipValue(bytes, p, type, positions);
        }
        for (; p < headerEnd - 8; p += 8)
        {
            positions.Add(p); // tensor infos: names, dims, types and offsets all sit on these
        }
        return positions;
    }

    private static int SkipValue(byte[] bytes, int p, int type, List<int> positions)
    {
        switch (type)
        {
            case 8:
                positions.Add(p);
                return p + 8 + (int)BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(p));
            case 9:
                var elementType = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan(p));
                positions.Add(p);
                positions.Add(p + 4);
                var count = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(p + 4));
                p += 12;
                for (var i = 0; i < count; i++)
                {
                    p = SkipValue(bytes, p, elementType, i < 4 ? positions : []);
                }
                return p;
            case 0 or 1 or 7:
                return p + 1;
            case 2 or 3:
                return p + 2;
            case 4 or 5 or 6:
                return p + 4;
            default:
                return p + 8;
        }
    }
}
