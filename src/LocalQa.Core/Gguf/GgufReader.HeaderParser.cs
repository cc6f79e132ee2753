using System.Buffers.Binary;
using System.Globalization;
using System.Text;

namespace LocalQa.Core.Gguf;

public static partial class GgufReader
{
    private sealed class HeaderParser(BoundedReader r)
    {
        private string Name => r.Name;

        public GgufFile Parse()
        {
            if (r.Length < 4)
            {
                throw Fail(string.Create(CultureInfo.InvariantCulture, $"it is only {r.Length} bytes long, too short for the GGUF magic; it is truncated"), 0);
            }
            var magic = r.ReadUInt32(new("the magic"));
            if (magic != Magic)
            {
                throw Fail($"it starts with {DescribeMagic(magic)} instead of the magic \"GGUF\"", 0);
            }

            var version = r.ReadUInt32(new("the version"));
            if (version is not (2 or 3))
            {
                throw Fail(version switch
                {
                    1 => "GGUF version 1 is no longer supported by llama.cpp",
                    _ when version > 0xFFFF && (version & 0xFFFF) == 0 => string.Create(CultureInfo.InvariantCulture,
                        $"version {version} looks byte-swapped: big-endian GGUF files are not supported"),
                    _ => string.Create(CultureInfo.InvariantCulture, $"unsupported GGUF version {version} (2 and 3 are supported)"),
                }, 4);
            }

            var tensorCount = r.ReadUInt64(new("the tensor count"));
            var kvCount = r.ReadUInt64(new("the metadata count"));
            // Bounding the counts by the bytes that remain also keeps them far below int.MaxValue.
            var remaining = (ulong)Math.Min(r.Remaining, MaxHeaderBytes - r.Position);
            if (tensorCount > remaining / MinTensorInfoBytes)
            {
                throw Fail(string.Create(CultureInfo.InvariantCulture,
                    $"the header claims {tensorCount} tensors, impossible in a file of {r.Length} bytes; it is truncated or corrupt"), 8);
            }
            if (kvCount > remaining / MinKvBytes
                || (kvCount * MinKvBytes) + (tensorCount * MinTensorInfoBytes) > remaining)
            {
                throw Fail(string.Create(CultureInfo.InvariantCulture,
                    $"the header claims {kvCount} metadata entries and {tensorCount} tensors, impossible in a file of {r.Length} bytes; it is truncated or corrupt"), 16);
            }

            var metadata = ReadMetadata((int)kvCount);
            var alignment = ReadAlignment(metadata);
            var (tensors, dataOffset) = ReadTensorInfos((int)tensorCount, alignment);

            return new GgufFile(Name, version, new System.Collections.ObjectModel.ReadOnlyDictionary<string, GgufValue>(metadata), tensors, alignment, dataOffset, r.Length);
        }

        private OrderedDictionary<string, GgufValue> ReadMetadata(int count)
        {
            var metadata = new OrderedDictionary<string, GgufValue>(StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                var at = r.Position;
                var key = r.ReadString(new("the key of metadata entry {i}", null, i));
                if (key.Length == 0)
                {
                    throw Fail(string.Create(CultureInfo.InvariantCulture, $"metadata entry {i} has an empty key"), at);
                }
                if (metadata.ContainsKey(key))
                {
                    throw Fail($"metadata key {Quote(key)} appears twice", at);
                }
                metadata.Add(key, ReadValue(key));
            }
            return metadata;
        }

        private GgufValue ReadValue(string key)
        {
            var at = r.Position;
            var type = ReadValueType(key);
            if (type != GgufValueType.Array)
            {
                return GgufValue.OfScalar(type, ReadScalar(type, key));
            }

            at = r.Position;
            var elementType = ReadValueType(key);
            if (elementType == GgufValueType.Array)
            {
                throw Fail($"metadata {Quote(key)} is an array of arrays, which llama.cpp does not support", at);
            }
            at = r.Position;
            var count = r.ReadUInt64(new("the length of array {name}", key));
            // Each element takes at least its fixed size (8 bytes of length for a string), so the
            // bytes left in the header bound the count before anything is allocated.
            var minElementBytes = (ulong)ElementSize(elementType);
            var budget = (ulong)Math.Min(r.Remaining, MaxHeaderBytes - r.Position);
            if (count > budget / minElementBytes)
            {
                throw Fail(string.Create(CultureInfo.InvariantCulture,
                    $"array {Quote(key)} claims {count} elements of {GgufValue.TypeName(elementType)}, more than the {r.Remaining} bytes left in the file can hold"), at);
            }
            var n = (int)count;
            Array values = elementType switch
            {
                GgufValueType.UInt8 => r.ReadArray<byte>(n, key),
                GgufValueType.Int8 => r.ReadArray<sbyte>(n, key),
                GgufValueType.UInt16 => r.ReadArray<ushort>(n, key),
                GgufValueType.Int16 => r.ReadArray<short>(n, key),
                GgufValueType.UInt32 => r.ReadArray<uint>(n, key),
                GgufValueType.Int32 => r.ReadArray<int>(n, key),
                GgufValueType.Float32 => r.ReadArray<float>(n, key),
                GgufValueType.Bool => Array.ConvertAll(r.ReadArray<byte>(n, key), b => b != 0),
                GgufValueType.UInt64 => r.ReadArray<ulong>(n, key),
                GgufValueType.Int64 => r.ReadArray<long>(n, key),
                GgufValueType.Float64 => r.ReadArray<double>(n, key),
                _ => ReadStringArray(n, key),
            };
            return GgufValue.OfArray(elementType, values);
        }

        private string[] ReadStringArray(int count, string key)
        {
            var values = new string[count];
            for (var i = 0; i < values.Length; i++)
            {
                values[i] = r.ReadString(new("element {i} of array {name}", key, i));
            }
            return values;
        }

        private object ReadScalar(GgufValueType type, string key) => ReadScalarOf(type, new What("the value of {name}", key));

        private object ReadScalarOf(GgufValueType type, What what) => type switch
        {
            GgufValueType.UInt8 => r.ReadBytes(1, what)[0],
            GgufValueType.Int8 => (sbyte)r.ReadBytes(1, what)[0],
            GgufValueType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(r.ReadBytes(2, what)),
            GgufValueType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(r.ReadBytes(2, what)),
            GgufValueType.UInt32 => BinaryPrimitives.ReadUInt32LittleEndian(r.ReadBytes(4, what)),
            GgufValueType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(r.ReadBytes(4, what)),
            GgufValueType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(r.ReadBytes(4, what)),
            GgufValueType.Bool => r.ReadBytes(1, what)[0] != 0,
            GgufValueType.UInt64 => BinaryPrimitives.ReadUInt64LittleEndian(r.ReadBytes(8, what)),
            GgufValueType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(r.ReadBytes(8, what)),
            GgufValueType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(r.ReadBytes(8, what)),
            _ => r.ReadString(what),
        };

        private GgufValueType ReadValueType(string key)
        {
            var at = r.Position;
            var raw = r.ReadUInt32(new("the type of {name}", key));
            if (raw > (uint)GgufValueType.Float64)
            {
                throw Fail(string.Create(CultureInfo.InvariantCulture, $"metadata {Quote(key)} has unknown value type {raw}"), at);
            }
            return (GgufValueType)raw;
        }

        private int ReadAlignment(OrderedDictionary<string, GgufValue> metadata)
        {
            if (!metadata.TryGetValue("general.alignment", out var value))
            {
                return DefaultAlignment;
            }
            if (value.Value is not uint alignment)
            {
                throw Fail($"general.alignment is a {value.Describe()}, it must be a u32", null);
            }
            if (alignment == 0 || (alignment & (alignment - 1)) != 0 || alignment > 1u << 30)
            {
                throw Fail(string.Create(CultureInfo.InvariantCulture, $"general.alignment {alignment} is not a power of two up to 2^30"), null);
            }
            return (int)alignment;
        }

        private (GgufTensorInfo[] Tensors, long DataOffset) ReadTensorInfos(int count, int alignment)
        {
            var raw = new (string Name, GgufTensorType Type, long[] Dims, long Elements, long Offset, long Bytes, long At)[count];
            var names = new HashSet<string>(StringComparer.Ordinal);
            for (var i = 0; i < count; i++)
            {
                var at = r.Position;
                var name = r.ReadString(new("the name of tensor {i}", null, i));
                if (Encoding.UTF8.GetByteCount(name) > MaxTensorNameBytes)
                {
                    throw Fail(string.Create(CultureInfo.InvariantCulture, $"tensor {i} has a name longer than {MaxTensorNameBytes} bytes"), at);
                }
                if (!names.Add(name))
                {
                    throw Fail($"tensor {Quote(name)} appears twice", at);
                }

                at = r.Position;
                var dimCount = r.ReadUInt32(new("the dimension count of tensor {name}", name));
                if (dimCount is 0 or > MaxDimensions)
                {
                    throw Fail(string.Create(CultureInfo.InvariantCulture,
                        $"tensor {Quote(name)} has {dimCount} dimensions (1 to {MaxDimensions} are allowed)"), at);
                }
                var dims = new long[dimCount];
                long elements = 1;
                for (var d = 0; d < dims.Length; d++)
                {
                    at = r.Position;
                    var dim = r.ReadInt64(new("dimension {i} of tensor {name}", name, d));
                    if (dim <= 0)
                    {
                        throw Fail(string.Create(CultureInfo.InvariantCulture, $"tensor {Quote(name)} has dimension {d} of size {dim}"), at);
                    }
                    if (elements > long.MaxValue / dim)
                    {
                        throw Fail($"tensor {Quote(name)} has more elements than a 64-bit count can hold", at);
                    }
                    dims[d] = dim;
                    elements *= dim;
                }

                at = r.Position;
                var typeValue = r.ReadUInt32(new("the type of tensor {name}", name));
                var type = (GgufTensorType)typeValue;
                if (typeValue > int.MaxValue || !GgufTensorTypes.IsKnown(type))
                {
                    throw Fail(string.Create(CultureInfo.InvariantCulture, $"tensor {Quote(name)} has unknown ggml type {typeValue}"), at);
                }
                var blockSize = GgufTensorTypes.BlockSize(type);
                if (dims[0] % blockSize != 0)
                {
                    throw Fail(string.Create(CultureInfo.InvariantCulture,
                        $"tensor {Quote(name)} of type {type} has rows of {dims[0]} values, not a multiple of its block size {blockSize}"), at);
                }
                var blocks = elements / blockSize;
                var blockBytes = GgufTensorTypes.BlockBytes(type);
                if (blocks > long.MaxValue / blockBytes)
                {
                    throw Fail($"tensor {Quote(name)} is larger than 2^63 bytes", at);
                }

                at = r.Position;
                var offset = r.ReadUInt64(new("the data offset of tensor {name}", name));
                if (offset % (ulong)alignment != 0)
                {
                    throw Fail(string.Create(CultureInfo.InvariantCulture,
                        $"tensor {Quote(name)} has data offset {offset}, not a multiple of the alignment {alignment}"), at);
                }
                if (offset > (ulong)r.Length)
                {
                    throw Fail(string.Create(CultureInfo.InvariantCulture,
                        $"tensor {Quote(name)} has data offset {offset}, beyond the end of the file ({r.Length} bytes)"), at);
                }
                raw[i] = (name, type, dims, elements, (long)offset, blocks * blockBytes, at);
            }

            // The data section starts at the next multiple of the alignment after the header.
            var dataOffset = count == 0 ? r.Position : AlignUp(r.Position, alignment);
            if (dataOffset > r.Length)
            {
                throw Fail(string.Create(CultureInfo.InvariantCulture,
                    $"the tensor data section would start at byte {dataOffset}, past the end of the file ({r.Length} bytes)"), null);
            }

            var dataLength = r.Length - dataOffset;
            foreach (var t in raw)
            {
                if (t.Offset > dataLength || t.Bytes > dataLength - t.Offset)
                {
                    throw Fail(string.Create(CultureInfo.InvariantCulture,
                        $"the data of tensor {Quote(t.Name)} ({t.Bytes} bytes at byte {dataOffset + t.Offset}) runs past the end of the file ({r.Length} bytes); the file is truncated"), t.At);
                }
            }

            var byOffset = raw.OrderBy(t => t.Offset).ToArray();
            for (var i = 1; i < byOffset.Length; i++)
            {
                var prev = byOffset[i - 1];
                if (byOffset[i].Offset < prev.Offset + prev.Bytes)
                {
                    throw Fail($"the data of tensors {Quote(prev.Name)} and {Quote(byOffset[i].Name)} overlap", byOffset[i].At);
                }
            }

            var tensors = raw
                .Select(t => new GgufTensorInfo(t.Name, t.Type, t.Dims, t.Elements, t.Offset, t.Bytes, dataOffset))
                .ToArray();
            return (tensors, dataOffset);
        }

        private static long AlignUp(long value, int alignment) => (value + alignment - 1) / alignment * alignment;

        private static string DescribeMagic(uint magic)
        {
            Span<byte> bytes = stackalloc byte[4];
            BinaryPrimitives.WriteUInt32LittleEndian(bytes, magic);
            var printable = true;
            foreach (var b in bytes)
            {
                printable &= b is >= 0x20 and < 0x7F;
            }
            return printable
                ? $"\"{Encoding.ASCII.GetString(bytes)}\""
                : $"the bytes {Convert.ToHexString(bytes)}";
        }

        private static int ElementSize(GgufValueType type) => type switch
        {
            GgufValueType.UInt8 or GgufValueType.Int8 or GgufValueType.Bool => 1,
            GgufValueType.UInt16 or GgufValueType.Int16 => 2,
            GgufValueType.UInt32 or GgufValueType.Int32 or GgufValueType.Float32 => 4,
            _ => 8, // u64, i64, f64, and a string's length prefix
        };

        private GgufFormatException Fail(string problem, long? at) => GgufFormatException.Invalid(Name, problem, at);
    }
}
