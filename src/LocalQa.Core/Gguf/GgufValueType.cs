namespace LocalQa.Core.Gguf;

/// <summary>The type of a metadata value, as stored in the file (gguf.h <c>enum gguf_type</c>).</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Naming", "CA1720:Identifier contains type name",
    Justification = "The members name the stored binary types of the GGUF format, which are exactly these.")]
public enum GgufValueType
{
    /// <summary>Unsigned 8-bit integer.</summary>
    UInt8 = 0,
    /// <summary>Signed 8-bit integer.</summary>
    Int8 = 1,
    /// <summary>Unsigned 16-bit integer, little-endian.</summary>
    UInt16 = 2,
    /// <summary>Signed 16-bit integer, little-endian.</summary>
    Int16 = 3,
    /// <summary>Unsigned 32-bit integer, little-endian.</summary>
    UInt32 = 4,
    /// <summary>Signed 32-bit integer, little-endian.</summary>
    Int32 = 5,
    /// <summary>32-bit IEEE float, little-endian.</summary>
    Float32 = 6,
    /// <summary>One byte: 0 for false, 1 for true.</summary>
    Bool = 7,
    /// <summary>UTF-8 text after its length in bytes (a u64), not null-terminated.</summary>
    String = 8,
    /// <summary>An element type, a u64 count, then the elements, all of that one type (arrays of arrays are rejected).</summary>
    Array = 9,
    /// <summary>Unsigned 64-bit integer, little-endian.</summary>
    UInt64 = 10,
    /// <summary>Signed 64-bit integer, little-endian.</summary>
    Int64 = 11,
    /// <summary>64-bit IEEE float, little-endian.</summary>
    Float64 = 12,
}
