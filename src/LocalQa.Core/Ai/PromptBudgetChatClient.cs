using LocalQa.Core.Text;
using Microsoft.Extensions.AI;

namespace LocalQa.Core.Ai;

/// <summary>
/// Gives a chat client that cannot count its own tokens (a server speaking the OpenAI API, say) the
/// <see cref="IPromptBudget"/> answering and summarizing lay prompts out with: its context as the
/// caller knows it, and counts from <paramref name="textTokens"/> (the model's tokenizer, or
/// <see cref="TokenEstimator"/> when only an estimate is at hand). Everything else goes to the inner
/// client unchanged.
/// </summary>
public sealed class PromptBudgetChatClient(IChatClient inner, int contextTokens, ITokenCounter? textTokens = null)
    : DelegatingChatClient(inner), IPromptBudget
{
    // What a chat template adds around each message (role markers, separators) and to open the
    // answer, in tokens: generous, since an estimate that falls short overflows the context.
    private const int PerMessageTokens = 8;
    private const int AnswerOpeningTokens = 8;

    /// <summary>The context given to the constructor: the tokens one conversation holds, prompt and answer together.</summary>
    public int ContextTokens { get; } = contextTokens > 0 ? contextTokens : throw new ArgumentOutOfRangeException(nameof(contextTokens), contextTokens, "The context must hold at least one token.");

    /// <summary>The counter given to the constructor, or <see cref="TokenEstimator.Default"/>.</summary>
    public ITokenCounter TextTokens { get; } = textTokens ?? TokenEstimator.Default;

    /// <summary>
    /// The text of each message counted by <see cref="TextTokens"/>, plus a generous allowance for
    /// what a chat template adds: an estimate, since the server's template is unknown.
    /// </summary>
    public int CountPromptTokens(IEnumerable<ChatMessage> messages)
    {
        ArgumentNullException.ThrowIfNull(messages);
        return messages.Sum(m => TextTokens.CountTokens(m.Text) + PerMessageTokens) + AnswerOpeningTokens;
    }

    /// <summary>This client when asked for an <see cref="IPromptBudget"/> without a key; otherwise the inner client's answer.</summary>
    public override object? GetService(Type serviceType, object? serviceKey = null)
    {
        ArgumentNullException.ThrowIfNull(serviceType);
        return serviceKey is null && serviceType == typeof(IPromptBudget) ? this : base.GetService(serviceType, serviceKey);
    }
}
