using System.Globalization;
using System.Text;
using System.Text.Json.Nodes;

namespace LocalQa.Core.Gguf;

/// <summary>
/// One metadata value: a scalar (number, bool, string) or an array of scalars, with its exact
/// GGUF type. llama.cpp checks the stored type of each key it reads (a context length must be a
/// u32, not an i32), so values are created through typed factories and keep their type.
/// </summary>
public sealed class GgufValue
{
    private GgufValue(GgufValueType type, GgufValueType? elementType, object value)
    {
        Type = type;
        ElementType = elementType;
        Value = value;
    }

    /// <summary>The stored type; <see cref="GgufValueType.Array"/> for arrays.</summary>
    public GgufValueType Type { get; }

    /// <summary>The type of the elements when <see cref="Type"/> is an array, otherwise null.</summary>
    public GgufValueType? ElementType { get; }

    /// <summary>
    /// The value as a CLR object: byte, sbyte, ushort, short, uint, int, float, bool, string, ulong,
    /// long or double for scalars, and an array of one of those for arrays.
    /// </summary>
    public object Value { get; }

    /// <summary>Whether this is an array.</summary>
    public bool IsArray => Type == GgufValueType.Array;

    /// <summary>Number of elements of an array, 0 for a scalar.</summary>
    public int ArrayLength => Value is Array a ? a.Length : 0;

    /// <summary>A u8 value.</summary>
    public static GgufValue FromUInt8(byte value) => new(GgufValueType.UInt8, null, value);
    /// <summary>An i8 value.</summary>
    public static GgufValue FromInt8(sbyte value) => new(GgufValueType.Int8, null, value);
    /// <summary>A u16 value.</summary>
    public static GgufValue FromUInt16(ushort value) => new(GgufValueType.UInt16, null, value);
    /// <summary>An i16 value.</summary>
    public static GgufValue FromInt16(short value) => new(GgufValueType.Int16, null, value);
    /// <summary>A u32 value.</summary>
    public static GgufValue FromUInt32(uint value) => new(GgufValueType.UInt32, null, value);
    /// <summary>An i32 value.</summary>
    public static GgufValue FromInt32(int value) => new(GgufValueType.Int32, null, value);
    /// <summary>An f32 value.</summary>
    public static GgufValue FromFloat32(float value) => new(GgufValueType.Float32, null, value);
    /// <summary>A bool value.</summary>
    public static GgufValue FromBool(bool value) => new(GgufValueType.Bool, null, value);
    /// <summary>A u64 value.</summary>
    public static GgufValue FromUInt64(ulong value) => new(GgufValueType.UInt64, null, value);
    /// <summary>An i64 value.</summary>
    public static GgufValue FromInt64(long value) => new(GgufValueType.Int64, null, value);
    /// <summary>An f64 value.</summary>
    public static GgufValue FromFloat64(double value) => new(GgufValueType.Float64, null, value);

    /// <summary>A string value.</summary>
    public static GgufValue FromString(string value)
    {
        ArgumentNullException.ThrowIfNull(value);
        return new(GgufValueType.String, null, value);
    }

    /// <summary>An array of strings (tokenizer.ggml.tokens, merges).</summary>
    public static GgufValue FromArray(IEnumerable<string> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        string[] copy = [.. values];
        foreach (var s in copy)
        {
            ArgumentNullException.ThrowIfNull(s, nameof(values));
        }
        return new(GgufValueType.Array, GgufValueType.String, copy);
    }

    /// <summary>An array of u8, copied from <paramref name="values"/>.</summary>
    public static GgufValue FromArray(ReadOnlySpan<byte> values) => OfArray(GgufValueType.UInt8, values.ToArray());
    /// <summary>An array of i8, copied from <paramref name="values"/>.</summary>
    public static GgufValue FromArray(ReadOnlySpan<sbyte> values) => OfArray(GgufValueType.Int8, values.ToArray());
    /// <summary>An array of u16, copied from <paramref name="values"/>.</summary>
    public static GgufValue FromArray(ReadOnlySpan<ushort> values) => OfArray(GgufValueType.UInt16, values.ToArray());
    /// <summary>An array of i16, copied from <paramref name="values"/>.</summary>
    public static GgufValue FromArray(ReadOnlySpan<short> values) => OfArray(GgufValueType.Int16, values.ToArray());
    /// <summary>An array of u32, copied from <paramref name="values"/>.</summary>
    public static GgufValue FromArray(ReadOnlySpan<uint> values) => OfArray(GgufValueType.UInt32, values.ToArray());
    /// <summary>An array of i32, copied from <paramref name="values"/>.</summary>
    public static GgufValue FromArray(ReadOnlySpan<int> values) => OfArray(GgufValueType.Int32, values.ToArray());
    /// <summary>An array of f32, copied from <paramref name="values"/>.</summary>
    public static GgufValue FromArray(ReadOnlySpan<float> values) => OfArray(GgufValueType.Float32, values.ToArray());
    /// <summary>An array of bool, copied from <paramref name="values"/>.</summary>
    public static GgufValue FromArray(ReadOnlySpan<bool> values) => OfArray(GgufValueType.Bool, values.ToArray());
    /// <summary>An array of u64, copied from <paramref name="values"/>.</summary>
    public static GgufValue FromArray(ReadOnlySpan<ulong> values) => OfArray(GgufValueType.UInt64, values.ToArray());
    /// <summary>An array of i64, copied from <paramref name="values"/>.</summary>
    public static GgufValue FromArray(ReadOnlySpan<long> values) => OfArray(GgufValueType.Int64, values.ToArray());
    /// <summary>An array of f64, copied from <paramref name="values"/>.</summary>
    public static GgufValue FromArray(ReadOnlySpan<double> values) => OfArray(GgufValueType.Float64, values.ToArray());

    // The reader hands over arrays it has just filled, so they are not copied again.
    internal static GgufValue OfArray(GgufValueType elementType, Array values) => new(GgufValueType.Array, elementType, values);

    internal static GgufValue OfScalar(GgufValueType type, object value) => new(type, null, value);

    /// <summary>The string of a string value.</summary>
    public string AsString() =>
        Value as string ?? throw new InvalidOperationException($"The value is {Describe()}, not a string.");

    /// <summary>The value of an integer scalar of any width, or null when it is not one (or does not fit).</summary>
    public long? AsInt64OrNull() => Value switch
    {
        byte v => v,
        sbyte v => v,
        ushort v => v,
        short v => v,
        uint v => v,
        int v => v,
        long v => v,
        ulong v when v <= long.MaxValue => (long)v,
        _ => null,
    };

    /// <summary>The value of an integer scalar of any width.</summary>
    public long AsInt64() =>
        AsInt64OrNull() ?? throw new InvalidOperationException($"The value is {Describe()}, not an integer that fits in 64 bits.");

    /// <summary>The value of a float or integer scalar.</summary>
    public double AsDouble() => Value switch
    {
        float v => v,
        double v => v,
        ulong v => v,
        _ => AsInt64OrNull() ?? throw new InvalidOperationException($"The value is {Describe()}, not a number."),
    };

    /// <summary>The value of a bool.</summary>
    public bool AsBool() => Value is bool b ? b : throw new InvalidOperationException($"The value is {Describe()}, not a bool.");

    /// <summary>The elements of an array whose element type is <typeparamref name="T"/> (string, float, int, ...).</summary>
    public IReadOnlyList<T> AsArray<T>() =>
        Value as T[] ?? throw new InvalidOperationException($"The value is {Describe()}, not an array of {typeof(T).Name}.");

    /// <summary>"u32", "string", "array of 32000 string": the type, for messages and summaries.</summary>
    public string Describe() => IsArray
        ? string.Create(CultureInfo.InvariantCulture, $"array of {ArrayLength} {TypeName(ElementType!.Value)}")
        : TypeName(Type);

    /// <summary>
    /// The value as text; an array longer than <paramref name="maxArrayElements"/> becomes
    /// "[array of 32000 string]" so the vocabulary of a model does not flood a terminal.
    /// </summary>
    public string ToDisplayString(int maxArrayElements = 16)
    {
        if (Value is Array array)
        {
            if (array.Length > maxArrayElements)
            {
                return $"[{Describe()}]";
            }
            var sb = new StringBuilder("[");
            for (var i = 0; i < array.Length; i++)
            {
                if (i > 0)
                {
                    sb.Append(", ");
                }
                sb.Append(ScalarText(array.GetValue(i)!, quoteStrings: true));
            }
            return sb.Append(']').ToString();
        }
        return ScalarText(Value, quoteStrings: false);
    }

    /// <summary>The value as <see cref="ToDisplayString"/> gives it, arrays of more than 16 elements summarized.</summary>
    public override string ToString() => ToDisplayString();

    /// <summary>
    /// The value as JSON: numbers, bools and strings as themselves (non-finite floats as strings,
    /// which JSON cannot hold), arrays up to <paramref name="maxArrayElements"/> as arrays, longer
    /// ones as the string "[array of N type]".
    /// </summary>
    public JsonNode ToJson(int maxArrayElements = 16)
    {
        if (Value is Array array)
        {
            if (array.Length > maxArrayElements)
            {
                return JsonValue.Create($"[{Describe()}]");
            }
            var items = new JsonArray();
            for (var i = 0; i < array.Length; i++)
            {
                items.Add((JsonNode)ScalarJson(array.GetValue(i)!));
            }
            return items;
        }
        return ScalarJson(Value);
    }

    internal static string TypeName(GgufValueType type) => type switch
    {
        GgufValueType.UInt8 => "u8",
        GgufValueType.Int8 => "i8",
        GgufValueType.UInt16 => "u16",
        GgufValueType.Int16 => "i16",
        GgufValueType.UInt32 => "u32",
        GgufValueType.Int32 => "i32",
        GgufValueType.Float32 => "f32",
        GgufValueType.Bool => "bool",
        GgufValueType.String => "string",
        GgufValueType.Array => "array",
        GgufValueType.UInt64 => "u64",
        GgufValueType.Int64 => "i64",
        GgufValueType.Float64 => "f64",
        _ => string.Create(CultureInfo.InvariantCulture, $"type {(int)type}"),
    };

    private static string ScalarText(object value, bool quoteStrings) => value switch
    {
        string s => quoteStrings ? JsonValue.Create(s).ToJsonString() : s,
        bool b => b ? "true" : "false",
        float f => f.ToString("R", CultureInfo.InvariantCulture),
        double d => d.ToString("R", CultureInfo.InvariantCulture),
        IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static JsonValue ScalarJson(object value) => value switch
    {
        string s => JsonValue.Create(s),
        bool b => JsonValue.Create(b),
        float f when float.IsFinite(f) => JsonValue.Create(f),
        double d when double.IsFinite(d) => JsonValue.Create(d),
        float or double => JsonValue.Create(ScalarText(value, quoteStrings: false)),
        byte v => JsonValue.Create(v),
        sbyte v => JsonValue.Create(v),
        ushort v => JsonValue.Create(v),
        short v => JsonValue.Create(v),
        uint v => JsonValue.Create(v),
        int v => JsonValue.Create(v),
        ulong v => JsonValue.Create(v),
        long v => JsonValue.Create(v),
        _ => JsonValue.Create(value.ToString() ?? ""),
    };
}
