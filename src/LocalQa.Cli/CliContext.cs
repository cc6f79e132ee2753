using System.Text.Json;
using System.Text.Json.Serialization;
using Spectre.Console;

namespace LocalQa.Cli;

/// <summary>What every verb writes to: injected so tests capture it.</summary>
public sealed class CliContext(TextWriter output, TextWriter error)
{
    public TextWriter Out { get; } = output;
    public TextWriter Error { get; } = error;

    /// <summary>True when stdout is a terminal (progress bars only then).</summary>
    public bool Interactive { get; init; }

    private IAnsiConsole? _console;

    /// <summary>
    /// Where progress displays are drawn (Spectre.Console, over <see cref="Error"/>): stdout stays the
    /// answer, the summary or the JSON even while a bar moves. Tests give a Spectre TestConsole.
    /// </summary>
    public IAnsiConsole Console
    {
        get => _console ??= AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Error) });
        init => _console = value;
    }

    public static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.Never,
        Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        // Enums as words a script can compare ("generative", "already_present"), named like the keys.
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public void WriteJson<T>(T value) => Out.WriteLine(JsonSerializer.Serialize(value, Json));
}
