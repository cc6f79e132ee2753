using System.CommandLine;
using LocalQa.Core;
using LocalQa.Core.Configuration;

namespace LocalQa.Cli.Commands;

/// <summary>The settings flags every library verb shares, resolved with localqa.json and LOCALQA_*
/// variables (flags win) into the <see cref="LibraryOptions"/> the verb opens its library with.</summary>
internal sealed class CommonOptions
{
    private readonly SettingsOptions _settings = SettingsOptions.All();

    public void AddTo(Command command) => _settings.AddTo(command);

    public LibraryOptions Resolve(ParseResult parse)
    {
        var resolved = SettingsResolver.ForCurrentProcess().Resolve(_settings.Read(parse));
        // The engine reads threads, GPU layers and the native folder from the process environment.
        resolved.ExportToProcessEnvironment();
        var s = resolved.Settings;
        return new LibraryOptions
        {
            IndexPath = s.Index,
            ChatModel = s.ChatModel,
            EmbedModel = s.EmbedModel,
            PromptsDirectory = s.PromptsDir,
            ContextSize = s.ContextSize,
            Threads = s.Threads ?? 0,
            GpuLayers = s.GpuLayers ?? 0,
        };
    }
}
