using LocalQa.Core;
using LocalQa.Core.Ai;
using Microsoft.Extensions.AI;

namespace LocalQa.Llama;

/// <summary>
/// How LocalQa's llama.cpp clients turn Microsoft.Extensions.AI messages and options into what the
/// engine takes, in one place, so the chat client and the batch client read a prompt alike and a
/// summary's prompt counts the same tokens it is then given.
/// </summary>
internal static class LlamaPrompts
{
    /// <summary>Refuses a model that cannot chat, before a context is built for it.</summary>
    public static void EnsureChatModel(LlamaModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        if (model.IsEmbeddingModel)
            throw new InvalidInputException($"'{model.Path}' is an embedding model ({model.Architecture}); it cannot chat.",
                "Use a chat/instruct model to chat, and this file as the embedding model.") { Setting = SettingKeys.ChatModel };
    }

    /// <summary>The messages through the model's chat template, ending with the assistant's turn opened.</summary>
    public static string Render(LlamaModel model, IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        var turns = messages.Select(m => new ChatTurn(m.Role.Value, m.Text)).ToArray();
        if (turns.Length == 0) throw new ArgumentException("No messages.", nameof(messages));
        return model.ApplyChatTemplate(turns, addAssistantPrompt: true);
    }

    /// <summary>A rendered prompt's tokens; template markers are parsed as special tokens (callers
    /// neutralize untrusted text before it reaches a message).</summary>
    public static int[] Tokenize(LlamaModel model, string rendered)
    {
        var tokens = model.Tokenize(rendered, addSpecial: true, parseSpecial: true);
        // Templates that spell out BOS themselves would otherwise get a second one.
        if (tokens.Length > 1 && tokens[0] == model.BosToken && tokens[1] == model.BosToken) tokens = tokens[1..];
        return tokens;
    }

    /// <summary>Sampling and limits of a request; unset values are greedy with <paramref name="defaultMaxTokens"/>.</summary>
    public static GenerationOptions Options(ChatOptions? options, int defaultMaxTokens = 512)
    {
        if (options is null) return new GenerationOptions { MaxTokens = defaultMaxTokens };
        var sampling = new SamplingOptions
        {
            Temperature = options.Temperature ?? 0f,
            TopP = options.TopP ?? 0.95f,
            TopK = options.TopK ?? 40,
            Seed = options.Seed is { } s ? unchecked((uint)s) : 0xC0FFEE,
        };
        return new GenerationOptions
        {
            MaxTokens = options.MaxOutputTokens ?? defaultMaxTokens,
            StopStrings = options.StopSequences?.ToArray() ?? [],
            Sampling = sampling,
        };
    }

    /// <summary>A streamed answer gathered into one response, as both llama.cpp chat clients give it whole.</summary>
    public static async Task<ChatResponse> CollectAsync(IAsyncEnumerable<ChatResponseUpdate> updates, string? modelId)
    {
        var text = new System.Text.StringBuilder();
        UsageDetails? usage = null;
        ChatFinishReason? finish = null;
        await foreach (var update in updates.ConfigureAwait(false))
        {
            text.Append(update.Text);
            finish ??= update.FinishReason;
            foreach (var c in update.Contents) if (c is UsageContent u) usage = u.Details;
        }
        return new ChatResponse(new ChatMessage(ChatRole.Assistant, text.ToString())) { FinishReason = finish, Usage = usage, ModelId = modelId };
    }

    /// <summary>The last update of a generation: what it cost (prompt, reuse, output, timings) and why it stopped.</summary>
    public static ChatResponseUpdate UsageUpdate(GenerationStats stats, string? modelId) =>
        new(ChatRole.Assistant, [new UsageContent(new UsageDetails
        {
            InputTokenCount = stats.PromptTokens,
            CachedInputTokenCount = stats.ReusedTokens,
            OutputTokenCount = stats.GeneratedTokens,
            TotalTokenCount = stats.PromptTokens + stats.GeneratedTokens,
        }.WithTimings(stats.PromptMs, stats.FirstTokenMs, stats.DecodeMs))])
        {
            FinishReason = FinishReason(stats.StopReason),
            ModelId = modelId,
        };

    public static ChatFinishReason FinishReason(StopReason stop) =>
        stop is StopReason.MaxTokens or StopReason.ContextFull ? ChatFinishReason.Length : ChatFinishReason.Stop;
}
