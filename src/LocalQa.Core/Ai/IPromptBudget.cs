using LocalQa.Core.Text;
using Microsoft.Extensions.AI;

namespace LocalQa.Core.Ai;

/// <summary>
/// What answering and summarizing must know of a chat engine before they send it anything, and
/// <see cref="IChatClient"/> does not say: how many tokens one conversation holds and what text costs
/// in the model's tokens. Passages and article chunks are cut to fit with it, so a count that is
/// too low overflows the engine's context and one too high wastes it. An engine offers it through
/// <see cref="IChatClient.GetService"/>; one that cannot count exactly is wrapped with an estimate
/// (<see cref="PromptBudgetChatClient"/>).
/// </summary>
public interface IPromptBudget
{
    /// <summary>Tokens one conversation (one sequence) holds, prompt and answer together.</summary>
    int ContextTokens { get; }

    /// <summary>Counts plain text (a passage, a chunk of an article) in the model's tokens.</summary>
    ITokenCounter TextTokens { get; }

    /// <summary>Tokens <paramref name="messages"/> take as the engine would read them, chat template included.</summary>
    int CountPromptTokens(IEnumerable<ChatMessage> messages);
}
