using LocalQa.Core.Tests.Models;
using LocalQa.Hosting;
using LocalQa.Hosting.Configuration;
using LocalQa.Hosting.Models;
using LocalQa.Llama;

namespace LocalQa.Core.Tests.Configuration;

/// <summary>Every test builds its own <see cref="SettingsEnvironment"/>: nothing reads the real environment.</summary>
public sealed class SettingsResolverTests : IDisposable
{
    private static readonly ModelCatalog Catalog = ModelCatalog.Parse($$"""
        {"chat": [{"name": "default-chat", "default": true, "file": "default-chat.gguf", "url": "https://h/default-chat.gguf", "sha256": "{{new string('a', 64)}}", "bytes": 1},
                  {"name": "other-chat", "file": "other-chat.gguf", "url": "https://h/other-chat.gguf", "sha256": "{{new string('c', 64)}}", "bytes": 1}],
         "embedding": [{"name": "default-embed", "default": true, "file": "default-embed.gguf", "url": "https://h/default-embed.gguf", "sha256": "{{new string('b', 64)}}", "bytes": 1}]}
        """, "inline");

    private readonly TempFolder _dir = new();
    private readonly Dictionary<string, string> _env = new(StringComparer.Ordinal);

    public void Dispose() => _dir.Dispose();

    private string Cwd => _dir.Sub("work");

    private string UserConfig => _dir.Sub("config");

    private string DefaultHome => _dir["home-default"];

    private string Bundled => _dir.Sub("bundled-models");

    private SettingsResolver Resolver() => new(new SettingsEnvironment
    {
        GetVariable = name => _env.GetValueOrDefault(name),
        CurrentDirectory = Cwd,
        UserConfigDirectory = UserConfig,
        DefaultHome = DefaultHome,
        DefaultPromptsDirectory = _dir["prompts"],
        BundledModelFolders = [Bundled],
        Catalog = Catalog,
    });

    private void UserFile(string json) => File.WriteAllText(Path.Combine(UserConfig, "localqa.json"), json);

    private void CwdFile(string json) => File.WriteAllText(Path.Combine(Cwd, "localqa.json"), json);

    [Fact]
    public void With_nothing_configured_every_setting_is_the_default()
    {
        var r = Resolver().Resolve();
        var s = r.Settings;

        Assert.Equal(DefaultHome, s.Home);
        Assert.Equal(Path.Combine(DefaultHome, "index.db"), s.Index);
        Assert.Equal(Path.Combine(DefaultHome, "models"), s.ModelsDirectory);
        Assert.Equal([Path.Combine(DefaultHome, "models"), Bundled], s.ModelFolders);
        Assert.Null(s.ChatModel);
        Assert.Null(s.EmbedModel);
        Assert.Null(s.Threads);
        Assert.Null(s.GpuLayers);
        Assert.Null(s.NativeDir);
        Assert.Equal(_dir["prompts"], s.PromptsDir);
        Assert.Empty(r.ConfigFiles);
        Assert.All(r.Sources.Values, source => Assert.Equal(SettingSourceKind.Default, source.Kind));
        Assert.Equal(SettingDefinitions.Keys.Order(), r.Sources.Keys.Order());
    }

    // Layers that set "threads": u = localqa.json in the user config folder (1), c = in the current
    // folder (2), e = LOCALQA_THREADS (3), f = --threads (4). The highest present layer wins.
    [Theory]
    [InlineData("", null, SettingSourceKind.Default)]
    [InlineData("u", 1, SettingSourceKind.File)]
    [InlineData("c", 2, SettingSourceKind.File)]
    [InlineData("uc", 2, SettingSourceKind.File)]
    [InlineData("e", 3, SettingSourceKind.Environment)]
    [InlineData("uce", 3, SettingSourceKind.Environment)]
    [InlineData("ue", 3, SettingSourceKind.Environment)]
    [InlineData("f", 4, SettingSourceKind.Flag)]
    [InlineData("uf", 4, SettingSourceKind.Flag)]
    [InlineData("cef", 4, SettingSourceKind.Flag)]
    [InlineData("ucef", 4, SettingSourceKind.Flag)]
    public void Precedence_is_default_then_user_file_then_current_folder_file_then_environment_then_flag(string layers, int? expected, SettingSourceKind kind)
    {
        if (layers.Contains('u', StringComparison.Ordinal)) UserFile("""{ "threads": 1 }""");
        if (layers.Contains('c', StringComparison.Ordinal)) CwdFile("""{ "threads": 2 }""");
        if (layers.Contains('e', StringComparison.Ordinal)) _env["LOCALQA_THREADS"] = "3";
        var flags = layers.Contains('f', StringComparison.Ordinal) ? SettingsOverrides.Of((SettingKeys.Threads, 4)) : null;

        var r = Resolver().Resolve(flags);

        Assert.Equal(expected, r.Settings.Threads);
        var source = r.Sources[SettingKeys.Threads];
        Assert.Equal(kind, source.Kind);
        switch (kind)
        {
            case SettingSourceKind.File:
                var file = expected == 1 ? Path.Combine(UserConfig, "localqa.json") : Path.Combine(Cwd, "localqa.json");
                Assert.Equal(file, source.Detail);
                Assert.Equal(1, source.Line);
                break;
            case SettingSourceKind.Environment:
                Assert.Equal("LOCALQA_THREADS", source.Detail);
                break;
            case SettingSourceKind.Flag:
                Assert.Equal("--threads", source.Detail);
                break;
        }
    }

    [Fact]
    public void Every_variable_and_flag_reaches_its_setting_and_says_so()
    {
        _env["LOCALQA_MODEL"] = "some-model.gguf";
        _env["LOCALQA_EMBED_MODEL"] = "embed.gguf";
        _env["LOCALQA_INDEX"] = "idx.db";
        _env["LOCALQA_HOME"] = "data";
        _env["LOCALQA_NATIVE_DIR"] = "/opt/llama";
        _env["LOCALQA_THREADS"] = " 6 ";
        _env["LOCALQA_GPU_LAYERS"] = "99";

        var r = Resolver().Resolve(SettingsOverrides.Of((SettingKeys.ContextSize, 4096), (SettingKeys.PromptsDir, "my-prompts"), (SettingKeys.ModelFolders, new[] { "m1", "m2" })));
        var s = r.Settings;

        Assert.Equal("some-model.gguf", s.ChatModel);
        Assert.Equal("embed.gguf", s.EmbedModel);
        Assert.Equal(Path.Combine(Cwd, "idx.db"), s.Index);
        Assert.Equal(Path.Combine(Cwd, "data"), s.Home);
        Assert.Equal("/opt/llama", s.NativeDir);
        Assert.Equal(6, s.Threads);
        Assert.Equal(99, s.GpuLayers);
        Assert.Equal(4096, s.ContextSize);
        Assert.Equal(Path.Combine(Cwd, "my-prompts"), s.PromptsDir);
        Assert.Equal([Path.Combine(Cwd, "m1"), Path.Combine(Cwd, "m2"), Path.Combine(Cwd, "data", "models"), Bundled], s.ModelFolders);

        Assert.Equal("env LOCALQA_MODEL", r.Sources[SettingKeys.ChatModel].ToString());
        Assert.Equal("env LOCALQA_EMBED_MODEL", r.Sources[SettingKeys.EmbedModel].ToString());
        Assert.Equal("env LOCALQA_GPU_LAYERS", r.Sources[SettingKeys.GpuLayers].ToString());
        Assert.Equal("flag --context", r.Sources[SettingKeys.ContextSize].ToString());
        Assert.Equal("flag --models-dir", r.Sources[SettingKeys.ModelFolders].ToString());

        _env.Clear();
        var flagged = Resolver().Resolve(SettingsOverrides.Of((SettingKeys.GpuLayers, 0), (SettingKeys.Home, "other")));
        Assert.Equal(0, flagged.Settings.GpuLayers);
        Assert.Equal("flag --gpu-layers", flagged.Sources[SettingKeys.GpuLayers].ToString());
        Assert.Equal(Path.Combine(Cwd, "other", "index.db"), flagged.Settings.Index);
    }

    [Fact]
    public void Relative_paths_in_a_file_start_from_the_file_s_folder_and_tilde_is_the_home_folder()
    {
        _env["HOME"] = _dir["user-home"];
        UserFile("""
            {
              // comments and trailing commas are fine
              "home": "data",
              "model_folders": ["~/models", "more-models"],
              "native_dir": null,
            }
            """);

        var r = Resolver().Resolve();

        Assert.Equal(Path.Combine(UserConfig, "data"), r.Settings.Home);
        Assert.Equal(Path.Combine(_dir["user-home"], "models"), r.Settings.ModelFolders[0]);
        Assert.Equal(Path.Combine(UserConfig, "more-models"), r.Settings.ModelFolders[1]);
        Assert.Equal(new SettingSource(SettingSourceKind.File, Path.Combine(UserConfig, "localqa.json"), 4), r.Sources[SettingKeys.ModelFolders]);
        Assert.Equal(SettingSourceKind.Default, r.Sources[SettingKeys.NativeDir].Kind);
        Assert.Equal([Path.Combine(UserConfig, "localqa.json")], r.ConfigFiles);
    }

    [Fact]
    public void Bad_json_names_the_file_and_the_line()
    {
        CwdFile("""
            {
              "threads": 4,
              "index": "x.db"
              "home": "y"
            }
            """);

        var e = Assert.Throws<InvalidInputException>(() => Resolver().Resolve());

        Assert.Contains(Path.Combine(Cwd, "localqa.json"), e.Message, StringComparison.Ordinal);
        Assert.Contains("line 4", e.Message, StringComparison.Ordinal);
        Assert.Contains("not valid JSON", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("LineNumber", e.Message, StringComparison.Ordinal);
        Assert.NotNull(e.Fix);
    }

    [Theory]
    [InlineData("{\n  \"chat-model\": \"x\"\n}", "line 2", "did you mean \"chat_model\"")]
    [InlineData("{\n\n  \"threads\": \"four\"\n}", "line 3", "\"threads\" must be a whole number, not \"four\"")]
    [InlineData("{ \"model_folders\": [1] }", "line 1", "list of folder paths")]
    [InlineData("{ \"home\": \"a\", \"home\": \"b\" }", "line 1", "appears twice")]
    [InlineData("[1, 2]", "line 1", "one JSON object")]
    [InlineData("", "line 1", "empty")]
    [InlineData("{ } { }", "line 1", "not valid JSON")]
    [InlineData("{\n \"threads\": 0 }", "line 2", "at least 1")]
    public void A_mistake_in_localqa_json_names_the_file_the_line_and_the_problem(string json, string line, string problem)
    {
        CwdFile(json);

        var e = Assert.Throws<InvalidInputException>(() => Resolver().Resolve());

        Assert.Contains("localqa.json", e.Message, StringComparison.Ordinal);
        Assert.Contains(line, e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_bad_variable_or_flag_value_names_the_variable_or_flag()
    {
        _env["LOCALQA_GPU_LAYERS"] = "lots";
        var e = Assert.Throws<InvalidInputException>(() => Resolver().Resolve());
        Assert.Contains("LOCALQA_GPU_LAYERS is 'lots'", e.Message, StringComparison.Ordinal);

        _env.Clear();
        var f = Assert.Throws<InvalidInputException>(() => Resolver().Resolve(SettingsOverrides.Of((SettingKeys.Threads, 0))));
        Assert.Contains("--threads is 0", f.Message, StringComparison.Ordinal);

        var g = Assert.Throws<InvalidInputException>(() => Resolver().Resolve(SettingsOverrides.Of((SettingKeys.GpuLayers, -2))));
        Assert.Contains("--gpu-layers", g.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Settings_that_size_native_resources_have_an_upper_bound()
    {
        // Issue 24: 100000 threads reached llama.cpp, which failed natively (exit 1 or 134).
        _env["LOCALQA_THREADS"] = "100000";
        var e = Assert.Throws<InvalidInputException>(() => Resolver().Resolve());
        Assert.Equal($"LOCALQA_THREADS is 100000; it must be at most {LlamaContextOptions.MaxThreads}.", e.Message);
        Assert.EndsWith($"It must be from 1 to {LlamaContextOptions.MaxThreads}.", e.Fix, StringComparison.Ordinal);

        _env.Clear();
        Assert.Equal(LlamaContextOptions.MaxThreads, Resolver().Resolve(SettingsOverrides.Of((SettingKeys.Threads, LlamaContextOptions.MaxThreads))).Settings.Threads);
        var f = Assert.Throws<InvalidInputException>(() => Resolver().Resolve(SettingsOverrides.Of((SettingKeys.ContextSize, LlamaContextOptions.MaxContext + 1))));
        Assert.Contains("--context is 1048577; it must be at most 1,048,576.", f.Message, StringComparison.Ordinal);

        CwdFile("{\n  \"threads\": 513\n}");
        var g = Assert.Throws<InvalidInputException>(() => Resolver().Resolve());
        Assert.Contains("line 2, is 513; it must be at most 512.", g.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_empty_variable_counts_as_unset()
    {
        _env["LOCALQA_THREADS"] = "";
        _env["LOCALQA_MODEL"] = "  ";
        var r = Resolver().Resolve();
        Assert.Null(r.Settings.Threads);
        Assert.Equal(SettingSourceKind.Default, r.Sources[SettingKeys.ChatModel].Kind);
    }

    [Fact]
    public void With_no_model_configured_the_catalog_defaults_are_used_when_a_models_folder_holds_them()
    {
        var homeModels = Directory.CreateDirectory(Path.Combine(DefaultHome, "models")).FullName;
        File.WriteAllText(Path.Combine(homeModels, "default-chat.gguf"), "x");
        File.WriteAllText(Path.Combine(Bundled, "default-embed.gguf"), "x");

        var r = Resolver().Resolve();

        Assert.Equal(Path.Combine(homeModels, "default-chat.gguf"), r.Settings.ChatModel);
        Assert.Equal(Path.Combine(Bundled, "default-embed.gguf"), r.Settings.EmbedModel);
        Assert.Equal(SettingSourceKind.Catalog, r.Sources[SettingKeys.ChatModel].Kind);
        Assert.Contains("default-chat", r.Sources[SettingKeys.ChatModel].Detail, StringComparison.Ordinal);
        Assert.Equal(Path.Combine(homeModels, "default-chat.gguf"), r.RequireModel(ModelKind.Chat));
    }

    [Fact]
    public void A_configured_model_wins_over_the_catalog_default_and_a_catalog_name_finds_its_file()
    {
        var homeModels = Directory.CreateDirectory(Path.Combine(DefaultHome, "models")).FullName;
        File.WriteAllText(Path.Combine(homeModels, "default-chat.gguf"), "x");
        File.WriteAllText(Path.Combine(homeModels, "other-chat.gguf"), "x");
        CwdFile("""{ "chat_model": "other-chat" }""");

        var r = Resolver().Resolve();

        Assert.Equal(Path.Combine(homeModels, "other-chat.gguf"), r.Settings.ChatModel);
        Assert.Equal(SettingSourceKind.File, r.Sources[SettingKeys.ChatModel].Kind);
    }

    [Fact]
    public void Missing_models_give_errors_that_say_how_to_get_one()
    {
        var none = Resolver().Resolve();
        var e = Assert.Throws<InvalidInputException>(() => none.RequireModel(ModelKind.Chat));
        Assert.Contains("default-chat", e.Message, StringComparison.Ordinal);
        Assert.Contains("localqa models download default-chat", e.Fix, StringComparison.Ordinal);
        Assert.Contains("--model", e.Fix, StringComparison.Ordinal);

        _env["LOCALQA_EMBED_MODEL"] = "nowhere/e.gguf";
        var wrong = Resolver().Resolve();
        Assert.Equal(Path.Combine(Cwd, "nowhere", "e.gguf"), wrong.Settings.EmbedModel);
        var f = Assert.Throws<InvalidInputException>(() => wrong.RequireModel(ModelKind.Embedding));
        Assert.Contains("env LOCALQA_EMBED_MODEL", f.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_real_process_default_home_matches_LocalQaPaths()
    {
        if (!string.IsNullOrWhiteSpace(Environment.GetEnvironmentVariable("LOCALQA_HOME")))
            Assert.Skip("LOCALQA_HOME is set in this process, so LocalQaPaths.Home is not the default.");
        Assert.Equal(LocalQaPaths.Home, SettingsEnvironment.DefaultDataHome(Environment.GetEnvironmentVariable));
    }

    [Fact]
    public void The_user_config_folder_follows_XDG_CONFIG_HOME_then_HOME()
    {
        if (OperatingSystem.IsWindows()) Assert.Skip("Windows uses %APPDATA%.");
        Assert.Equal("/x/cfg/localqa", SettingsEnvironment.DefaultUserConfigDirectory(n => n == "XDG_CONFIG_HOME" ? "/x/cfg" : null));
        Assert.Equal("/home/u/.config/localqa", SettingsEnvironment.DefaultUserConfigDirectory(n => n == "HOME" ? "/home/u" : null));
    }
}
