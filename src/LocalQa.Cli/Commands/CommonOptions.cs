using System.CommandLine;
using LocalQa.Core;
using LocalQa.Hosting;
using LocalQa.Hosting.Configuration;

namespace LocalQa.Cli.Commands;

/// <summary>The settings flags every library verb shares, resolved with localqa.json and LOCALQA_*
/// variables (flags win) into the <see cref="LibraryOptions"/> the verb opens its library with.</summary>
internal sealed class CommonOptions
{
    private readonly SettingsOptions _settings;

    /// <summary>Every settings flag, for the verbs that use every setting (ask, chat, summarize, eval).</summary>
    public CommonOptions() => _settings = SettingsOptions.All();

    private CommonOptions(SettingsOptions settings) => _settings = settings;

    /// <summary>
    /// The settings flags except those the verb never uses: a flag a verb accepts must change what it
    /// does (ingest loads no chat model and no prompts, so it offers no --model, --context or --prompts).
    /// </summary>
    public static CommonOptions Without(params string[] keys) => new(SettingsOptions.Except(keys));

    /// <summary>Every settings flag and serve's own (--host, --port, --parallel, --queue, --client-requests, --cors).</summary>
    public static CommonOptions ForServe() => new(SettingsOptions.Serve());

    public void AddTo(Command command) => _settings.AddTo(command);

    public LibraryOptions Resolve(ParseResult parse) => Library(ResolveSettings(parse));

    /// <summary>The settings as resolved (flags over variables over localqa.json), for a verb that reads more than the library's.</summary>
    public LocalQaSettings ResolveSettings(ParseResult parse) => SettingsResolver.ForCurrentProcess().Resolve(_settings.Read(parse)).Settings;

    public static LibraryOptions Library(LocalQaSettings settings) => LibraryOptions.From(settings) with { PromptRenderer = CliContext.PromptRenderer };
}
