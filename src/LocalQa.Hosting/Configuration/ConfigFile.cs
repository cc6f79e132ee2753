using System.Globalization;
using System.Text;
using System.Text.Json;
using LocalQa.Core;
using LocalQa.Llama;

namespace LocalQa.Hosting.Configuration;

/// <summary>
/// Reads a localqa.json file: one JSON object of settings (snake_case keys, comments and trailing
/// commas allowed, null meaning "not set here"). Every mistake is reported with the file and the
/// line, so the user can go straight to it.
/// </summary>
public static class ConfigFile
{
    public const string FileName = "localqa.json";

    private enum Kind { Text, Integer, TextList }

    private static Kind KindOf(SettingDefinition setting) => setting.Kind switch
    {
        SettingKind.WholeNumber => Kind.Integer,
        SettingKind.PathList => Kind.TextList,
        _ => Kind.Text,
    };

    /// <summary>One value read from the file: a string, an int, or a string[]; and its line (1-based).</summary>
    public readonly record struct Entry(object Value, int Line);

    /// <summary>Reads <paramref name="path"/>; the entries set to null are left out.</summary>
    /// <exception cref="InvalidInputException">The file cannot be read, is not JSON, or holds an unknown or mistyped setting.</exception>
    public static IReadOnlyDictionary<string, Entry> Read(string path)
    {
        ArgumentException.ThrowIfNullOrEmpty(path);
        byte[] bytes;
        try
        {
            bytes = File.ReadAllBytes(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException($"The settings file '{path}' cannot be read: {e.Message}", "Check its permissions, or delete it.", e);
        }
        return Parse(bytes, path);
    }

    /// <summary>Parses localqa.json content; <paramref name="path"/> names it in errors.</summary>
    public static IReadOnlyDictionary<string, Entry> Parse(ReadOnlySpan<byte> utf8, string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var bom = Encoding.UTF8.Preamble;
        if (utf8.StartsWith(bom)) utf8 = utf8[bom.Length..];
        var entries = new Dictionary<string, Entry>(StringComparer.Ordinal);
        if (utf8.Trim(" \t\r\n"u8).IsEmpty)
            throw Problem(path, 1, "the file is empty", "Write a JSON object such as { \"chat_model\": \"qwen2.5-1.5b-instruct\" }, or delete the file.");
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
                throw Problem(path, LineOf(utf8, reader.TokenStartIndex), "the file must hold one JSON object: { \"setting\": value, ... }", null);
            var seen = new HashSet<string>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var line = LineOf(utf8, reader.TokenStartIndex);
                var key = reader.GetString()!;
                if (SettingDefinitions.Find(key) is not { } setting)
                {
                    var suggestion = SettingDefinitions.Keys.FirstOrDefault(k => string.Equals(k.Replace("_", "", StringComparison.Ordinal), key.Replace("_", "", StringComparison.Ordinal).Replace("-", "", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase));
                    throw Problem(path, line, $"unknown setting \"{key}\"{(suggestion is null ? "" : $" (did you mean \"{suggestion}\"?)")}",
                        $"The settings are: {string.Join(", ", SettingDefinitions.Keys)}.");
                }
                if (!seen.Add(key)) throw Problem(path, line, $"\"{key}\" appears twice", "Keep one of them.");
                reader.Read();
                line = LineOf(utf8, reader.TokenStartIndex);
                if (reader.TokenType == JsonTokenType.Null) continue;
                entries[key] = new Entry(ReadValue(ref reader, key, KindOf(setting), path, line, utf8), line);
            }
            // Anything after the object (a second object, stray text) makes the reader throw here.
            while (reader.Read()) { }
        }
        catch (JsonException e)
        {
            var message = e.Message;
            var cut = message.IndexOf(" LineNumber:", StringComparison.Ordinal);
            if (cut > 0) message = message[..cut];
            var line = (int)(e.LineNumber ?? 0) + 1;
            var column = (e.BytePositionInLine ?? 0) + 1;
            throw new InvalidInputException(
                string.Create(CultureInfo.InvariantCulture, $"The settings file '{path}' is not valid JSON: line {line}, column {column}: {message.TrimEnd('.')}."),
                $"Fix line {line.ToString(CultureInfo.InvariantCulture)} of '{path}' (strings need double quotes, entries need commas), or delete the file.", e);
        }
        return entries;
    }

    private static object ReadValue(ref Utf8JsonReader reader, string key, Kind kind, string path, int line, ReadOnlySpan<byte> utf8)
    {
        switch (kind)
        {
            case Kind.Text when reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 } text:
                return text;
            case Kind.Integer when reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var number):
                return number;
            case Kind.TextList when reader.TokenType == JsonTokenType.String && reader.GetString() is { Length: > 0 } single:
                return new[] { single };
            case Kind.TextList when reader.TokenType == JsonTokenType.StartArray:
                var items = new List<string>();
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.String || reader.GetString() is not { Length: > 0 } item)
                        throw Problem(path, LineOf(utf8, reader.TokenStartIndex), $"\"{key}\" must be a list of folder paths (strings)", null);
                    items.Add(item);
                }
                return items.ToArray();
            default:
                var expected = kind switch
                {
                    Kind.Integer => "a whole number",
                    Kind.TextList => "a list of folder paths, such as [\"~/models\"]",
                    _ => "a non-empty string",
                };
                throw Problem(path, line, $"\"{key}\" must be {expected}, not {Describe(ref reader)}", null);
        }
    }

    private static string Describe(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => $"\"{reader.GetString()}\"",
        JsonTokenType.Number => Encoding.UTF8.GetString(reader.ValueSpan),
        JsonTokenType.True => "true",
        JsonTokenType.False => "false",
        JsonTokenType.StartArray => "a list",
        JsonTokenType.StartObject => "an object",
        _ => reader.TokenType.ToString(),
    };

    private static int LineOf(ReadOnlySpan<byte> utf8, long index) =>
        utf8[..(int)Math.Min(index, utf8.Length)].Count((byte)'\n') + 1;

    private static InvalidInputException Problem(string path, int line, string problem, string? fix) => new(
        string.Create(CultureInfo.InvariantCulture, $"The settings file '{path}', line {line}: {problem}."),
        fix ?? string.Create(CultureInfo.InvariantCulture, $"Fix line {line} of '{path}', or delete the setting."));
}
