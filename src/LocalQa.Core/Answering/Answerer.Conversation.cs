using System.Diagnostics;
using System.Globalization;
using System.Text;
using LocalQa.Core.Ingest;
using LocalQa.Core.Prompts;
using LocalQa.Core.Retrieval;
using LocalQa.Llama;
using Microsoft.Extensions.AI;

namespace LocalQa.Core.Answering;

/// <summary>A question asked inside a conversation: the words as asked, and the prompt it continues.</summary>
internal sealed record ConversationTurnRequest(string Asked, ConversationPrompt Prompt);

/// <summary>What the condensing prompt cost and what the model replied, kept or not.</summary>
public sealed record CondenseAttempt(string Reply, string? Accepted, GenerationStats Stats);

public sealed partial class Answerer
{
    /// <summary>Share of the context a conversation is cut back to once it overflows, so the turns after a cut append again.</summary>
    private const double RefillShare = 0.75;

    /// <summary>
    /// Asks the chat model to rewrite a follow-up as a standalone question (prompts/condense.txt),
    /// appended to the conversation's own prompt: the earlier turns are already in the cache, so this
    /// costs the condensing prompt and the rewrite only, and the answer's prompt that follows drops
    /// it again by prefix. Null when there is no model, or the prompt would not fit.
    /// </summary>
    internal async Task<CondenseAttempt?> CondenseAsync(string question, IReadOnlyList<ConversationTurn> turns, ConversationPrompt prompt, CancellationToken ct)
    {
        if (_chat is null) return null;
        var user = new ChatMessage(ChatRole.User, _prompts.Render("condense", new Dictionary<string, string>
        {
            ["history"] = UntrustedText.Neutralize(QuestionCondenser.History(turns)),
            ["question"] = UntrustedText.Neutralize(question),
        }));
        var messages = prompt.Messages(SystemPrompt(), user);
        if (_chat.CountPromptTokens(messages) + QuestionCondenser.MaxTokens >= _chat.Context.SequenceContextSize) return null;
        var options = new ChatOptions { MaxOutputTokens = QuestionCondenser.MaxTokens, Temperature = 0, StopSequences = ["\n"] };
        var reply = await _chat.GetResponseAsync(messages, options, ct).ConfigureAwait(false);
        return new CondenseAttempt(reply.Text, QuestionCondenser.Accept(reply.Text, question, turns), _chat.LastStats!);
    }

    private async Task<AskResult> GenerateTurnAsync(ConversationTurnRequest turn, IReadOnlyList<RetrievedPassage> passages, AskOptions options,
        double retrievalMs, Stopwatch total, Func<string, ValueTask>? onText, CancellationToken ct)
    {
        var chat = _chat!;
        var conversation = turn.Prompt;
        var counter = ModelTokenCounter.For(chat.Model);
        var system = SystemPrompt();
        var question = UntrustedText.Neutralize(turn.Asked);
        var context = chat.Context.SequenceContextSize;
        var droppedBefore = conversation.DroppedTurns;
        IReadOnlyList<PackedPassage> packed;
        int[] earlier;
        ChatMessage user;
        // Passage costs are counted one by one; the whole message tokenizes a little differently.
        var slack = 8;
        while (true)
        {
            earlier = passages.Select(conversation.NumberOf).Where(n => n > 0).Distinct().Order().ToArray();
            var fresh = passages.Where(p => conversation.NumberOf(p) == 0).ToArray();
            // New passages get the room they would have in an empty conversation; old turns make way for them below.
            var skeleton = chat.RenderPrompt([new ChatMessage(ChatRole.System, system), TurnMessage("", earlier, question)]).Length;
            var budget = context - options.MaxTokens - skeleton - slack;
            if (budget < 32)
                throw new ContextFullException($"The context ({context} tokens) leaves no room for passages after the question and {options.MaxTokens} answer tokens.");
            var passageText = "";
            packed = [];
            if (fresh.Length > 0) (packed, passageText) = ContextPacker.Pack(fresh, budget, counter, _prompts, conversation.NextNumber);
            user = TurnMessage(passageText, earlier, question);
            var needed = chat.CountPromptTokens(conversation.Messages(system, user)) + options.MaxTokens;
            var dropping = conversation.DroppedTurns > droppedBefore;
            if (needed <= (dropping ? (int)(context * RefillShare) : context)) break;
            if (conversation.DropOldest()) continue;
            if (needed <= context) break;
            if (slack > context / 4)
                throw new ContextFullException($"The question and its passages need {needed} tokens; the context holds {context}.");
            slack += needed - context + 8;
        }

        var text = new StringBuilder();
        var chatOptions = new ChatOptions { MaxOutputTokens = options.MaxTokens, Temperature = 0 };
        await foreach (var update in chat.GetStreamingResponseAsync(conversation.Messages(system, user), chatOptions, ct).ConfigureAwait(false))
        {
            if (string.IsNullOrEmpty(update.Text)) continue;
            text.Append(update.Text);
            if (onText is not null) await onText(update.Text).ConfigureAwait(false);
        }
        var stats = chat.LastStats!;
        conversation.Add(user, text.ToString(), packed);

        var answer = text.ToString().Trim();
        var (parsed, invalid) = Citations.Parse(answer, int.MaxValue);
        // A number whose passage was dropped with its turn, or never given, points at nothing the model can see.
        var cited = parsed.Where(conversation.Contains).ToList();
        var wrong = invalid.Concat(parsed.Where(n => !conversation.Contains(n)).Select(n => "[" + n.ToString(CultureInfo.InvariantCulture) + "]")).ToList();
        var shown = packed.Select(p => p.Number).Concat(earlier).Concat(cited).Distinct().Order();
        var dropped = conversation.DroppedTurns - droppedBefore;
        return new AskResult
        {
            Answer = answer,
            Mode = AnswerMode.Generative,
            Abstained = IsAbstention(answer),
            Sources = shown.Select(n => ToSource(conversation.Passage(n)) with { Rank = n }).ToArray(),
            Cited = cited,
            InvalidCitations = wrong,
            DroppedTurns = dropped,
            Timings = Timed(stats, retrievalMs, total),
        };
    }

    /// <summary>What the chat says, once, when a conversation outgrows the context.</summary>
    public const string DroppedNote = "earlier turns dropped to fit the context";

    /// <summary>
    /// A turn's user message: with nothing given earlier, the answer prompt of a single question (so
    /// a first turn is laid out as `ask` lays it out); after that, the follow-up prompt: only the new
    /// passages, and the numbers of the earlier ones that bear on this question.
    /// </summary>
    private ChatMessage TurnMessage(string passages, int[] earlier, string question)
    {
        if (earlier.Length == 0)
            return new ChatMessage(ChatRole.User, _prompts.Render("answer", new Dictionary<string, string> { ["passages"] = passages, ["question"] = question }));
        return new ChatMessage(ChatRole.User, _prompts.Render("followup", new Dictionary<string, string>
        {
            ["passages"] = passages.Length == 0 ? "(none)" : passages,
            ["earlier"] = string.Join(" ", earlier.Select(n => "[" + n.ToString(CultureInfo.InvariantCulture) + "]")),
            ["question"] = question,
        }));
    }
}
