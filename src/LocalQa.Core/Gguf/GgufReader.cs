using System.Globalization;
using System.Text;

namespace LocalQa.Core.Gguf;

/// <summary>
/// Reads and validates the header of a GGUF file (metadata and tensor layout, never tensor data),
/// streaming, so a multi-gigabyte model is inspected in milliseconds. Every count and length is
/// checked against the bytes that remain before anything is allocated: a corrupt, truncated or
/// hostile file only ever raises <see cref="GgufFormatException"/>.
/// </summary>
public static partial class GgufReader
{
    /// <summary>
    /// Upper bound on the size of the header (metadata and tensor infos). Real headers stay under
    /// 20 MiB even with 256k-token vocabularies and their merges; the bound keeps a corrupt count
    /// from making the reader allocate gigabytes.
    /// </summary>
    public const long MaxHeaderBytes = 128L * 1024 * 1024;

    private const uint Magic = 0x46554747; // "GGUF" read as little-endian u32
    private const int DefaultAlignment = 32;
    private const int MaxTensorNameBytes = 63; // GGML_MAX_NAME - 1
    private const int MaxDimensions = 4;       // GGML_MAX_DIMS
    private const int MinKvBytes = 8 + 1 + 4 + 1;          // key length, a 1-byte key, type, a u8 value
    private const int MinTensorInfoBytes = 8 + 4 + 8 + 4 + 8; // name length, n_dims, one dim, type, offset

    /// <summary>Reads the header of the GGUF file at <paramref name="path"/>.</summary>
    /// <exception cref="GgufFormatException">The file is missing, unreadable or not valid GGUF.</exception>
    public static GgufFile Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        FileStream stream;
        try
        {
            if (string.IsNullOrWhiteSpace(path))
            {
                throw GgufFormatException.NotFound(path, null);
            }
            if (Directory.Exists(path))
            {
                throw GgufFormatException.Invalid(path, "it is a directory, not a file", null);
            }
            stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1, FileOptions.SequentialScan);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw GgufFormatException.NotFound(path, e);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException or ArgumentException)
        {
            throw GgufFormatException.Unreadable(path, e);
        }
        using (stream)
        {
            if (!stream.CanSeek)
            {
                throw GgufFormatException.Invalid(path, "it is not a regular file (a pipe or a device cannot be read as a model)", null);
            }
            return Read(stream, path);
        }
    }

    /// <summary>
    /// Reads a GGUF header from a seekable stream, starting at its current position (offsets in the
    /// result are relative to it). <paramref name="name"/> names the source in error messages.
    /// </summary>
    /// <exception cref="GgufFormatException">The bytes are not valid GGUF.</exception>
    public static GgufFile Read(Stream stream, string name)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(name);
        if (!stream.CanRead || !stream.CanSeek)
        {
            throw new ArgumentException("The stream must be readable and seekable.", nameof(stream));
        }
        try
        {
            var length = stream.Length - stream.Position;
            if (length <= 0)
            {
                throw GgufFormatException.Empty(name);
            }
            return new HeaderParser(new BoundedReader(stream, name, length)).Parse();
        }
        catch (IOException e)
        {
            throw GgufFormatException.Unreadable(name, e);
        }
    }

    /// <summary>
    /// A key or tensor name for a message: quoted, control characters escaped and cut short,
    /// because in a corrupt file a "name" may be kilobytes of binary.
    /// </summary>
    private static string Quote(string name)
    {
        var cut = name.Length > 80 ? (char.IsHighSurrogate(name[79]) ? 79 : 80) : name.Length;
        var sb = new StringBuilder("'");
        foreach (var c in name.AsSpan(0, cut))
        {
            if (char.IsControl(c) || c == '\uFFFD')
            {
                sb.Append(CultureInfo.InvariantCulture, $"\\x{(int)c:X2}");
            }
            else
            {
                sb.Append(c);
            }
        }
        return sb.Append(cut < name.Length ? "'..." : "'").ToString();
    }

    /// <summary>
    /// What is being read, for an error message: formatted only when one is needed, so reading
    /// a 128k-token vocabulary does not build 128k descriptions.
    /// </summary>
    private readonly struct What(string template, string? name = null, long index = 0, bool length = false)
    {
        public What Length() => new(template, name, index, length: true);

        public override string ToString()
        {
            var text = template
                .Replace("{i}", index.ToString(CultureInfo.InvariantCulture), StringComparison.Ordinal)
                .Replace("{name}", name is null ? "" : Quote(name), StringComparison.Ordinal);
            return length ? "the length of " + text : text;
        }
    }
}
