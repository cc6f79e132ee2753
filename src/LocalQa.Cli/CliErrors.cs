using LocalQa.Core;
using LocalQa.Core.Models;
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
    public static bool IsReported(Exception e) => e is InvalidInputException or LlamaException or DownloadException;

    public static int ExitCode(Exception e) => e switch
    {
        LlamaRuntimeException => ExitCodes.RuntimeUnavailable,
        DownloadException => ExitCodes.DownloadFailed,
        InvalidInputException or LlamaException => ExitCodes.BadInput,
        OperationCanceledException => ExitCodes.Interrupted,
        _ => ExitCodes.InternalError,
    };

    /// <summary>The fix to print under the message, with the flags that apply it.</summary>
    public static string? Fix(Exception e) => e switch
    {
        ContextSizeException c => $"{c.Fix} Set it with --context TOKENS.",
        ContextFullException => "Ask a shorter question, lower --top-k, or use a larger --context.",
        LlamaException l => l.Fix,
        DownloadException d => d.Fix,
        InvalidInputException i => i.Fix,
        _ => null,
    };

    /// <summary>Writes "localqa: message" and "  fix: …" to <paramref name="error"/>; returns the exit code.</summary>
    public static int Report(TextWriter error, Exception e, bool verbose)
    {
        error.WriteLine($"localqa: {e.Message}");
        if (Fix(e) is { } fix) error.WriteLine($"  fix: {fix}");
        if (verbose) error.WriteLine(e.ToString());
        return ExitCode(e);
    }
}
