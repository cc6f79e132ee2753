using Microsoft.Extensions.AI;

namespace LocalQa.Core.Ai;

/// <summary>
/// Completes many independent prompts together: the map and reduce steps of a summary. Separate
/// from <see cref="IChatClient"/> because the work is one call: llama.cpp runs the prompts as
/// parallel sequences of one batch (LocalQa.Llama's <c>LlamaBatchChatClient</c>), a server takes them as
/// concurrent requests (<see cref="ChatClientBatch"/>). Not thread-safe: one batch at a time.
/// </summary>
public interface IBatchChatClient
{
    /// <summary>The room of one prompt and its answer, and the model's token counts.</summary>
    IPromptBudget Budget { get; }

    /// <summary>
    /// Completes every prompt; responses come back in prompt order, each with its
    /// <see cref="ChatResponse.Usage"/>. <paramref name="onCompleted"/> gets a prompt's index as soon as
    /// it finishes (for progress), on the calling thread or the engine's, never two at once.
    /// </summary>
    Task<IReadOnlyList<ChatResponse>> CompleteAsync(IReadOnlyList<IReadOnlyList<ChatMessage>> prompts, ChatOptions? options = null,
        Action<int>? onCompleted = null, CancellationToken cancellationToken = default);
}
