using System.Globalization;
using LocalQa.Core;
using LocalQa.Hosting.Models;
using LocalQa.Llama;

namespace LocalQa.Hosting.Configuration;

/// <summary>
/// Settings given on the command line, by key (<see cref="SettingKeys"/>): a string, an int or a
/// string[] as the setting's <see cref="SettingKind"/> says; null, blank or empty means "not given".
/// </summary>
public sealed class SettingsOverrides
{
    private readonly Dictionary<string, object?> _values = new(StringComparer.Ordinal);

    /// <summary>Flags given as key and value pairs.</summary>
    public static SettingsOverrides Of(params ReadOnlySpan<(string Key, object? Value)> values)
    {
        var overrides = new SettingsOverrides();
        foreach (var (key, value) in values) overrides.Set(key, value);
        return overrides;
    }

    /// <summary>Sets one flag's value, checking that it is of the setting's kind.</summary>
    public SettingsOverrides Set(string key, object? value)
    {
        var setting = SettingDefinitions.Of(key);
        var fits = value is null || setting.Kind switch
        {
            SettingKind.WholeNumber => value is int,
            SettingKind.PathList => value is IReadOnlyList<string>,
            _ => value is string,
        };
        if (!fits) throw new ArgumentException($"{key} takes a {setting.Kind} value, not {value!.GetType().Name}.", nameof(value));
        _values[key] = value;
        return this;
    }

    /// <summary>The given value of <paramref name="key"/>, or null.</summary>
    public object? this[string key] => _values.GetValueOrDefault(key);
}

/// <summary>
/// Produces the effective <see cref="LocalQaSettings"/> and, for each setting, where it came from.
/// Precedence, lowest first: built-in default, localqa.json in the user's config folder,
/// localqa.json in the current folder, LOCALQA_… environment variables, command-line flags.
/// Relative paths in a file start from that file's folder; in variables and flags, from the current folder.
/// When no model is configured, the catalog's default file is used if a models folder holds it.
/// </summary>
public sealed class SettingsResolver(SettingsEnvironment environment)
{
    private readonly record struct Candidate(object Value, SettingSource Source, string BaseDirectory);

    public SettingsEnvironment Environment { get; } = environment ?? throw new ArgumentNullException(nameof(environment));

    /// <summary>The resolver of the real process.</summary>
    public static SettingsResolver ForCurrentProcess() => new(SettingsEnvironment.ForCurrentProcess());


    /// <summary>Where localqa.json is looked for, lowest precedence first: the user config folder, then the current folder.</summary>
    public IReadOnlyList<string> ConfigFileLocations()
    {
        var files = new List<string>();
        foreach (var dir in new[] { Environment.UserConfigDirectory, Environment.CurrentDirectory })
        {
            if (dir is null) continue;
            var file = Path.GetFullPath(Path.Combine(dir, ConfigFile.FileName));
            if (!files.Contains(file, PathComparer)) files.Add(file);
        }
        return files;
    }

    /// <summary>The localqa.json files that exist, lowest precedence first.</summary>
    public IReadOnlyList<string> ConfigFiles() => ConfigFileLocations().Where(File.Exists).ToArray();

    /// <summary>Resolves the effective settings.</summary>
    /// <exception cref="InvalidInputException">A settings file is malformed, or a variable or flag has a bad value.</exception>
    public ResolvedSettings Resolve(SettingsOverrides? flags = null)
    {
        var winners = new Dictionary<string, Candidate>(StringComparer.Ordinal);
        var files = ConfigFiles();
        foreach (var file in files)
        {
            var dir = Path.GetDirectoryName(file)!;
            foreach (var (key, entry) in ConfigFile.Read(file))
                Offer(winners, key, entry.Value, new SettingSource(SettingSourceKind.File, file, entry.Line), dir);
        }
        foreach (var setting in SettingDefinitions.All)
        {
            if (setting.Variable is null || Environment.GetVariable(setting.Variable) is not { } raw || string.IsNullOrWhiteSpace(raw)) continue;
            object value = setting.Kind == SettingKind.WholeNumber ? ParseVariable(setting, raw) : raw.Trim();
            Offer(winners, setting.Key, value, new SettingSource(SettingSourceKind.Environment, setting.Variable), Environment.CurrentDirectory);
        }
        if (flags is not null) OfferFlags(winners, flags);

        var sources = new Dictionary<string, SettingSource>(StringComparer.Ordinal);

        var home = Pick(winners, sources, SettingKeys.Home, c => ExpandPath((string)c.Value, c.BaseDirectory), Environment.DefaultHome)!;
        var index = Pick(winners, sources, SettingKeys.Index, c => ExpandPath((string)c.Value, c.BaseDirectory), Path.Combine(home, "index.db"));
        var nativeDir = Pick<string?>(winners, sources, SettingKeys.NativeDir, c => ExpandPath((string)c.Value, c.BaseDirectory), null);
        var threads = Pick<int?>(winners, sources, SettingKeys.Threads, c => (int)c.Value, null);
        var gpuLayers = Pick<int?>(winners, sources, SettingKeys.GpuLayers, c => (int)c.Value, null);
        var contextSize = Pick<int?>(winners, sources, SettingKeys.ContextSize, c => (int)c.Value, null);
        var promptsDir = Pick(winners, sources, SettingKeys.PromptsDir, c => ExpandPath((string)c.Value, c.BaseDirectory), Environment.DefaultPromptsDirectory);
        var configured = Pick<IReadOnlyList<string>>(winners, sources, SettingKeys.ModelFolders,
            c => ((IReadOnlyList<string>)c.Value).Select(f => ExpandPath(f, c.BaseDirectory)).ToArray(), []);

        var folders = new List<string>();
        foreach (var folder in configured.Append(Path.Combine(home, "models")).Concat(Environment.BundledModelFolders.Select(Path.GetFullPath)))
        {
            if (!folders.Contains(folder, PathComparer)) folders.Add(folder);
        }

        var engine = Pick(winners, sources, SettingKeys.Engine, c => (string)c.Value, LocalQaSettings.LocalEngine)!;
        var endpoint = Pick<string?>(winners, sources, SettingKeys.Endpoint, c => (string)c.Value, null);
        var apiKey = Pick<string?>(winners, sources, SettingKeys.ApiKey, c => (string)c.Value, null);
        var concurrency = Pick<int?>(winners, sources, SettingKeys.Concurrency, c => (int)c.Value, null);
        var timeout = Pick<int?>(winners, sources, SettingKeys.Timeout, c => (int)c.Value, null);
        var tokenizer = Pick<string?>(winners, sources, SettingKeys.Tokenizer, c => ExpandPath((string)c.Value, c.BaseDirectory), null);
        var host = Pick<string?>(winners, sources, SettingKeys.Host, c => (string)c.Value, null);
        var port = Pick<int?>(winners, sources, SettingKeys.Port, c => (int)c.Value, null);
        var parallel = Pick<int?>(winners, sources, SettingKeys.Parallel, c => (int)c.Value, null);
        var queue = Pick<int?>(winners, sources, SettingKeys.Queue, c => (int)c.Value, null);
        var clientRequests = Pick<int?>(winners, sources, SettingKeys.ClientRequests, c => (int)c.Value, null);
        var cors = Pick<string?>(winners, sources, SettingKeys.Cors, c => (string)c.Value, null);
        var embedTokenizer = Pick<string?>(winners, sources, SettingKeys.EmbedTokenizer, c => ExpandPath((string)c.Value, c.BaseDirectory), null);

        // A remote engine's models are the server's names, never files to look for here.
        var remote = engine == LocalQaSettings.OpenAiEngine;
        var chat = remote ? Pick<string?>(winners, sources, SettingKeys.ChatModel, c => (string)c.Value, null)
            : ResolveModel(winners, sources, SettingKeys.ChatModel, ModelKind.Chat, folders);
        var embed = remote ? Pick<string?>(winners, sources, SettingKeys.EmbedModel, c => (string)c.Value, null)
            : ResolveModel(winners, sources, SettingKeys.EmbedModel, ModelKind.Embedding, folders);

        var settings = new LocalQaSettings
        {
            ChatModel = chat,
            EmbedModel = embed,
            Index = index!,
            Home = home,
            NativeDir = nativeDir,
            Threads = threads,
            GpuLayers = gpuLayers,
            ContextSize = contextSize,
            PromptsDir = promptsDir,
            ModelFolders = folders,
            Engine = engine,
            Endpoint = endpoint,
            ApiKey = apiKey,
            Concurrency = concurrency,
            Timeout = timeout,
            Tokenizer = tokenizer,
            Host = host,
            Port = port,
            Parallel = parallel,
            Queue = queue,
            ClientRequests = clientRequests,
            Cors = cors,
            EmbedTokenizer = embedTokenizer,
        };
        return new ResolvedSettings(settings, sources, files, Environment.Catalog);
    }

    private string? ResolveModel(Dictionary<string, Candidate> winners, Dictionary<string, SettingSource> sources, string key, ModelKind kind, IReadOnlyList<string> folders)
    {
        if (winners.TryGetValue(key, out var c))
        {
            sources[key] = c.Source;
            var raw = (string)c.Value;
            var expanded = ExpandHome(raw);
            return ModelInventory.Locate(expanded, folders, Environment.Catalog, c.BaseDirectory)
                ?? (ModelInventory.LooksLikePath(raw) ? Path.GetFullPath(expanded, c.BaseDirectory) : raw);
        }
        if (Environment.Catalog?.DefaultOf(kind) is { } entry)
        {
            foreach (var folder in folders)
            {
                var candidate = Path.Combine(folder, entry.File);
                if (!File.Exists(candidate)) continue;
                sources[key] = new SettingSource(SettingSourceKind.Catalog, $"{entry.Name} found in {folder}");
                return candidate;
            }
        }
        sources[key] = new SettingSource(SettingSourceKind.Default, "none");
        return null;
    }

    private static T Pick<T>(Dictionary<string, Candidate> winners, Dictionary<string, SettingSource> sources, string key, Func<Candidate, T> convert, T fallback)
    {
        if (winners.TryGetValue(key, out var c))
        {
            sources[key] = c.Source;
            return convert(c);
        }
        sources[key] = new SettingSource(SettingSourceKind.Default, SettingDefinitions.Of(key).Unset);
        return fallback;
    }

    private static void Offer(Dictionary<string, Candidate> winners, string key, object value, SettingSource source, string baseDirectory)
    {
        var setting = SettingDefinitions.Of(key);
        if (setting.Kind == SettingKind.WholeNumber && !setting.InRange((int)value))
        {
            var where = source.Kind == SettingSourceKind.File
                ? string.Create(CultureInfo.InvariantCulture, $"\"{key}\" in '{source.Detail}', line {source.Line},")
                : source.Detail;
            var bound = (int)value < setting.Min
                ? string.Create(CultureInfo.InvariantCulture, $"at least {setting.Min}")
                : string.Create(CultureInfo.InvariantCulture, $"at most {setting.Max:N0}");
            throw new InvalidInputException(
                string.Create(CultureInfo.InvariantCulture, $"{where} is {value}; it must be {bound}."),
                setting.NumberFix);
        }
        if (setting.Kind == SettingKind.Choice && !setting.Choices!.Contains((string)value, StringComparer.Ordinal))
        {
            var where = source.Kind == SettingSourceKind.File
                ? string.Create(CultureInfo.InvariantCulture, $"\"{key}\" in '{source.Detail}', line {source.Line},")
                : source.Detail;
            throw new InvalidInputException($"{where} is '{value}'; it must be one of: {string.Join(", ", setting.Choices!)}.", setting.Help) { Setting = key };
        }
        winners[key] = new Candidate(value, source, baseDirectory);
    }

    private void OfferFlags(Dictionary<string, Candidate> winners, SettingsOverrides flags)
    {
        var cwd = Environment.CurrentDirectory;
        foreach (var setting in SettingDefinitions.All)
        {
            object? value = flags[setting.Key] switch
            {
                string text when !string.IsNullOrWhiteSpace(text) => text.Trim(),
                int number => number,
                IReadOnlyList<string> { Count: > 0 } list => list.Where(f => !string.IsNullOrWhiteSpace(f)).ToArray(),
                _ => null,
            };
            if (value is not null) Offer(winners, setting.Key, value, new SettingSource(SettingSourceKind.Flag, setting.Flag), cwd);
        }
    }

    private static int ParseVariable(SettingDefinition setting, string raw) =>
        int.TryParse(raw.Trim(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var n)
            ? n
            : throw new InvalidInputException($"{setting.Variable} is '{raw}', which is not a whole number.", $"{setting.NumberFix} Or unset {setting.Variable}.");

    /// <summary>"~" and "~/…" mean the user's home folder, as in a shell.</summary>
    private string ExpandHome(string path)
    {
        if (path != "~" && !path.StartsWith("~/", StringComparison.Ordinal) && !path.StartsWith("~\\", StringComparison.Ordinal)) return path;
        var home = Environment.GetVariable("HOME");
        if (string.IsNullOrWhiteSpace(home)) home = Environment.GetVariable("USERPROFILE");
        if (string.IsNullOrWhiteSpace(home)) return path;
        return path.Length <= 2 ? home : Path.Combine(home, path[2..]);
    }

    private string ExpandPath(string path, string baseDirectory) => Path.GetFullPath(ExpandHome(path), baseDirectory);

    internal static StringComparer PathComparer => OperatingSystem.IsWindows() ? StringComparer.OrdinalIgnoreCase : StringComparer.Ordinal;
}

/// <summary>The effective settings of a run, and where each came from.</summary>
public sealed class ResolvedSettings
{
    internal ResolvedSettings(LocalQaSettings settings, IReadOnlyDictionary<string, SettingSource> sources, IReadOnlyList<string> configFiles, ModelCatalog? catalog)
    {
        Settings = settings;
        Sources = sources;
        ConfigFiles = configFiles;
        Catalog = catalog;
    }

    public LocalQaSettings Settings { get; }

    /// <summary>The source of every setting, keyed by <see cref="SettingKeys"/>.</summary>
    public IReadOnlyDictionary<string, SettingSource> Sources { get; }

    /// <summary>The localqa.json files that were read, lowest precedence first.</summary>
    public IReadOnlyList<string> ConfigFiles { get; }

    /// <summary>The catalog the defaults came from, or null.</summary>
    public ModelCatalog? Catalog { get; }

    /// <summary>Every setting's value (as <c>config show</c> prints it) and source, in <see cref="SettingDefinitions.Keys"/> order.</summary>
    public IEnumerable<(string Key, object? Value, SettingSource Source)> Entries()
    {
        foreach (var setting in SettingDefinitions.All)
        {
            yield return (setting.Key, setting.Value(Settings), Sources[setting.Key]);
        }
    }

    /// <summary>
    /// The path of the chat or embedding model, which must exist; otherwise an error that says how to
    /// get one (download the catalog default, or pass a file).
    /// </summary>
    public string RequireModel(ModelKind kind)
    {
        var key = kind == ModelKind.Chat ? SettingKeys.ChatModel : SettingKeys.EmbedModel;
        var value = kind == ModelKind.Chat ? Settings.ChatModel : Settings.EmbedModel;
        if (value is not null && File.Exists(value)) return Path.GetFullPath(value);
        var label = kind == ModelKind.Chat ? "chat" : "embedding";
        var flag = SettingDefinitions.Of(key).Flag;
        var variable = SettingDefinitions.Of(key).Variable;
        var folders = string.Join(", ", Settings.ModelFolders);
        if (value is null)
        {
            var entry = Catalog?.DefaultOf(kind);
            throw new InvalidInputException(
                entry is null
                    ? $"No {label} model is configured (searched {folders})."
                    : $"No {label} model is configured, and the default one ({entry.Name}, {entry.File}) is not in a models folder ({folders}).",
                entry is null
                    ? $"Pass {flag} FILE, or set {variable}."
                    : $"Run 'localqa models download {entry.Name}', or pass {flag} FILE (or set {variable}).");
        }
        throw new InvalidInputException(
            $"The {label} model '{value}' (from {Sources[key]}) was not found: it is not a file, a catalog name, or a file in a models folder ({folders}).",
            $"Check the name or path; 'localqa models list' shows the models LocalQa can see.");
    }
}
