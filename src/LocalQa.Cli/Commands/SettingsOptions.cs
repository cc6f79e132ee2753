using System.CommandLine;
using LocalQa.Core;
using LocalQa.Hosting.Configuration;

namespace LocalQa.Cli.Commands;

/// <summary>
/// The command-line flags that set <see cref="LocalQaSettings"/>, the highest-precedence layer, made
/// from <see cref="SettingDefinitions"/>: name, value type, help and variable come from there.
/// Create one per command (an option belongs to one command) and read it with <see cref="Read"/>.
/// </summary>
internal sealed class SettingsOptions
{
    private readonly List<(SettingDefinition Setting, Option Option)> _options = [];

    private SettingsOptions(Func<SettingDefinition, bool> include)
    {
        foreach (var setting in SettingDefinitions.All.Where(include))
        {
            Option option = setting.Kind switch
            {
                SettingKind.WholeNumber => new Option<int?>(setting.Flag),
                SettingKind.PathList => new Option<string[]>(setting.Flag),
                _ => new Option<string?>(setting.Flag),
            };
            option.Description = setting.Description;
            option.HelpName = setting.HelpName;
            _options.Add((setting, option));
        }
    }

    /// <summary>Every settings flag but serve's own.</summary>
    public static SettingsOptions All() => new(s => !s.ServeSetting);

    /// <summary>Every settings flag, serve's included.</summary>
    public static SettingsOptions Serve() => new(_ => true);

    /// <summary>Every settings flag but serve's own and those of <paramref name="keys"/>.</summary>
    public static SettingsOptions Except(IReadOnlyCollection<string> keys) => new(s => !s.ServeSetting && !keys.Contains(s.Key));

    /// <summary>Where LocalQa's files and its runtime are (--home, --native-dir): for the verbs that load the runtime but no library.</summary>
    public static SettingsOptions Runtime() => new(s => s.Key is SettingKeys.Home or SettingKeys.NativeDir);

    /// <summary>The runtime's flags and --index: what doctor checks.</summary>
    public static SettingsOptions RuntimeAndIndex() => new(s => s.Key is SettingKeys.Home or SettingKeys.NativeDir or SettingKeys.Index);

    /// <summary>What doctor checks: the runtime, --index, and the remote engine's settings (its models come from localqa.json or the variables, since doctor's --model is a file to inspect).</summary>
    public static SettingsOptions Doctor() => new(s => s.Key is SettingKeys.Home or SettingKeys.NativeDir or SettingKeys.Index
        or SettingKeys.Engine or SettingKeys.Endpoint or SettingKeys.ApiKey or SettingKeys.ContextSize or SettingKeys.Timeout);

    /// <summary>Only the flags that say where files are: --home and --models-dir.</summary>
    public static SettingsOptions Folders() => new(s => s.FolderSetting);

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var (_, option) in _options) command.Options.Add(option);
    }

    public SettingsOverrides Read(ParseResult parse)
    {
        ArgumentNullException.ThrowIfNull(parse);
        var overrides = new SettingsOverrides();
        foreach (var (setting, option) in _options)
        {
            overrides.Set(setting.Key, option switch
            {
                Option<int?> number => parse.GetValue(number),
                Option<string[]> list => parse.GetValue(list),
                Option<string?> text => parse.GetValue(text),
                _ => null,
            });
        }

        return overrides;
    }
}
