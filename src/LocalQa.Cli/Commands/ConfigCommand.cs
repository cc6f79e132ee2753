using System.CommandLine;
using System.Globalization;
using LocalQa.Core;
using LocalQa.Hosting.Configuration;

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
                var entries = new SortedDictionary<string, SettingJson>(StringComparer.Ordinal);
                foreach (var (key, value, source) in resolved.Entries())
                    entries[key] = new SettingJson(value, source.Kind, source.Detail, source.Line, ExistsOrNull(key, value));
                cli.WriteJson(new ConfigJson(resolved.ConfigFiles, settingsResolver.ConfigFileLocations(), entries));
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

    /// <summary>config show --json: the files read, the places looked in, and each setting by key.</summary>
    private sealed record ConfigJson(IReadOnlyList<string> ConfigFiles, IReadOnlyList<string> Searched, IReadOnlyDictionary<string, SettingJson> Settings);

    /// <summary>One setting's value and where it came from ("from": the file, variable or flag; "line" in a file).</summary>
    private sealed record SettingJson(object? Value, SettingSourceKind Source, string? From, int? Line, bool? Exists);
}
