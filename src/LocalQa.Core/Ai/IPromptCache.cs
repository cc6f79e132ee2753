using Microsoft.Extensions.AI;

namespace LocalQa.Core.Ai;

/// <summary>
/// A chat engine that keeps the last conversation's evaluated prompt (a KV cache) so a follow-up
/// evaluates only what it appends. Offered through <see cref="IChatClient.GetService"/>; an engine
/// without one has nothing to forget.
/// </summary>
public interface IPromptCache
{
    /// <summary>Forgets the cached conversation (the chat's /reset), so nothing of it shapes the next answer.</summary>
    void ResetCache();
}
