using System.Globalization;
using LocalQa.Core;
using LocalQa.Llama;

namespace LocalQa.Hosting.Configuration;

/// <summary>What a setting's value is, which decides how the file, the variable and the flag are read.</summary>
public enum SettingKind
{
    /// <summary>A file or folder path; relative to the localqa.json that sets it, or to the current folder.</summary>
    Path,

    /// <summary>A model: a .gguf path, a catalog name, or a file in a models folder.</summary>
    Model,

    /// <summary>A whole number, at least <see cref="SettingDefinition.Min"/> and at most <see cref="SettingDefinition.Max"/>.</summary>
    WholeNumber,

    /// <summary>A list of folder paths (a flag repeated, or a JSON array).</summary>
    PathList,

    /// <summary>One of <see cref="SettingDefinition.Choices"/>.</summary>
    Choice,

    /// <summary>Text taken as it is (a URL).</summary>
    Text,

    /// <summary>Text that is never printed (a key): <c>config show</c> says only whether it is set.</summary>
    Secret,
}

/// <summary>
/// Everything about one setting in one place: its key in localqa.json and <c>config show</c>, its
/// environment variable and flag, its kind and lower bound, what it means when unset and its help.
/// The config file reader, the resolver, the command-line flags, <c>config show</c> and the
/// library's options are all made from these, so a setting cannot be known to one and not another.
/// </summary>
/// <param name="Variable">The LOCALQA_… variable, or null for a setting that is only a file entry or a flag.</param>
/// <param name="Unset">What an unset value means, as <c>config show</c> says it; null when the default needs no note.</param>
/// <param name="FolderSetting">One of the settings that say where files are (--home, --models-dir), which every verb takes.</param>
/// <param name="Value">Reads the effective value from resolved settings, as <c>config show</c> prints it.</param>
/// <param name="Max">The largest whole number allowed: settings that size native resources are bounded here, in C#, because past a point llama.cpp fails inside native code.</param>
/// <param name="ServeSetting">Read by <c>serve</c> alone: the other verbs do not offer its flag.</param>
public sealed record SettingDefinition(
    string Key,
    string? Variable,
    string Flag,
    SettingKind Kind,
    string HelpName,
    string Help,
    string? Unset,
    Func<LocalQaSettings, object?> Value,
    int Min = 0,
    bool FolderSetting = false,
    int Max = int.MaxValue,
    IReadOnlyList<string>? Choices = null,
    bool ServeSetting = false)
{
    /// <summary>The flag's help line, naming the variable that also sets it.</summary>
    public string Description => Variable is null ? Help : $"{Help} Env: {Variable}.";

    /// <summary>What to do about a number out of range: the setting's meaning and its bound.</summary>
    public string NumberFix => Max == int.MaxValue
        ? string.Create(CultureInfo.InvariantCulture, $"{Help} It must be at least {Min}.")
        : string.Create(CultureInfo.InvariantCulture, $"{Help} It must be from {Min} to {Max:N0}.");

    /// <summary>Whether <paramref name="value"/> is within <see cref="Min"/> and <see cref="Max"/>.</summary>
    public bool InRange(int value) => value >= Min && value <= Max;
}

/// <summary>The settings LocalQa has, in the order <c>config show</c> prints them.</summary>
public static class SettingDefinitions
{
    /// <summary>Every key, in the order <c>config show</c> prints them.</summary>
    public static IReadOnlyList<string> Keys => [.. All.Select(d => d.Key)];

    public static IReadOnlyList<SettingDefinition> All { get; } =
    [
        new(SettingKeys.ChatModel, "LOCALQA_MODEL", "--model", SettingKind.Model, "MODEL",
            "Chat model: a .gguf path, a catalog name, or a file in a models folder.", null, s => s.ChatModel),
        new(SettingKeys.EmbedModel, "LOCALQA_EMBED_MODEL", "--embed-model", SettingKind.Model, "MODEL",
            "Embedding model, like --model.", null, s => s.EmbedModel),
        new(SettingKeys.Index, "LOCALQA_INDEX", "--index", SettingKind.Path, "FILE",
            "The index file.", "index.db in home", s => s.Index),
        new(SettingKeys.Home, "LOCALQA_HOME", "--home", SettingKind.Path, "DIR",
            "LocalQa's data folder (index, downloaded models).", null, s => s.Home, FolderSetting: true),
        new(SettingKeys.NativeDir, "LOCALQA_NATIVE_DIR", "--native-dir", SettingKind.Path, "DIR",
            "A folder with a llama.cpp build of the same commit to use instead of the bundled one.", "the runtime bundled with LocalQa", s => s.NativeDir),
        new(SettingKeys.Threads, "LOCALQA_THREADS", "--threads", SettingKind.WholeNumber, "N",
            "CPU threads for inference (default: physical cores).", "physical cores", s => s.Threads, Min: 1, Max: LlamaContextOptions.MaxThreads),
        new(SettingKeys.GpuLayers, "LOCALQA_GPU_LAYERS", "--gpu-layers", SettingKind.WholeNumber, "N",
            "Layers to offload to the GPU (0: none, -1: all; needs a CUDA or Vulkan build of the runtime).", "none: CPU only", s => s.GpuLayers, Min: -1),
        new(SettingKeys.ContextSize, null, "--context", SettingKind.WholeNumber, "TOKENS",
            "Context window in tokens (default: the model's own, at most 4096; 0: the model's own).", "the model's training context, at most 4096", s => s.ContextSize, Max: LlamaContextOptions.MaxContext),
        new(SettingKeys.PromptsDir, null, "--prompts", SettingKind.Path, "DIR",
            "Folder of prompt templates.", null, s => s.PromptsDir),
        new(SettingKeys.ModelFolders, null, "--models-dir", SettingKind.PathList, "DIR",
            "Another folder to look for models in; repeatable.", "home's models/ and LocalQa's models/", s => s.ModelFolders, FolderSetting: true),
        new(SettingKeys.Engine, "LOCALQA_ENGINE", "--engine", SettingKind.Choice, "local|openai",
            "Which engine answers and embeds: local (llama.cpp in this process) or openai (a server speaking the OpenAI API at --endpoint; --model and --embed-model are then its model names).",
            "local", s => s.Engine, Choices: [LocalQaSettings.LocalEngine, LocalQaSettings.OpenAiEngine]),
        new(SettingKeys.Endpoint, "LOCALQA_ENDPOINT", "--endpoint", SettingKind.Text, "URL",
            "The remote engine's base URL, such as http://gpu-box:8000/v1 (with engine openai).", null, s => s.Endpoint),
        new(SettingKeys.ApiKey, "LOCALQA_API_KEY", "--api-key", SettingKind.Secret, "KEY",
            "The API key: sent to a remote engine, and required of clients by serve. Never printed; prefer the variable, which keeps it out of the process list.",
            null, s => s.ApiKey is null ? null : "(set, not shown)"),
        new(SettingKeys.Concurrency, "LOCALQA_CONCURRENCY", "--concurrency", SettingKind.WholeNumber, "N",
            "Requests sent to a remote engine at once: a summary's parts, ingest's embedding batches.", "4", s => s.Concurrency, Min: 1, Max: 256),
        new(SettingKeys.Timeout, "LOCALQA_TIMEOUT", "--timeout", SettingKind.WholeNumber, "SECONDS",
            "Seconds a remote engine may take over one request before LocalQa gives up.", "300", s => s.Timeout, Min: 1, Max: 86400),
        new(SettingKeys.Tokenizer, "LOCALQA_TOKENIZER", "--tokenizer", SettingKind.Path, "FILE",
            "A GGUF file of the remote chat model: its tokenizer counts prompt tokens exactly (no weights are loaded).", "estimated token counts", s => s.Tokenizer),
        new(SettingKeys.EmbedTokenizer, "LOCALQA_EMBED_TOKENIZER", "--embed-tokenizer", SettingKind.Path, "FILE",
            "A GGUF file of the remote embedding model: chunks are sized in its tokens, to fit its context (no weights are loaded).", "estimated chunk sizes", s => s.EmbedTokenizer),
        new(SettingKeys.Host, "LOCALQA_HOST", "--host", SettingKind.Text, "ADDRESS",
            "The address serve listens on: an IP address or localhost; another than loopback needs an API key.", "127.0.0.1 (loopback only)", s => s.Host, ServeSetting: true),
        new(SettingKeys.Port, "LOCALQA_PORT", "--port", SettingKind.WholeNumber, "N",
            "The TCP port serve listens on (0: any free port).", "8080", s => s.Port, Max: 65535, ServeSetting: true),
        new(SettingKeys.Parallel, "LOCALQA_PARALLEL", "--parallel", SettingKind.WholeNumber, "N",
            "Serve's slots: requests decoded together in one batch, each with a context of the context setting.", "as many contexts as fit 16,384 tokens, 1 to 4", s => s.Parallel, Min: 1, Max: 64, ServeSetting: true),
        new(SettingKeys.Queue, "LOCALQA_QUEUE", "--queue", SettingKind.WholeNumber, "N",
            "Requests that may wait while serve's slots are busy; more are answered 503 with Retry-After.", "16", s => s.Queue, Max: 1024, ServeSetting: true),
        new(SettingKeys.ClientRequests, "LOCALQA_CLIENT_REQUESTS", "--client-requests", SettingKind.WholeNumber, "N",
            "Requests one client address may have in serve at once, working or waiting; more are answered 429 with Retry-After (loopback clients all share 127.0.0.1).", "no limit per client", s => s.ClientRequests, Min: 1, Max: 1088, ServeSetting: true),
        new(SettingKeys.Cors, "LOCALQA_CORS", "--cors", SettingKind.Text, "ORIGINS",
            "Web origins allowed to call serve from a browser, comma-separated (http://localhost:3000); * for any, only with an API key.", "none: browsers on other origins cannot read answers", s => s.Cors, ServeSetting: true),
    ];

    private static readonly Dictionary<string, SettingDefinition> ByKey = All.ToDictionary(d => d.Key, StringComparer.Ordinal);

    /// <summary>The definition of <paramref name="key"/>.</summary>
    public static SettingDefinition Of(string key) =>
        ByKey.TryGetValue(key, out var definition) ? definition : throw new ArgumentOutOfRangeException(nameof(key), key, "Not a setting.");

    /// <summary>The definition of <paramref name="key"/>, or null when there is no such setting.</summary>
    public static SettingDefinition? Find(string key) => ByKey.GetValueOrDefault(key);
}
