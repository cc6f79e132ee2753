using System.Globalization;

namespace LocalQa.Core.Gguf;

/// <summary>
/// A file is missing, unreadable or not a well-formed GGUF model. Thrown before any native code
/// sees the file, so a corrupt or truncated download is reported instead of crashing llama.cpp.
/// </summary>
public sealed class GgufFormatException : InvalidInputException
{
    private const string CorruptFix =
        "Use a GGUF model file (the llama.cpp format); if it was downloaded, download it again: it is truncated or corrupt.";

    /// <summary>Creates one with the runtime's default message, naming no file.</summary>
    public GgufFormatException() { }

    /// <summary>Creates one that says what is wrong, naming no file.</summary>
    public GgufFormatException(string message) : base(message) { }

    /// <summary>Creates one that says what is wrong, caused by <paramref name="innerException"/>, naming no file.</summary>
    public GgufFormatException(string message, Exception? innerException) : base(message, innerException) { }

    private GgufFormatException(string message, string path, long? offset, string fix, Exception? innerException)
        : base(message, fix, innerException)
    {
        FilePath = path;
        Offset = offset;
    }

    /// <summary>The file (or stream name) that was being read.</summary>
    public string? FilePath { get; }

    /// <summary>The byte position where the problem was found, when there is one.</summary>
    public long? Offset { get; }

    internal static GgufFormatException Invalid(string path, string problem, long? offset) =>
        new(offset is { } at
                ? string.Create(CultureInfo.InvariantCulture, $"'{path}' is not a valid GGUF file: {problem} (at byte {at}).")
                : $"'{path}' is not a valid GGUF file: {problem}.",
            path, offset, CorruptFix, null);

    internal static GgufFormatException NotFound(string path, Exception? inner) =>
        new($"GGUF model file not found: '{path}'.", path, null,
            "Check the path, or download the model first.", inner);

    internal static GgufFormatException Empty(string path) =>
        new($"'{path}' is empty (0 bytes), not a GGUF model.", path, 0, CorruptFix, null);

    internal static GgufFormatException Unreadable(string path, Exception inner) =>
        new($"'{path}' cannot be read: {inner.Message}", path, null,
            "Check that the file exists, is a regular file and that you may read it.", inner);
}
