using System.Buffers;
using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using LocalQa.Core.Gguf;

namespace LocalQa.Testing;

/// <summary>
/// Writes a GGUF v3 file: declare metadata and tensors, then stream each tensor's data in order,
/// in as many pieces as suits the caller, so a model larger than memory can be written. Tensor
/// offsets are computed from the declared shapes, which lets the header go out first.
/// The file appears at its path only after <see cref="Complete"/>; until then it is written
/// under a temporary name next to it, which <see cref="Dispose"/> removes if the writer gives up.
/// Not thread-safe.
/// </summary>
public sealed class GgufWriter : IDisposable
{
    private const int MaxTensorNameBytes = 63;

    private readonly string _path;
    private readonly string _tempPath;
    private readonly int _alignment;
    private readonly List<KeyValuePair<string, GgufValue>> _metadata = [];
    private readonly HashSet<string> _keys = new(StringComparer.Ordinal);
    private readonly List<PendingTensor> _tensors = [];
    private readonly HashSet<string> _tensorNames = new(StringComparer.Ordinal);
    private FileStream? _stream;
    private int _current;        // index of the tensor whose data is being written
    private long _currentWritten; // bytes of it written so far
    private bool _completed;
    private bool _disposed;

    /// <param name="path">Where the file goes; an existing file is replaced on <see cref="Complete"/>.</param>
    /// <param name="alignment">Alignment of tensor data, a power of two; 32 (ggml's default) is not written to the file.</param>
    public GgufWriter(string path, int alignment = 32)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0)
        {
            throw new ArgumentOutOfRangeException(nameof(alignment), alignment, "The alignment must be a power of two.");
        }
        _path = Path.GetFullPath(path);
        _tempPath = string.Create(CultureInfo.InvariantCulture, $"{_path}.{Environment.ProcessId}.{Guid.NewGuid():N}.partial");
        _alignment = alignment;
        if (alignment != 32)
        {
            _keys.Add("general.alignment");
            _metadata.Add(new("general.alignment", GgufValue.FromUInt32((uint)alignment)));
        }
    }

    /// <summary>Adds a metadata entry; keys are written in the order they are added.</summary>
    public void AddMetadata(string key, GgufValue value)
    {
        ArgumentException.ThrowIfNullOrEmpty(key);
        ArgumentNullException.ThrowIfNull(value);
        ThrowIfHeaderWritten();
        if (key == "general.alignment")
        {
            throw new ArgumentException("Set the alignment with the constructor's alignment parameter.", nameof(key));
        }
        if (!_keys.Add(key))
        {
            throw new ArgumentException($"Metadata key '{key}' was already added.", nameof(key));
        }
        _metadata.Add(new(key, value));
    }

    /// <summary>
    /// Declares a tensor. <paramref name="dimensions"/> are in ggml order (row length first, 1 to 4 of
    /// them); the row length must be a multiple of the type's block size. Data follows in declaration order.
    /// </summary>
    public void AddTensor(string name, GgufTensorType type, params ReadOnlySpan<long> dimensions)
    {
        ArgumentException.ThrowIfNullOrEmpty(name);
        ThrowIfHeaderWritten();
        if (Encoding.UTF8.GetByteCount(name) > MaxTensorNameBytes)
        {
            throw new ArgumentException($"Tensor name '{name}' is longer than {MaxTensorNameBytes} bytes.", nameof(name));
        }
        if (!GgufTensorTypes.IsKnown(type))
        {
            throw new ArgumentOutOfRangeException(nameof(type), type, "Unknown tensor type.");
        }
        if (dimensions.Length is 0 or > 4)
        {
            throw new ArgumentException("A tensor has 1 to 4 dimensions.", nameof(dimensions));
        }
        long elements = 1;
        foreach (var d in dimensions)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(d, 1, nameof(dimensions));
            elements = checked(elements * d);
        }
        var block = GgufTensorTypes.BlockSize(type);
        if (dimensions[0] % block != 0)
        {
            throw new ArgumentException($"Rows of {type} must be a multiple of {block} values, not {dimensions[0]}.", nameof(dimensions));
        }
        if (!_tensorNames.Add(name))
        {
            throw new ArgumentException($"Tensor '{name}' was already added.", nameof(name));
        }
        _tensors.Add(new PendingTensor(name, type, dimensions.ToArray(), elements, GgufTensorTypes.ByteSize(type, elements)));
    }

    /// <summary>
    /// Appends values to the current tensor, converting them to its type (F32, F16, Q8_0 or Q4_0).
    /// The piece must be a whole number of blocks; the first call writes the header.
    /// </summary>
    public void WriteTensorData(ReadOnlySpan<float> values)
    {
        var tensor = CurrentTensor();
        if (!GgufQuantization.CanEncode(tensor.Type))
        {
            throw new InvalidOperationException($"Tensor '{tensor.Name}' is {tensor.Type}; write its bytes with WriteTensorBytes.");
        }
        var bytes = GgufTensorTypes.ByteSize(tensor.Type, values.Length);
        var buffer = ArrayPool<byte>.Shared.Rent((int)Math.Min(bytes, 1 << 20));
        try
        {
            // Encode in slices so a large piece needs no buffer of its own size.
            var blockValues = GgufTensorTypes.BlockSize(tensor.Type);
            var blockBytes = GgufTensorTypes.BlockBytes(tensor.Type);
            var valuesPerSlice = buffer.Length / blockBytes * blockValues;
            while (!values.IsEmpty)
            {
                var n = Math.Min(values.Length, valuesPerSlice);
                var size = (int)GgufTensorTypes.ByteSize(tensor.Type, n);
                GgufQuantization.Encode(tensor.Type, values[..n], buffer.AsSpan(0, size));
                WriteTensorBytes(buffer.AsSpan(0, size));
                values = values[n..];
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>
    /// Appends data already encoded in the current tensor's type (a whole number of blocks).
    /// The first call writes the header.
    /// </summary>
    public void WriteTensorBytes(ReadOnlySpan<byte> data)
    {
        var tensor = CurrentTensor();
        var blockBytes = GgufTensorTypes.BlockBytes(tensor.Type);
        if (data.Length % blockBytes != 0)
        {
            throw new ArgumentException($"{data.Length} bytes are not a whole number of {tensor.Type} blocks of {blockBytes} bytes.", nameof(data));
        }
        if (data.Length > tensor.ByteSize - _currentWritten)
        {
            throw new ArgumentException($"Tensor '{tensor.Name}' holds {tensor.ByteSize} bytes; {_currentWritten + data.Length} were written.", nameof(data));
        }
        var stream = EnsureHeaderWritten();
        stream.Write(data);
        _currentWritten += data.Length;
        if (_currentWritten == tensor.ByteSize)
        {
            WritePadding(stream, tensor.ByteSize);
            _current++;
            _currentWritten = 0;
        }
    }

    /// <summary>The tensor whose data is expected next, or null when all data has been written.</summary>
    public string? NextTensorName => _current < _tensors.Count ? _tensors[_current].Name : null;

    /// <summary>Checks that every tensor got all its data, flushes, and moves the file into place.</summary>
    public void Complete()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed)
        {
            return;
        }
        if (_current < _tensors.Count)
        {
            var t = _tensors[_current];
            throw new InvalidOperationException(
                $"Tensor '{t.Name}' has {_currentWritten} of its {t.ByteSize} bytes, and {_tensors.Count - _current - 1} more tensors have none.");
        }
        var stream = EnsureHeaderWritten();
        stream.Flush(flushToDisk: false);
        stream.Dispose();
        _stream = null;
        File.Move(_tempPath, _path, overwrite: true);
        _completed = true;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }
        _disposed = true;
        _stream?.Dispose();
        _stream = null;
        if (!_completed)
        {
            try
            {
                File.Delete(_tempPath);
            }
            catch (IOException)
            {
                // Leaving a *.partial file behind is harmless; Dispose must not throw.
            }
            catch (UnauthorizedAccessException)
            {
            }
        }
    }

    private PendingTensor CurrentTensor()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_completed || _current >= _tensors.Count)
        {
            throw new InvalidOperationException("All declared tensors already have their data.");
        }
        return _tensors[_current];
    }

    private void ThrowIfHeaderWritten()
    {
        ObjectDisposedException.ThrowIf(_disposed, this);
        if (_stream is not null || _completed)
        {
            throw new InvalidOperationException("The header is already written: add metadata and tensors before writing tensor data.");
        }
    }

    private FileStream EnsureHeaderWritten()
    {
        if (_stream is not null)
        {
            return _stream;
        }
        var directory = Path.GetDirectoryName(_path);
        if (!string.IsNullOrEmpty(directory))
        {
            Directory.CreateDirectory(directory);
        }
        var stream = new FileStream(_tempPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        try
        {
            WriteHeader(stream);
            WritePadding(stream, stream.Position);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
        _stream = stream;
        return stream;
    }

    private void WriteHeader(Stream s)
    {
        Span<byte> scratch = stackalloc byte[8];
        s.Write("GGUF"u8);
        WriteUInt32(s, 3, scratch);
        WriteUInt64(s, (ulong)_tensors.Count, scratch);
        WriteUInt64(s, (ulong)_metadata.Count, scratch);
        foreach (var (key, value) in _metadata)
        {
            WriteString(s, key, scratch);
            WriteUInt32(s, (uint)value.Type, scratch);
            if (value.IsArray)
            {
                WriteUInt32(s, (uint)value.ElementType!.Value, scratch);
                var array = (Array)value.Value;
                WriteUInt64(s, (ulong)array.Length, scratch);
                foreach (var item in array)
                {
                    WriteScalar(s, item, scratch);
                }
            }
            else
            {
                WriteScalar(s, value.Value, scratch);
            }
        }

        long offset = 0;
        foreach (var t in _tensors)
        {
            WriteString(s, t.Name, scratch);
            WriteUInt32(s, (uint)t.Dimensions.Length, scratch);
            foreach (var d in t.Dimensions)
            {
                WriteUInt64(s, (ulong)d, scratch);
            }
            WriteUInt32(s, (uint)t.Type, scratch);
            WriteUInt64(s, (ulong)offset, scratch);
            offset += AlignUp(t.ByteSize);
        }
    }

    private static void WriteScalar(Stream s, object value, Span<byte> scratch)
    {
        switch (value)
        {
            case byte v: s.WriteByte(v); break;
            case sbyte v: s.WriteByte((byte)v); break;
            case bool v: s.WriteByte(v ? (byte)1 : (byte)0); break;
            case ushort v: BinaryPrimitives.WriteUInt16LittleEndian(scratch, v); s.Write(scratch[..2]); break;
            case short v: BinaryPrimitives.WriteInt16LittleEndian(scratch, v); s.Write(scratch[..2]); break;
            case uint v: WriteUInt32(s, v, scratch); break;
            case int v: BinaryPrimitives.WriteInt32LittleEndian(scratch, v); s.Write(scratch[..4]); break;
            case float v: BinaryPrimitives.WriteSingleLittleEndian(scratch, v); s.Write(scratch[..4]); break;
            case ulong v: WriteUInt64(s, v, scratch); break;
            case long v: BinaryPrimitives.WriteInt64LittleEndian(scratch, v); s.Write(scratch[..8]); break;
            case double v: BinaryPrimitives.WriteDoubleLittleEndian(scratch, v); s.Write(scratch[..8]); break;
            case string v: WriteString(s, v, scratch); break;
            default: throw new InvalidOperationException($"Cannot write a metadata value of type {value.GetType()}.");
        }
    }

    private static void WriteString(Stream s, string value, Span<byte> scratch)
    {
        var length = Encoding.UTF8.GetByteCount(value);
        WriteUInt64(s, (ulong)length, scratch);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            var n = Encoding.UTF8.GetBytes(value, buffer);
            s.Write(buffer, 0, n);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static void WriteUInt32(Stream s, uint value, Span<byte> scratch)
    {
        BinaryPrimitives.WriteUInt32LittleEndian(scratch, value);
        s.Write(scratch[..4]);
    }

    private static void WriteUInt64(Stream s, ulong value, Span<byte> scratch)
    {
        BinaryPrimitives.WriteUInt64LittleEndian(scratch, value);
        s.Write(scratch[..8]);
    }

    private void WritePadding(Stream s, long written)
    {
        var padding = (int)(AlignUp(written) - written);
        if (padding > 0)
        {
            Span<byte> zeros = stackalloc byte[Math.Min(padding, 256)];
            zeros.Clear();
            while (padding > 0)
            {
                var n = Math.Min(padding, zeros.Length);
                s.Write(zeros[..n]);
                padding -= n;
            }
        }
    }

    private long AlignUp(long value) => (value + _alignment - 1) / _alignment * _alignment;

    private sealed record PendingTensor(string Name, GgufTensorType Type, long[] Dimensions, long ElementCount, long ByteSize);
}
