using LocalQa.Core;
using LocalQa.Core.Ai;
using LocalQa.Llama;
using Microsoft.Extensions.AI;

namespace LocalQa.Bench;

/// <summary>One turn of the measured conversation.</summary>
/// <param name="PromptTokens">The whole prompt of the turn: system, every earlier turn, this question.</param>
/// <param name="NewTokens">What the conversation grew by since the last answer ended (the whole prompt on turn 1).</param>
/// <param name="EvaluatedTokens">Prompt tokens the model actually evaluated (not found in its cache).</param>
/// <param name="TtftMs">Time to the first token, continuing the conversation.</param>
/// <param name="ColdTtftMs">Time to the first token of the same conversation on an empty cache.</param>
public sealed record ChatTurnBench(int Turn, int PromptTokens, int NewTokens, int EvaluatedTokens, Rate TtftMs, Rate ColdTtftMs)
{
    /// <summary>The turn's time to first token as a share of the cold one.</summary>
    public double ShareOfCold => ColdTtftMs.Median > 0 ? TtftMs.Median / ColdTtftMs.Median : 0;
}

/// <summary>A conversation of several turns through <see cref="LlamaChatClient"/>, as the chat runs it.</summary>
public sealed record ChatBenchResult(IReadOnlyList<ChatTurnBench> Turns, int AnswerTokens);

/// <summary>
/// The chat's speed: a conversation of <see cref="BenchOptions.ChatTurns"/> turns, each a user message
/// of generated passages and a question, each answered by the model, the message list growing as a
/// chat's does. Each turn's time to first token is compared with a second client that evaluates the
/// same conversation from an empty cache (a chat that re-sends everything, as LLamaSharp with
/// Semantic Kernel does). Speed does not depend on what the text says, so generated text will do.
/// </summary>
public static class ChatBench
{
    public static async Task<ChatBenchResult> RunAsync(LlamaModel model, BenchOptions options, Action<string>? progress = null, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(options);
        var corpus = new SyntheticCorpus(seed: 5);
        var first = EmbeddingBench.MakeTexts(model, corpus, 1, options.ChatFirstTokens)[0];
        var followUps = EmbeddingBench.MakeTexts(model, new SyntheticCorpus(seed: 6), Math.Max(1, options.ChatTurns - 1), options.ChatFollowUpTokens);
        var users = new List<string> { $"Passages:\n{first}\n\nQuestion: {corpus.Question(0)}" };
        for (var t = 1; t < options.ChatTurns; t++) users.Add($"More passages:\n{followUps[t - 1]}\n\nQuestion: {corpus.Question(t)}");
        const string system = "You answer questions using only the numbered passages. Cite every fact like [1].";

        // Room for the whole conversation in its template, every answer at full length, and a little slack.
        var layout = new List<ChatTurn> { new("system", system) };
        foreach (var u in users) layout.AddRange([new ChatTurn("user", u), new ChatTurn("assistant", "")]);
        var needed = model.Tokenize(model.ApplyChatTemplate(layout, addAssistantPrompt: false), addSpecial: true, parseSpecial: true).Length
            + options.ChatTurns * options.ChatAnswerTokens + 16;
        if (needed > model.TrainingContextLength)
            throw new InvalidInputException(
                $"A {options.ChatTurns}-turn conversation needs about {needed} tokens, more than '{Path.GetFileName(model.Path)}' holds ({model.TrainingContextLength}).",
                $"Use a model with a longer context, or a smaller --chat-prompt (now {options.ChatFirstTokens}).");
        var contextOptions = EngineBench.ContextOptions(options, needed, batch: new LlamaContextOptions().BatchSize);
        using var warm = new LlamaChatClient(model, contextOptions);
        using var cold = new LlamaChatClient(model, contextOptions);
        var once = new ChatOptions { MaxOutputTokens = 1, Temperature = 0 };
        var answer = new ChatOptions { MaxOutputTokens = options.ChatAnswerTokens, Temperature = 0 };
        // One untimed request on each lets llama.cpp repack weights and warm its buffers.
        foreach (var client in new[] { warm, cold })
            await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Hello.")], once, ct).ConfigureAwait(false);

        var ttft = Enumerable.Range(0, options.ChatTurns).Select(_ => new List<double>()).ToArray();
        var coldTtft = Enumerable.Range(0, options.ChatTurns).Select(_ => new List<double>()).ToArray();
        var prompt = new int[options.ChatTurns];
        var fresh = new int[options.ChatTurns];
        var evaluated = new int[options.ChatTurns];
        for (var r = 0; r < options.Repeat; r++)
        {
            warm.ResetCache();
            var messages = new List<ChatMessage> { new(ChatRole.System, system) };
            var endOfLastAnswer = 0;
            for (var t = 0; t < options.ChatTurns; t++)
            {
                ct.ThrowIfCancellationRequested();
                messages.Add(new ChatMessage(ChatRole.User, users[t]));
                // Read from the usage the client yields, as answering reads it.
                var response = await warm.GetResponseAsync(messages, answer, ct).ConfigureAwait(false);
                var usage = response.Usage!;
                var firstMs = usage.Milliseconds(UsageTimings.FirstTokenMicroseconds)!.Value;
                var promptTokens = (int)usage.InputTokenCount!.Value;
                ttft[t].Add(firstMs);
                prompt[t] = promptTokens;
                fresh[t] = promptTokens - endOfLastAnswer;
                evaluated[t] = promptTokens - (int)(usage.CachedInputTokenCount ?? 0);
                endOfLastAnswer = promptTokens + (int)(usage.OutputTokenCount ?? 0);

                cold.ResetCache();
                var coldUsage = (await cold.GetResponseAsync(messages, once, ct).ConfigureAwait(false)).Usage;
                coldTtft[t].Add(coldUsage.Milliseconds(UsageTimings.FirstTokenMicroseconds)!.Value);
                messages.AddMessages(response);
                progress?.Invoke($"chat run {r + 1}/{options.Repeat}, turn {t + 1}: {firstMs:F0} ms to first token ({evaluated[t]} of {prompt[t]} prompt tokens evaluated, {fresh[t]} new), cold {coldTtft[t][^1]:F0} ms");
            }
        }
        var turns = Enumerable.Range(0, options.ChatTurns)
            .Select(t => new ChatTurnBench(t + 1, prompt[t], fresh[t], evaluated[t], BenchStatistics.Summarize(ttft[t]), BenchStatistics.Summarize(coldTtft[t])))
            .ToArray();
        return new ChatBenchResult(turns, options.ChatAnswerTokens);
    }
}
