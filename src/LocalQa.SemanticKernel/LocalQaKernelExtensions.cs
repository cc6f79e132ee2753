using LocalQa.Core;
using LocalQa.Hosting;
using LocalQa.Llama;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace LocalQa.SemanticKernel;

/// <summary>One-line registration of LocalQa in a Semantic Kernel: the library as a plugin, its models as services.</summary>
public static class LocalQaKernelExtensions
{
    /// <summary>Adds <see cref="LocalQaPlugin"/> (<c>search_articles</c>, <c>ask</c>, <c>summarize</c>) over <paramref name="library"/>.</summary>
    public static KernelPlugin AddLocalQa(this ICollection<KernelPlugin> plugins, LocalQaLibrary library, string pluginName = LocalQaPlugin.DefaultName)
    {
        ArgumentNullException.ThrowIfNull(plugins);
        var plugin = KernelPluginFactory.CreateFromObject(new LocalQaPlugin(library), pluginName);
        plugins.Add(plugin);
        return plugin;
    }

    /// <summary>Registers the chat client (as <see cref="IChatClient"/> and, through SK's adapter, as
    /// <see cref="IChatCompletionService"/>) and the embedding generator. The library keeps owning them:
    /// the kernel's container never disposes an instance it was given. Every SK call goes to the same
    /// client, so a prompt that repeats the previous one's beginning reuses its KV cache.</summary>
    public static IKernelBuilder AddLocalQaServices(this IKernelBuilder builder, LlamaChatClient? chat, LlamaEmbeddingGenerator? embedder = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (chat is not null)
        {
            builder.Services.AddSingleton<IChatClient>(chat);
            builder.Services.AddSingleton(chat.AsChatCompletionService());
        }
        if (embedder is not null)
            builder.Services.AddSingleton<IEmbeddingGenerator<string, Embedding<float>>>(embedder);
        return builder;
    }

    /// <summary>Everything at once: the library's chat and embedding models as services, and the library as the plugin.</summary>
    public static IKernelBuilder AddLocalQa(this IKernelBuilder builder, LocalQaLibrary library, string pluginName = LocalQaPlugin.DefaultName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(library);
        builder.AddLocalQaServices(library.Chat, library.Embedder);
        builder.Plugins.AddFromObject(new LocalQaPlugin(library), pluginName);
        return builder;
    }
}
