using System.Diagnostics;
using System.Globalization;
using System.Text;
using LocalQa.Core.Ai;
using LocalQa.Core.Prompts;
using LocalQa.Core.Retrieval;
using Microsoft.Extensions.AI;

namespace LocalQa.Core.Answering;

/// <summary>A question asked inside a conversation: the words as asked, and the prompt it continues.</summary>
internal sealed record ConversationTurnRequest(string Asked, ConversationPrompt Prompt);

/// <summary>What the model replied to the condensing prompt, kept or not, and what it cost (null when the engine does not say).</summary>
internal sealed record CondenseAttempt(string Reply, string? Accepted, UsageDetails? Usage);

internal sealed partial class Answerer
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
        if (_chat is null || _budget is null) return null;
        var user = new ChatMessage(ChatRole.User, await _prompts.RenderAsync("condense", new Dictionary<string, string>
        {
            ["history"] = UntrustedText.Neutralize(QuestionCondenser.History(turns)),
            ["question"] = UntrustedText.Neutralize(question),
        }, ct).ConfigureAwait(false));
        var messages = prompt.Messages(await SystemPromptAsync(ct).ConfigureAwait(false), user);
        ChatResponse reply;
        using (await ChatTurnAsync(ct).ConfigureAwait(false))
        {
            if (_budget.CountPromptTokens(messages) + QuestionCondenser.MaxTokens >= _budget.ContextTokens) return null;
            var options = new ChatOptions { MaxOutputTokens = QuestionCondenser.MaxTokens, Temperature = 0, StopSequences = ["\n"] };
            reply = await _chat.GetResponseAsync(messages, options, ct).ConfigureAwait(false);
        }
        return new CondenseAttempt(reply.Text, QuestionCondenser.Accept(reply.Text, question, turns), reply.Usage);
    }

    private async Task<AskResult> GenerateTurnAsync(ConversationTurnRequest turn, IReadOnlyList<RetrievedPassage> passages, AskOptions options,
        double retrievalMs, Stopwatch total, Func<string, ValueTask>? onText, CancellationToken ct)
    {
        var budget = _budget!;
        var conversation = turn.Prompt;
        var system = await SystemPromptAsync(ct).ConfigureAwait(false);
        var question = UntrustedText.Neutralize(turn.Asked);
        var context = budget.ContextTokens;
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
            var skeleton = budget.CountPromptTokens([new ChatMessage(ChatRole.System, system), await TurnMessageAsync("", earlier, question, ct).ConfigureAwait(false)]);
            var room = context - options.MaxTokens - skeleton - slack;
            if (room < 32) throw NoRoom(context, options);
            var passageText = "";
            packed = [];
            if (fresh.Length > 0) (packed, passageText) = await ContextPacker.PackAsync(fresh, room, budget.TextTokens, _prompts, conversation.NextNumber, ct).ConfigureAwait(false);
            user = await TurnMessageAsync(passageText, earlier, question, ct).ConfigureAwait(false);
            var needed = budget.CountPromptTokens(conversation.Messages(system, user)) + options.MaxTokens;
            var dropping = conversation.DroppedTurns > droppedBefore;
            if (needed <= (dropping ? (int)(context * RefillShare) : context)) break;
            if (conversation.DropOldest()) continue;
            if (needed <= context) break;
            if (slack > context / 4)
                throw new InvalidInputException($"The question and its passages need {needed} tokens; the context holds {context}.",
                    "Ask a shorter question or for fewer answer tokens, or use a larger context.") { Setting = SettingKeys.ContextSize };
            slack += needed - context + 8;
        }

        var streamed = await StreamAsync(conversation.Messages(system, user), options, onText, ct).ConfigureAwait(false);
        conversation.Add(user, streamed.Text, packed);

        var answer = streamed.Text.Trim();
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
            Timings = streamed.Timings(retrievalMs, total),
        };
    }

    /// <summary>
    /// A turn's user message: with nothing given earlier, the answer prompt of a single question (so
    /// a first turn is laid out as `ask` lays it out); after that, the follow-up prompt: only the new
    /// passages, and the numbers of the earlier ones that bear on this question.
    /// </summary>
    private async Task<ChatMessage> TurnMessageAsync(string passages, int[] earlier, string question, CancellationToken ct)
    {
        if (earlier.Length == 0)
            return new ChatMessage(ChatRole.User, await _prompts.RenderAsync("answer", new Dictionary<string, string> { ["passages"] = passages, ["question"] = question }, ct).ConfigureAwait(false));
        return new ChatMessage(ChatRole.User, await _prompts.RenderAsync("followup", new Dictionary<string, string>
        {
            ["passages"] = passages.Length == 0 ? "(none)" : passages,
            ["earlier"] = string.Join(" ", earlier.Select(n => "[" + n.ToString(CultureInfo.InvariantCulture) + "]")),
            ["question"] = question,
        }, ct).ConfigureAwait(false));
    }
}
