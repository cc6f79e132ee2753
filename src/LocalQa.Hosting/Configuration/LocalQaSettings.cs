using LocalQa.Core;

namespace LocalQa.Hosting.Configuration;

/// <summary>
/// The effective settings of one run, after <see cref="SettingsResolver"/> has merged defaults,
/// localqa.json files, environment variables and command-line flags. Paths are absolute.
/// </summary>
public sealed record LocalQaSettings
{
    /// <summary>
    /// The chat model: a full path when the file was found, else what was configured (a name or a
    /// path that does not exist). Null when none is configured and the catalog default is not downloaded.
    /// </summary>
    public string? ChatModel { get; init; }

    /// <summary>The embedding model, like <see cref="ChatModel"/>.</summary>
    public string? EmbedModel { get; init; }

    /// <summary>The SQLite index file.</summary>
    public required string Index { get; init; }

    /// <summary>The data folder: the default index and downloaded models live there.</summary>
    public required string Home { get; init; }

    /// <summary>A folder holding a llama.cpp build to use instead of the bundled one; null for the bundled one.</summary>
    public string? NativeDir { get; init; }

    /// <summary>CPU threads for inference; null for the number of physical cores.</summary>
    public int? Threads { get; init; }

    /// <summary>Layers to offload to the GPU (0: CPU only, -1: all, as <c>LlamaModelOptions.GpuLayers</c>); null when not set (CPU only).</summary>
    public int? GpuLayers { get; init; }

    /// <summary>Context window in tokens; null (or 0) for the model's own training context.</summary>
    public int? ContextSize { get; init; }

    /// <summary>The folder of prompt templates; null when LocalQa found none.</summary>
    public string? PromptsDir { get; init; }

    /// <summary>Where models are looked for, in order: configured folders, then <see cref="ModelsDirectory"/>, then the folders shipped with LocalQa.</summary>
    public IReadOnlyList<string> ModelFolders { get; init; } = [];

    /// <summary>The <see cref="Engine"/> value for llama.cpp in this process.</summary>
    public const string LocalEngine = "local";

    /// <summary>The <see cref="Engine"/> value for a server speaking the OpenAI API.</summary>
    public const string OpenAiEngine = "openai";

    /// <summary>Which engine answers and embeds: <see cref="LocalEngine"/> or <see cref="OpenAiEngine"/>.</summary>
    public string Engine { get; init; } = LocalEngine;

    /// <summary>The remote engine's base URL; null when none is set.</summary>
    public string? Endpoint { get; init; }

    /// <summary>The API key (sent to a remote engine, required by serve); null when none is set.</summary>
    public string? ApiKey { get; init; }

    /// <summary>Requests sent to a remote engine at once; null for the default.</summary>
    public int? Concurrency { get; init; }

    /// <summary>Seconds a remote engine may take over one request; null for the default.</summary>
    public int? Timeout { get; init; }

    /// <summary>A GGUF of the remote chat model whose tokenizer counts tokens; null to estimate them.</summary>
    public string? Tokenizer { get; init; }

    /// <summary>The address serve listens on; null for loopback.</summary>
    public string? Host { get; init; }

    /// <summary>Serve's TCP port; null for the default.</summary>
    public int? Port { get; init; }

    /// <summary>Serve's slots; null to size them from the context.</summary>
    public int? Parallel { get; init; }

    /// <summary>Requests that may wait for serve's slots; null for the default.</summary>
    public int? Queue { get; init; }

    /// <summary>Requests one client may have in serve at once; null for no limit per client.</summary>
    public int? ClientRequests { get; init; }

    /// <summary>Web origins serve allows (comma-separated, or *); null for none.</summary>
    public string? Cors { get; init; }

    /// <summary>A GGUF of the remote embedding model whose tokenizer sizes the chunks; null to estimate them.</summary>
    public string? EmbedTokenizer { get; init; }

    /// <summary>Where downloads go by default: models/ in <see cref="Home"/>.</summary>
    public string ModelsDirectory => Path.Combine(Home, "models");

    public bool Equals(LocalQaSettings? other) =>
        other is not null
        && ChatModel == other.ChatModel && EmbedModel == other.EmbedModel && Index == other.Index && Home == other.Home
        && NativeDir == other.NativeDir && Threads == other.Threads && GpuLayers == other.GpuLayers
        && ContextSize == other.ContextSize && PromptsDir == other.PromptsDir && ModelFolders.SequenceEqual(other.ModelFolders)
        && Engine == other.Engine && Endpoint == other.Endpoint && ApiKey == other.ApiKey && Concurrency == other.Concurrency && Timeout == other.Timeout && Tokenizer == other.Tokenizer
        && EmbedTokenizer == other.EmbedTokenizer
        && Host == other.Host && Port == other.Port && Parallel == other.Parallel && Queue == other.Queue && ClientRequests == other.ClientRequests && Cors == other.Cors;

    public override int GetHashCode() => HashCode.Combine(ChatModel, EmbedModel, Index, Home, Threads, GpuLayers, ContextSize, ModelFolders.Count);
}


/// <summary>Where an effective setting came from, lowest precedence first.</summary>
public enum SettingSourceKind
{
    /// <summary>LocalQa's built-in default.</summary>
    Default,

    /// <summary>A localqa.json file (the user's config folder, then the current folder).</summary>
    File,

    /// <summary>An environment variable (LOCALQA_…).</summary>
    Environment,

    /// <summary>A command-line flag.</summary>
    Flag,

    /// <summary>Nothing configured it: the catalog's default model was found in a models folder.</summary>
    Catalog,
}

/// <summary>The origin of one setting: kind, and the file path, variable name or flag.</summary>
/// <param name="Detail">The file path (File), variable name (Environment), flag (Flag), or a note (Default, Catalog).</param>
/// <param name="Line">The line in the file, for File.</param>
public sealed record SettingSource(SettingSourceKind Kind, string? Detail = null, int? Line = null)
{
    public override string ToString() => Kind switch
    {
        SettingSourceKind.File => Line is { } line ? FormattableString.Invariant($"file {Detail}:{line}") : $"file {Detail}",
        SettingSourceKind.Environment => $"env {Detail}",
        SettingSourceKind.Flag => $"flag {Detail}",
        SettingSourceKind.Catalog => $"catalog default{(Detail is null ? "" : $" ({Detail})")}",
        _ => Detail is null ? "default" : $"default ({Detail})",
    };
}
