using LocalQa.Core;
using LocalQa.Core.Answering;
using LocalQa.Hosting.Configuration;
using LocalQa.Hosting.Models;
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
    public void The_engine_says_how_large_and_the_command_line_adds_the_flag_of_the_setting_that_sized_it()
    {
        // The library turns the engine's refusal of a context it sized from the setting into that setting's error.
        var engine = new ContextSizeException("Context size 8192 is larger than 'm.gguf' was trained for (2048 tokens).", "Use a context of 2048 tokens or less.");
        var output = new StringWriter();
        var code = CliErrors.Report(output, new InvalidInputException(engine.Message, engine.Fix, engine) { Setting = SettingKeys.ContextSize }, verbose: false);
        Assert.Equal(ExitCodes.BadInput, code);
        Assert.Contains("localqa: Context size 8192", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("fix: Use a context of 2048 tokens or less (--context TOKENS).", output.ToString(), StringComparison.Ordinal);

        // A context the engine sized itself (an embedding model's) is no flag's doing: its fix stands alone.
        var own = new StringWriter();
        CliErrors.Report(own, engine, verbose: false);
        Assert.Contains("fix: Use a context of 2048 tokens or less.", own.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("--context", own.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void The_library_names_the_setting_and_the_command_line_adds_its_flag()
    {
        var error = new InvalidInputException("Index path '/tmp/notes' is a folder.", "Give the index a file path, such as ~/notes/index.db.")
        {
            Setting = SettingKeys.Index,
        };
        var output = new StringWriter();
        Assert.Equal(ExitCodes.BadInput, CliErrors.Report(output, error, verbose: false));
        Assert.Contains("localqa: Index path '/tmp/notes' is a folder.", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("  fix: Give the index a file path, such as ~/notes/index.db (--index FILE).", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void An_options_property_gets_its_flag_from_the_command_lines_own_table()
    {
        var error = new InvalidInputException("Asked for 0 passages.", "Use a value from 1 to 50.") { Setting = nameof(AskOptions.TopK) };
        Assert.Equal("Use a value from 1 to 50 (--top-k N).", CliErrors.Fix(error));
    }

    [Fact]
    public void A_fix_that_concerns_no_setting_is_printed_as_the_library_wrote_it()
    {
        var error = new InvalidInputException("The search query is empty.", "Ask a question.");
        var output = new StringWriter();
        CliErrors.Report(output, error, verbose: false);
        Assert.Contains("  fix: Ask a question.", output.ToString(), StringComparison.Ordinal);
        Assert.DoesNotContain("--", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void A_setting_this_front_end_has_no_flag_for_leaves_the_fix_as_it_is()
    {
        var error = new InvalidInputException("Something is off.", "Change it.") { Setting = "no_such_setting" };
        Assert.Equal("Change it.", CliErrors.Fix(error));
    }

    [Fact]
    public void A_download_error_gets_the_flags_of_its_setting_and_none_without_one()
    {
        var moved = new DownloadException("HTTP 404.", "The file may have moved: download it from its new address, with its SHA-256.")
        {
            Setting = nameof(DownloadRequest.Url),
        };
        var output = new StringWriter();
        Assert.Equal(ExitCodes.DownloadFailed, CliErrors.Report(output, moved, verbose: false));
        Assert.Contains("  fix: The file may have moved: download it from its new address, with its SHA-256 (--url URL --sha256 HEX).", output.ToString(), StringComparison.Ordinal);

        var diskFull = new InvalidInputException("Not enough disk space.", "Free some space, or download to a folder on another disk.")
        {
            Setting = nameof(DownloadRequest.Directory),
        };
        Assert.Equal("Free some space, or download to a folder on another disk (--to DIR).", CliErrors.Fix(diskFull));

        Assert.Equal("Run the same command again later to resume.", CliErrors.Fix(new DownloadException("Gave up.", "Run the same command again later to resume.")));
    }
}
