using LocalQa.Core;
using LocalQa.Core.Answering;
using LocalQa.Core.Summarizing;
using LocalQa.Hosting.Configuration;
using LocalQa.Hosting.Evaluation;
using LocalQa.Hosting.Models;
using LocalQa.Hosting.Remote;
using LocalQa.Llama;

namespace LocalQa.Cli;

/// <summary>
/// The one place that turns an error of any layer into what the command line prints and the exit
/// code it returns. The engine and the library say what went wrong in their own words; only here
/// do the fixes name this front end's flags.
/// </summary>
internal static class CliErrors
{
    /// <summary>An error the user can act on (as opposed to a bug or an interruption).</summary>
    public static bool IsReported(Exception e) => e is InvalidInputException or LlamaException or DownloadException or RemoteEngineException;

    public static int ExitCode(Exception e) => e switch
    {
        LlamaRuntimeException => ExitCodes.RuntimeUnavailable,
        DownloadException => ExitCodes.DownloadFailed,
        // The key, a model name or the context: the user's settings (2); the engine or the network: 5.
        RemoteEngineException { IsConfiguration: true } => ExitCodes.BadInput,
        RemoteEngineException => ExitCodes.EngineUnavailable,
        InvalidInputException or LlamaException => ExitCodes.BadInput,
        OperationCanceledException => ExitCodes.Interrupted,
        _ => ExitCodes.InternalError,
    };

    /// <summary>The fix to print under the message, with the flags that apply it.</summary>
    public static string? Fix(Exception e) => e switch
    {
        LlamaException l => l.Fix,
        DownloadException d => WithFlag(d.Fix, d.Setting),
        InvalidInputException i => WithFlag(i.Fix, i.Setting),
        RemoteEngineException r => WithFlag(r.Fix, r.Setting),
        _ => null,
    };

    /// <summary>
    /// The flags of the options the library names by an options record's property, not by a settings
    /// key (settings keys get their flag from <see cref="SettingDefinitions"/>, which also makes the
    /// flags). Keyed by bare property names, so two records whose same-named properties are different
    /// flags cannot both be here; none are today. A value may be a whole phrase when one fix needs two
    /// flags together.
    /// </summary>
    private static readonly Dictionary<string, string> OptionFlags = new(StringComparer.Ordinal)
    {
        [nameof(DownloadRequest.Directory)] = "--to DIR",
        [nameof(DownloadRequest.Url)] = "--url URL --sha256 HEX",
        [nameof(DownloadRequest.Sha256)] = "--sha256 HEX",
        [SummaryEvaluator.DocumentsFolder] = "--docs DIR",
        [nameof(AskOptions.TopK)] = "--top-k N",
        [nameof(AskOptions.NeighbourChunks)] = "--neighbours N",
        [nameof(AskOptions.MaxTokens)] = "--max-tokens N",
        [nameof(SummarizeOptions.MaxWords)] = "--max-words N",
        [nameof(LocalQa.Server.ServerOptions.ApiKey)] = "--api-key KEY",
        [nameof(LocalQa.Server.ServerOptions.Host)] = "--host ADDRESS",
        [nameof(LocalQa.Server.ServerOptions.Port)] = "--port N",
        [nameof(LocalQa.Server.ServerOptions.Queue)] = "--queue N",
    };

    /// <summary>The flag (with its value's name) that sets <paramref name="setting"/>, or null when this front end has none.</summary>
    private static string? FlagOf(string? setting) => setting switch
    {
        null => null,
        _ when SettingDefinitions.Find(setting) is { } definition => $"{definition.Flag} {definition.HelpName}",
        _ => OptionFlags.GetValueOrDefault(setting),
    };

    /// <summary>
    /// The library's fix with the flag that applies it in parentheses at its end: "Free some space, or
    /// download to a folder on another disk (--to DIR)." The library words its fixes so the option
    /// they concern is the one to change, which is why the end is the place for it.
    /// </summary>
    internal static string? WithFlag(string? fix, string? setting)
    {
        // An option this front end has no flag for still leaves the fix readable; never fail a report over it.
        if (FlagOf(setting) is not { } flag) return fix;
        if (string.IsNullOrEmpty(fix)) return $"Set {flag}.";
        return fix.EndsWith('.') ? $"{fix[..^1]} ({flag})." : $"{fix} ({flag})";
    }

    /// <summary>Writes "localqa: message" and "  fix: …" to <paramref name="error"/>; returns the exit code.</summary>
    public static int Report(TextWriter error, Exception e, bool verbose)
    {
        error.WriteLine($"localqa: {e.Message}");
        if (Fix(e) is { } fix) error.WriteLine($"  fix: {fix}");
        if (verbose) error.WriteLine(e.ToString());
        return ExitCode(e);
    }
}
