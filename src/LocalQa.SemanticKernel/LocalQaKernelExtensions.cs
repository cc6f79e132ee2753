using LocalQa.Core;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.SemanticKernel;
using Microsoft.SemanticKernel.ChatCompletion;

namespace LocalQa.SemanticKernel;

/// <summary>One-line registration of LocalQa in a Semantic Kernel: the library as a plugin, its models as services.</summary>
public static class LocalQaKernelExtensions
{
    /// <summary>Adds <see cref="LocalQaPlugin"/> (<c>search_articles</c>, <c>ask</c>, <c>summarize</c>) over <paramref name="qa"/>.</summary>
    public static KernelPlugin AddLocalQa(this ICollection<KernelPlugin> plugins, ILocalQa qa, string pluginName = LocalQaPlugin.DefaultName)
    {
        ArgumentNullException.ThrowIfNull(plugins);
        var plugin = KernelPluginFactory.CreateFromObject(new LocalQaPlugin(qa), pluginName);
        plugins.Add(plugin);
        return plugin;
    }

    /// <summary>Registers a chat client (as <see cref="IChatClient"/> and, through SK's adapter, as
    /// <see cref="IChatCompletionService"/>) and an embedding generator. The caller keeps owning them:
    /// the kernel's container never disposes an instance it was given. With LocalQa's own client every
    /// SK call goes to the same llama.cpp context, so a prompt that repeats the previous one's
    /// beginning reuses its KV cache.</summary>
    public static IKernelBuilder AddLocalQaServices(this IKernelBuilder builder, IChatClient? chat, IEmbeddingGenerator<string, Embedding<float>>? embedder = null)
    {
        ArgumentNullException.ThrowIfNull(builder);
        if (chat is not null)
        {
            builder.Services.AddSingleton(chat);
            builder.Services.AddSingleton(chat.AsChatCompletionService());
        }
        if (embedder is not null)
            builder.Services.AddSingleton(embedder);
        return builder;
    }

    /// <summary>Everything at once: the chat and embedding clients as services, and <paramref name="qa"/> as the plugin.</summary>
    public static IKernelBuilder AddLocalQa(this IKernelBuilder builder, ILocalQa qa, IChatClient? chat = null, IEmbeddingGenerator<string, Embedding<float>>? embedder = null,
        string pluginName = LocalQaPlugin.DefaultName)
    {
        ArgumentNullException.ThrowIfNull(builder);
        ArgumentNullException.ThrowIfNull(qa);
        builder.AddLocalQaServices(chat, embedder);
        builder.Plugins.AddFromObject(new LocalQaPlugin(qa), pluginName);
        return builder;
    }
}
