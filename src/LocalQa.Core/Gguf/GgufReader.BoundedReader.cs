using System.Buffers.Binary;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Text;

namespace LocalQa.Core.Gguf;

public static partial class GgufReader
{
    /// <summary>
    /// A forward-only little-endian reader over a stream with a known length, through its own
    /// buffer. Every read first checks that the bytes exist, and the header size bound.
    /// </summary>
    private sealed class BoundedReader(Stream stream, string name, long length)
    {
        private const int BufferSize = 64 * 1024;
        private const int MaxStringBytes = 64 * 1024 * 1024;

        private readonly byte[] _buffer = new byte[(int)Math.Min(BufferSize, Math.Max(length, 8))];
        private readonly long _origin = stream.Position;
        private int _bufferPos;
        private int _bufferLen;
        private long _position;

        public string Name { get; } = name;

        public long Length { get; } = length;

        public long Position => _position;

        public long Remaining => Length - _position;

        public uint ReadUInt32(What what) => BinaryPrimitives.ReadUInt32LittleEndian(ReadBytes(4, what));

        public ulong ReadUInt64(What what) => BinaryPrimitives.ReadUInt64LittleEndian(ReadBytes(8, what));

        public long ReadInt64(What what) => BinaryPrimitives.ReadInt64LittleEndian(ReadBytes(8, what));

        public string ReadString(What what)
        {
            var at = _position;
            var length = ReadUInt64(what.Length());
            if (length > (ulong)Remaining)
            {
                throw GgufFormatException.Invalid(Name, string.Create(CultureInfo.InvariantCulture,
                    $"{what} claims {length} bytes but only {Remaining} remain in the file"), at);
            }
            if (length > MaxStringBytes || (long)length > MaxHeaderBytes - _position)
            {
                throw GgufFormatException.Invalid(Name, string.Create(CultureInfo.InvariantCulture,
                    $"{what} claims {length} bytes, beyond the {MaxHeaderBytes / (1024 * 1024)} MiB allowed for a header"), at);
            }
            var n = (int)length;
            if (n == 0)
            {
                return "";
            }
            if (n <= _buffer.Length)
            {
                return Encoding.UTF8.GetString(ReadBytes(n, what));
            }
            var bytes = new byte[n];
            ReadExactly(bytes, what);
            return Encoding.UTF8.GetString(bytes);
        }

        /// <summary>Reads numbers stored little-endian, which is also the byte order of every platform .NET runs LocalQa on.</summary>
        public T[] ReadArray<T>(int count, string key)
            where T : unmanaged
        {
            var values = new T[count];
            ReadExactly(MemoryMarshal.AsBytes(values.AsSpan()), new("array {name}", key));
            return values;
        }

        /// <summary>The next <paramref name="count"/> bytes (at most the buffer size), valid until the next read.</summary>
        public ReadOnlySpan<byte> ReadBytes(int count, What what)
        {
            if (_bufferLen - _bufferPos < count)
            {
                Need(count, what);
                Refill(count, what);
            }
            var span = _buffer.AsSpan(_bufferPos, count);
            _bufferPos += count;
            _position += count;
            return span;
        }

        private void ReadExactly(Span<byte> destination, What what)
        {
            Need(destination.Length, what);
            var fromBuffer = Math.Min(destination.Length, _bufferLen - _bufferPos);
            _buffer.AsSpan(_bufferPos, fromBuffer).CopyTo(destination);
            _bufferPos += fromBuffer;
            var rest = destination[fromBuffer..];
            if (!rest.IsEmpty)
            {
                stream.Position = _origin + _position + fromBuffer;
                if (stream.ReadAtLeast(rest, rest.Length, throwOnEndOfStream: false) != rest.Length)
                {
                    throw Truncated(what);
                }
                _bufferPos = _bufferLen = 0;
            }
            _position += destination.Length;
        }

        private void Need(long count, What what)
        {
            if (count > Remaining)
            {
                throw GgufFormatException.Invalid(Name, string.Create(CultureInfo.InvariantCulture,
                    $"the file ends in the middle of {what} (it is {Length} bytes long); it is truncated"), _position);
            }
            if (_position + count > MaxHeaderBytes)
            {
                throw GgufFormatException.Invalid(Name, string.Create(CultureInfo.InvariantCulture,
                    $"the header is larger than {MaxHeaderBytes / (1024 * 1024)} MiB, more than any real model needs"), _position);
            }
        }

        private void Refill(int count, What what)
        {
            var left = _bufferLen - _bufferPos;
            Buffer.BlockCopy(_buffer, _bufferPos, _buffer, 0, left);
            _bufferPos = 0;
            _bufferLen = left;
            var want = (int)Math.Min(_buffer.Length - left, Remaining - left);
            stream.Position = _origin + _position + left;
            var got = stream.ReadAtLeast(_buffer.AsSpan(left, want), count - left, throwOnEndOfStream: false);
            _bufferLen += got;
            if (_bufferLen < count)
            {
                // The stream ended before its reported length: it shrank while being read.
                throw Truncated(what);
            }
        }

        private GgufFormatException Truncated(What what) =>
            GgufFormatException.Invalid(Name, $"the file ended early while reading {what}; it is truncated or was modified while being read", _position);
    }
}
