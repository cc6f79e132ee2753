using System.Buffers.Binary;
using LocalQa.Core.Gguf;
using LocalQa.Testing;

namespace LocalQa.Llama.Tests.Reliability;

internal sealed partial class GgufMutator
{
    private static string MutateBytes(byte[] bytes, Random random)
    {
        var file = GgufReader.Read(new MemoryStream(bytes, writable: false), "mutant");
        var layout = TensorInfoLayout(bytes, file);
        switch (random.Next(4))
        {
            case 0 when file.Tensors.Count > 1:
                {
                    // Same-sized tensors whose offsets trade places: the reader sees no overlap.
                    var groups = file.Tensors.Select((t, i) => (t, i)).GroupBy(x => x.t.ByteSize).Where(g => g.Count() > 1).ToList();
                    if (groups.Count == 0)
                    {
                        return "no two tensors of one size";
                    }
                    var group = groups[random.Next(groups.Count)].ToList();
                    var a = group[random.Next(group.Count)].i;
                    var b = group[random.Next(group.Count)].i;
                    var oa = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(layout[a]));
                    var ob = BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan(layout[b]));
                    BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(layout[a]), ob);
                    BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(layout[b]), oa);
                    return $"swapped data offsets of {file.Tensors[a].Name} and {file.Tensors[b].Name}";
                }
            case 1:
                {
                    // Point a tensor at the data of another one of the same size, or at a free aligned spot.
                    var i = random.Next(file.Tensors.Count);
                    var target = file.Tensors[random.Next(file.Tensors.Count)].Offset;
                    BinaryPrimitives.WriteUInt64LittleEndian(bytes.AsSpan(layout[i]), (ulong)target);
                    return $"offset of {file.Tensors[i].Name} set to {target}";
                }
            default:
                {
                    var flips = 1 + random.Next(3);
                    var at = new List<int>();
                    for (var n = 0; n < flips; n++)
                    {
                        var p = random.Next((int)file.DataOffset);
                        bytes[p] ^= (byte)(1 << random.Next(8));
                        at.Add(p);
                    }
                    return $"flipped bits at {string.Join(",", at)}";
                }
        }
    }

    // Position of each tensor's data offset field, found by walking the tensor infos backwards from
    // the known names: an info is name length, name, n_dims, dims, type, offset.
    private static int[] TensorInfoLayout(byte[] bytes, GgufFile file)
    {
        var positions = new int[file.Tensors.Count];
        var p = MetadataEnd(bytes);
        for (var i = 0; i < file.Tensors.Count; i++)
        {
            var nameLength = (long)BinaryPrimitives.ReadUInt64LittleEndian(bytes.AsSpan((int)p));
            p += 8 + nameLength;
            var dims = BinaryPrimitives.ReadUInt32LittleEndian(bytes.AsSpan((int)p));
            p += 4 + (8 * dims) + 4;
            positions[i] = (int)p;
            p += 8;
        }
        return positions;
    }

    private static long MetadataEnd(byte[] bytes)
    {
        var kvCount = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan(16));
        long p = 24;
        for (var i = 0; i < kvCount; i++)
        {
            p += 8 + BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan((int)p));
            var type = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan((int)p));
            p = SkipValue(bytes, p + 4, type);
        }
        return p;
    }

    private static long SkipValue(byte[] bytes, long p, int type)
    {
        switch (type)
        {
            case 8:
                return p + 8 + BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan((int)p));
            case 9:
                var elementType = BinaryPrimitives.ReadInt32LittleEndian(bytes.AsSpan((int)p));
                var count = BinaryPrimitives.ReadInt64LittleEndian(bytes.AsSpan((int)p + 4));
                p += 12;
                for (long i = 0; i < count; i++)
                {
                    p = SkipValue(bytes, p, elementType);
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
