using Microsoft.Extensions.AI;

namespace LocalQa.Core.Ai;

/// <summary>
/// <see cref="IBatchChatClient"/> over any <see cref="IChatClient"/> that offers an
/// <see cref="IPromptBudget"/>: the prompts go out as up to <paramref name="concurrency"/> requests at
/// a time, which a server batches on its side. With a concurrency above 1 the client must take
/// concurrent calls (HTTP clients do; LocalQa's own chat client runs them one after another).
/// </summary>
public sealed class ChatClientBatch(IChatClient client, int concurrency = 4) : IBatchChatClient
{
    private readonly IChatClient _client = client ?? throw new ArgumentNullException(nameof(client));

    /// <summary>The wrapped client's own budget; the constructor throws when it offers none.</summary>
    public IPromptBudget Budget { get; } = client.GetService<IPromptBudget>()
        ?? throw new ArgumentException("The chat client offers no IPromptBudget; wrap it with PromptBudgetChatClient.", nameof(client));

    /// <inheritdoc/>
    public async Task<IReadOnlyList<ChatResponse>> CompleteAsync(IReadOnlyList<IReadOnlyList<ChatMessage>> prompts, ChatOptions? options = null,
        Action<int>? onCompleted = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(prompts);
        var responses = new ChatResponse[prompts.Count];
        var reporting = new Lock();
        var parallel = new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, concurrency), CancellationToken = cancellationToken };
        await Parallel.ForEachAsync(Enumerable.Range(0, prompts.Count), parallel, async (i, ct) =>
        {
            responses[i] = await _client.GetResponseAsync(prompts[i], options?.Clone(), ct).ConfigureAwait(false);
            lock (reporting) onCompleted?.Invoke(i);
        }).ConfigureAwait(false);
        return responses;
    }
}
