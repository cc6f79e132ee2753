using LocalQa.Core;
using LocalQa.Core.Models;
using LocalQa.Llama;
using Xunit;

namespace LocalQa.Cli.Tests;

/// <summary>
/// Every layer's error reaches the user through one map: the exit code the README lists, and a fix
/// that names this front end's flags where the engine's own words cannot.
/// </summary>
public sealed class CliErrorsTests
{
    public static TheoryData<Exception, int> Kinds() => new()
    {
        { new InvalidInputException("bad folder"), ExitCodes.BadInput },
        { new ModelFileException("bad model file"), ExitCodes.BadInput },
        { new ContextSizeException("too large", "Use a context of 2048 tokens or less."), ExitCodes.BadInput },
        { new ContextFullException("does not fit"), ExitCodes.BadInput },
        { new LlamaRuntimeException("no runtime"), ExitCodes.RuntimeUnavailable },
        { new DownloadException("no network"), ExitCodes.DownloadFailed },
        { new ChecksumMismatchException("digest differs"), ExitCodes.DownloadFailed },
        { new OperationCanceledException(), ExitCodes.Interrupted },
        { new InvalidOperationException("a bug"), ExitCodes.InternalError },
    };

    [Theory]
    [MemberData(nameof(Kinds))]
    public void Each_kind_of_error_has_its_documented_exit_code(Exception error, int code) =>
        Assert.Equal(code, CliErrors.ExitCode(error));

    [Fact]
    public void Only_errors_a_user_can_act_on_are_reported_as_such()
    {
        Assert.True(CliErrors.IsReported(new ContextFullException("x")));
        Assert.True(CliErrors.IsReported(new DownloadException("x")));
        Assert.False(CliErrors.IsReported(new InvalidOperationException("x")));
        Assert.False(CliErrors.IsReported(new ArgumentException("a bug too")));
    }

    [Fact]
    public void The_engine_says_how_large_and_the_command_line_adds_its_flag()
    {
        var error = new ContextSizeException("Context size 8192 is larger than 'm.gguf' was trained for (2048 tokens).", "Use a context of 2048 tokens or less.");
        var output = new StringWriter();
        var code = CliErrors.Report(output, error, verbose: false);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("localqa: Context size 8192", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("fix: Use a context of 2048 tokens or less. Set it with --context TOKENS.", output.ToString(), StringComparison.Ordinal);
    }
}
