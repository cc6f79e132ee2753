namespace LocalQa.Core;

/// <summary>The names of the settings: keys in localqa.json, in <c>config show</c> and in the host's settings sources; errors name them in <see cref="InvalidInputException.Setting"/>.</summary>
public static class SettingKeys
{
    /// <summary>The chat model: a .gguf path, a catalog name, or a file in a models folder.</summary>
    public const string ChatModel = "chat_model";
    /// <summary>The embedding model, named like <see cref="ChatModel"/>.</summary>
    public const string EmbedModel = "embed_model";
    /// <summary>The index file (index.db in <see cref="Home"/> unless set).</summary>
    public const string Index = "index";
    /// <summary>LocalQa's data folder: the index and downloaded models.</summary>
    public const string Home = "home";
    /// <summary>A folder with a llama.cpp build of the same commit, used instead of the bundled runtime.</summary>
    public const string NativeDir = "native_dir";
    /// <summary>CPU threads for inference (physical cores unless set).</summary>
    public const string Threads = "threads";
    /// <summary>Model layers offloaded to the GPU: 0 none, -1 all (needs a CUDA or Vulkan runtime).</summary>
    public const string GpuLayers = "gpu_layers";
    /// <summary>The context window, in tokens; 0 means the model's own.</summary>
    public const string ContextSize = "context_size";
    /// <summary>The folder of prompt templates.</summary>
    public const string PromptsDir = "prompts_dir";
    /// <summary>More folders to look for models in, besides home's models/ and LocalQa's own.</summary>
    public const string ModelFolders = "model_folders";
    /// <summary>Which engine answers and embeds: <c>local</c> (llama.cpp in this process) or <c>openai</c> (a server speaking the OpenAI API).</summary>
    public const string Engine = "engine";
    /// <summary>The remote engine's base URL (with its <c>/v1</c>), when <see cref="Engine"/> is <c>openai</c>.</summary>
    public const string Endpoint = "endpoint";
    /// <summary>The API key of LocalQa's OpenAI traffic: sent to a remote engine, and required by <c>serve</c> of its clients.</summary>
    public const string ApiKey = "api_key";
    /// <summary>Requests a remote engine is sent at once (a summary's parts, ingest's embedding batches).</summary>
    public const string Concurrency = "concurrency";
    /// <summary>The address <c>serve</c> listens on.</summary>
    public const string Host = "host";
    /// <summary><c>serve</c>'s TCP port.</summary>
    public const string Port = "port";
    /// <summary><c>serve</c>'s slots: requests decoded together.</summary>
    public const string Parallel = "parallel";
    /// <summary>Requests that may wait for <c>serve</c>'s slots.</summary>
    public const string Queue = "queue";
    /// <summary>Web origins <c>serve</c> answers browsers from.</summary>
    public const string Cors = "cors";
    /// <summary>Requests one client address may have in <c>serve</c> at once.</summary>
    public const string ClientRequests = "client_requests";
    /// <summary>Seconds a remote engine may take to answer one request before LocalQa gives up.</summary>
    public const string Timeout = "timeout";
    /// <summary>A GGUF file of the remote chat model, whose tokenizer counts prompt tokens (else they are estimated).</summary>
    public const string Tokenizer = "tokenizer";
    /// <summary>A GGUF file of the remote embedding model, whose tokenizer sizes the chunks it embeds (else they are sized by estimate).</summary>
    public const string EmbedTokenizer = "embed_tokenizer";
}
