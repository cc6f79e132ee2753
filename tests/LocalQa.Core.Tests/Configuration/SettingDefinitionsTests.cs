using System.Text;
using LocalQa.Hosting.Configuration;
using Xunit;

namespace LocalQa.Core.Tests.Configuration;

/// <summary>
/// One description per setting: whatever is in <see cref="SettingDefinitions"/> is accepted by
/// localqa.json, resolved from a flag with its source, and shown by <c>config show</c>'s entries.
/// A setting added to the table but not carried through any of them fails here.
/// </summary>
public sealed class SettingDefinitionsTests
{
    public static TheoryData<string> Keys() => [.. SettingDefinitions.All.Select(d => d.Key)];

    [Theory]
    [MemberData(nameof(Keys))]
    public void Every_setting_is_read_from_the_file_and_a_flag_and_shown_with_its_source(string key)
    {
        var setting = SettingDefinitions.Of(key);
        var (json, flag) = setting.Kind switch
        {
            SettingKind.WholeNumber => ("7", (object)7),
            SettingKind.PathList => ("[\"some-folder\"]", new[] { "some-folder" }),
            SettingKind.Choice => ($"\"{setting.Choices![^1]}\"", setting.Choices![^1]),
            _ => ("\"some-value\"", "some-value"),
        };

        var entries = ConfigFile.Parse(Encoding.UTF8.GetBytes($"{{ \"{key}\": {json} }}"), "localqa.json");
        Assert.True(entries.ContainsKey(key), $"localqa.json does not accept \"{key}\".");

        var root = Path.Combine(Path.GetTempPath(), "localqa-settings-" + Guid.NewGuid().ToString("N"));
        var environment = new SettingsEnvironment
        {
            GetVariable = _ => null,
            CurrentDirectory = root,
            UserConfigDirectory = null,
            DefaultHome = Path.Combine(root, "home"),
            DefaultPromptsDirectory = null,
            BundledModelFolders = [],
            Catalog = null,
        };
        var resolved = new SettingsResolver(environment).Resolve(SettingsOverrides.Of((key, flag)));
        var (_, value, source) = Assert.Single(resolved.Entries(), e => e.Key == key);
        Assert.Equal(SettingSourceKind.Flag, source.Kind);
        Assert.Equal(setting.Flag, source.Detail);
        Assert.NotNull(value);
    }

    [Fact]
    public void A_flag_value_of_the_wrong_kind_is_refused_naming_the_setting()
    {
        var e = Assert.Throws<ArgumentException>(() => SettingsOverrides.Of((SettingKeys.Threads, "four")));
        Assert.Contains(SettingKeys.Threads, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Flags_and_variables_are_unique()
    {
        Assert.Equal(SettingDefinitions.All.Count, SettingDefinitions.All.Select(d => d.Flag).Distinct().Count());
        var variables = SettingDefinitions.All.Where(d => d.Variable is not null).Select(d => d.Variable).ToArray();
        Assert.Equal(variables.Length, variables.Distinct().Count());
    }
}
