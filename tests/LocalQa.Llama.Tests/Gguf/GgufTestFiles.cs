using System.Buffers.Binary;
using System.Text;

namespace LocalQa.Llama.Tests.Gguf;

/// <summary>A temporary folder for files a test writes, removed afterwards.</summary>
public sealed class TempFolder : IDisposable
{
    public TempFolder()
    {
        Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "localqa-gguf-" + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(Path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    public void Dispose()
    {
        try
        {
            Directory.Delete(Path, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}

/// <summary>
/// Builds GGUF bytes field by field, including ones no writer would produce, to feed the reader
/// exactly the malformed header a test is about.
/// </summary>
public sealed class RawGguf
{
    private readonly List<byte> _bytes = [];

    public long Length => _bytes.Count;

    public RawGguf Bytes(ReadOnlySpan<byte> bytes)
    {
        _bytes.AddRange(bytes);
        return this;
    }

    public RawGguf U8(byte value) => Bytes([value]);

    public RawGguf U32(uint value)
    {
        Span<byte> b = stackalloc byte[4];
        BinaryPrimitives.WriteUInt32LittleEndian(b, value);
        return Bytes(b);
    }

    public RawGguf U64(ulong value)
    {
        Span<byte> b = stackalloc byte[8];
        BinaryPrimitives.WriteUInt64LittleEndian(b, value);
        return Bytes(b);
    }

    public RawGguf I64(long value) => U64((ulong)value);

    public RawGguf Str(string value)
    {
        var utf8 = Encoding.UTF8.GetBytes(value);
        U64((ulong)utf8.Length);
        return Bytes(utf8);
    }

    /// <summary>Magic, version and the two counts.</summary>
    public RawGguf Header(ulong tensors, ulong kvs, uint version = 3) =>
        Bytes("GGUF"u8).U32(version).U64(tensors).U64(kvs);

    public RawGguf KvString(string key, string value) => Str(key).U32(8).Str(value);

    public RawGguf KvU32(string key, uint value) => Str(key).U32(4).U32(value);

    /// <summary>A tensor info: name, dims, ggml type, offset.</summary>
    public RawGguf Tensor(string name, uint type, ulong offset, params long[] dims)
    {
        Str(name).U32((uint)dims.Length);
        foreach (var d in dims)
        {
            I64(d);
        }
        return U32(type).U64(offset);
    }

    /// <summary>Zeros up to the next multiple of <paramref name="alignment"/>.</summary>
    public RawGguf Pad(int alignment = 32)
    {
        while (_bytes.Count % alignment != 0)
        {
            _bytes.Add(0);
        }
        return this;
    }

    public RawGguf Zeros(int count) => Bytes(new byte[count]);

    public byte[] ToArray() => _bytes.ToArray();

    public string WriteTo(TempFolder folder, string name)
    {
        var path = folder.File(name);
        File.WriteAllBytes(path, ToArray());
        return path;
    }
}
