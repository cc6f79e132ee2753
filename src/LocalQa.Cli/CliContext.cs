using System.Text.Json;
using LocalQa.Core.Prompts;
using LocalQa.SemanticKernel;
using LocalQa.Hosting;
using Spectre.Console;

namespace LocalQa.Cli;

/// <summary>What every verb writes to: injected so tests capture it.</summary>
public sealed class CliContext(TextWriter output, TextWriter error)
{
    /// <summary>The command line renders prompt files with Semantic Kernel's engine, as an SK application loading them would.</summary>
    public static IPromptRenderer PromptRenderer { get; } = new SemanticKernelPromptRenderer();

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

    public void WriteJson<T>(T value) => Out.WriteLine(JsonSerializer.Serialize(value, LocalQaJson.Options));

    /// <summary>
    /// Runs <paramref name="work"/> under one progress bar on <see cref="Console"/> (cleared when it ends);
    /// <paramref name="show"/> moves the bar for each report, on the worker's thread, so no report lands
    /// after the display has closed (see <see cref="SyncProgress{T}"/>).
    /// </summary>
    public async Task<TResult> WithProgressBarAsync<TResult, TProgress>(string label, Action<ProgressTask, TProgress> show, Func<IProgress<TProgress>, Task<TResult>> work)
    {
        ArgumentNullException.ThrowIfNull(show);
        ArgumentNullException.ThrowIfNull(work);
        TResult result = default!;
        await Console.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(label, maxValue: 1);
                result = await work(new SyncProgress<TProgress>(p => show(task, p))).ConfigureAwait(false);
            }).ConfigureAwait(false);
        return result;
    }
}
