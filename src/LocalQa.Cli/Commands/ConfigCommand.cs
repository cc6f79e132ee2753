using System.CommandLine;
using System.Globalization;
using LocalQa.Core.Configuration;

namespace LocalQa.Cli.Commands;

internal static class ConfigCommand
{
    public static Command Create(CliContext cli) => Create(cli, SettingsResolver.ForCurrentProcess);

    /// <summary>The command over an injected resolver (tests pass one that never reads the real environment).</summary>
    internal static Command Create(CliContext cli, Func<SettingsResolver> resolver)
    {
        var config = new Command("config", "Settings: localqa.json (user config folder, then current folder), LOCALQA_* variables, flags.");
        var show = new Command("show", "Print the effective settings and where each one comes from.");
        var json = new Option<bool>("--json") { Description = "Print JSON." };
        var settings = SettingsOptions.All();
        settings.AddTo(show);
        show.Options.Add(json);
        show.SetAction((parse, ct) =>
        {
            var settingsResolver = resolver();
            var resolved = settingsResolver.Resolve(settings.Read(parse));
            if (parse.GetValue(json))
            {
                var entries = new SortedDictionary<string, object?>(StringComparer.Ordinal);
                foreach (var (key, value, source) in resolved.Entries())
                {
                    entries[key] = new
                    {
                        value,
                        source = source.Kind.ToString().ToLowerInvariant(),
                        from = source.Detail,
                        line = source.Line,
                        exists = ExistsOrNull(key, value),
                    };
                }
                cli.WriteJson(new
                {
                    config_files = resolved.ConfigFiles,
                    searched = settingsResolver.ConfigFileLocations(),
                    settings = entries,
                });
                return Task.FromResult(ExitCodes.Ok);
            }
            var o = cli.Out;
            foreach (var (key, value, source) in resolved.Entries())
            {
                var text = value switch
                {
                    null => "(not set)",
                    IReadOnlyList<string> list => string.Join(Path.PathSeparator, list),
                    IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                    _ => value.ToString(),
                };
                if (ExistsOrNull(key, value) is false) text += "  (not found)";
                o.WriteLine($"{key,-14} {text}");
                o.WriteLine($"{"",-15}from {source}");
            }
            o.WriteLine(resolved.ConfigFiles.Count == 0
                ? $"settings files: none (looked for {string.Join(" and ", settingsResolver.ConfigFileLocations())})"
                : $"settings files: {string.Join(", ", resolved.ConfigFiles)} (later ones win)");
            return Task.FromResult(ExitCodes.Ok);
        });
        config.Subcommands.Add(show);
        return config;
    }

    /// <summary>Whether a model file exists; null for settings that are not model files.</summary>
    private static bool? ExistsOrNull(string key, object? value) =>
        key is SettingKeys.ChatModel or SettingKeys.EmbedModel && value is string path ? File.Exists(path) : null;
}

/// <summary>
/// The command-line flags that set <see cref="LocalQaSettings"/>: the highest-precedence layer.
/// Create one per command (an option belongs to one command) and read it with <see cref="Read"/>.
/// </summary>
internal sealed class SettingsOptions
{
    private readonly List<Option> _all = [];

    private SettingsOptions(bool all)
    {
        Home = Add(new Option<string?>(SettingsResolver.FlagOf(SettingKeys.Home)) { Description = "LocalQa's data folder (index, downloaded models). Env: LOCALQA_HOME.", HelpName = "DIR" });
        ModelsDir = Add(new Option<string[]>(SettingsResolver.FlagOf(SettingKeys.ModelFolders)) { Description = "Another folder to look for models in; repeatable.", HelpName = "DIR" });
        if (!all) return;
        Model = Add(new Option<string?>(SettingsResolver.FlagOf(SettingKeys.ChatModel)) { Description = "Chat model: a .gguf path, a catalog name, or a file in a models folder. Env: LOCALQA_MODEL.", HelpName = "MODEL" });
        EmbedModel = Add(new Option<string?>(SettingsResolver.FlagOf(SettingKeys.EmbedModel)) { Description = "Embedding model, like --model. Env: LOCALQA_EMBED_MODEL.", HelpName = "MODEL" });
        Index = Add(new Option<string?>(SettingsResolver.FlagOf(SettingKeys.Index)) { Description = "The index file. Env: LOCALQA_INDEX.", HelpName = "FILE" });
        NativeDir = Add(new Option<string?>(SettingsResolver.FlagOf(SettingKeys.NativeDir)) { Description = "A folder with a llama.cpp build to use instead of the bundled one. Env: LOCALQA_NATIVE_DIR.", HelpName = "DIR" });
        Threads = Add(new Option<int?>(SettingsResolver.FlagOf(SettingKeys.Threads)) { Description = "CPU threads (default: physical cores). Env: LOCALQA_THREADS.", HelpName = "N" });
        GpuLayers = Add(new Option<int?>(SettingsResolver.FlagOf(SettingKeys.GpuLayers)) { Description = "Layers to offload to the GPU (0: none, -1: all; needs a CUDA or Vulkan build of the runtime). Env: LOCALQA_GPU_LAYERS.", HelpName = "N" });
        Context = Add(new Option<int?>(SettingsResolver.FlagOf(SettingKeys.ContextSize)) { Description = "Context window in tokens (default: the model's).", HelpName = "TOKENS" });
        Prompts = Add(new Option<string?>(SettingsResolver.FlagOf(SettingKeys.PromptsDir)) { Description = "Folder of prompt templates.", HelpName = "DIR" });
    }

    public Option<string?> Home { get; }
    public Option<string[]> ModelsDir { get; }
    public Option<string?>? Model { get; }
    public Option<string?>? EmbedModel { get; }
    public Option<string?>? Index { get; }
    public Option<string?>? NativeDir { get; }
    public Option<int?>? Threads { get; }
    public Option<int?>? GpuLayers { get; }
    public Option<int?>? Context { get; }
    public Option<string?>? Prompts { get; }

    /// <summary>Every settings flag.</summary>
    public static SettingsOptions All() => new(all: true);

    /// <summary>Only the flags that say where files are: --home and --models-dir.</summary>
    public static SettingsOptions Folders() => new(all: false);

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in _all) command.Options.Add(option);
    }

    public SettingsOverrides Read(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return new SettingsOverrides
        {
            Home = parse.GetValue(Home),
            ModelFolders = parse.GetValue(ModelsDir),
            ChatModel = Model is null ? null : parse.GetValue(Model),
            EmbedModel = EmbedModel is null ? null : parse.GetValue(EmbedModel),
            Index = Index is null ? null : parse.GetValue(Index),
            NativeDir = NativeDir is null ? null : parse.GetValue(NativeDir),
            Threads = Threads is null ? null : parse.GetValue(Threads),
            GpuLayers = GpuLayers is null ? null : parse.GetValue(GpuLayers),
            ContextSize = Context is null ? null : parse.GetValue(Context),
            PromptsDir = Prompts is null ? null : parse.GetValue(Prompts),
        };
    }

    private T Add<T>(T option) where T : Option
    {
        _all.Add(option);
        return option;
    }
}
