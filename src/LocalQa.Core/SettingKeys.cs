namespace LocalQa.Core;

/// <summary>The names of the settings: keys in localqa.json, in <c>config show</c> and in the host's settings sources; errors name them in <see cref="InvalidInputException.Setting"/>.</summary>
public static class SettingKeys
{
    public const string ChatModel = "chat_model";
    public const string EmbedModel = "embed_model";
    public const string Index = "index";
    public const string Home = "home";
    public const string NativeDir = "native_dir";
    public const string Threads = "threads";
    public const string GpuLayers = "gpu_layers";
    public const string ContextSize = "context_size";
    public const string PromptsDir = "prompts_dir";
    public const string ModelFolders = "model_folders";
}
