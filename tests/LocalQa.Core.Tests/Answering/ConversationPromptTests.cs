using LocalQa.Core.Answering;
using LocalQa.Core.Retrieval;
using Microsoft.Extensions.AI;

namespace LocalQa.Core.Tests.Answering;

/// <summary>The conversation's prompt: turns append, passage numbers run on and are never reused, a dropped turn takes its passages with it.</summary>
public sealed class ConversationPromptTests
{
    private static RetrievedPassage Passage(long document, int ordinal) =>
        new(1, 0.5, document * 100 + ordinal, document, $"doc{document}.txt", $"Doc {document}", ordinal, null, $"text {document}/{ordinal}", ordinal, ordinal, null, null);

    [Fact]
    public void Turns_append_numbers_run_on_and_a_dropped_turn_takes_its_passages()
    {
        var prompt = new ConversationPrompt();
        var a = Passage(1, 0);
        var b = Passage(1, 1);
        var c = Passage(2, 0);
        prompt.Add(new ChatMessage(ChatRole.User, "q1"), " answer one", [new PackedPassage(1, a), new PackedPassage(2, b)]);
        prompt.Add(new ChatMessage(ChatRole.User, "q2"), "answer two", [new PackedPassage(3, c)]);

        var messages = prompt.Messages("system", new ChatMessage(ChatRole.User, "q3"));
        Assert.Equal(["system", "q1", " answer one", "q2", "answer two", "q3"], messages.Select(m => m.Text));
        Assert.Equal(2, prompt.NumberOf(b));
        Assert.Equal(4, prompt.NextNumber);
        Assert.Throws<ArgumentException>(() => prompt.Add(new ChatMessage(ChatRole.User, "q"), "x", [new PackedPassage(2, Passage(3, 0))]));

        Assert.True(prompt.DropOldest());
        Assert.Equal(0, prompt.NumberOf(a));
        Assert.False(prompt.Contains(1));
        Assert.True(prompt.Contains(3));
        Assert.Equal(4, prompt.NextNumber);
        Assert.Equal(1, prompt.DroppedTurns);
        Assert.Equal(["system", "q2", "answer two"], prompt.Messages("system").Select(m => m.Text));
        Assert.True(prompt.DropOldest());
        Assert.False(prompt.DropOldest());

        prompt.Clear();
        Assert.Equal(1, prompt.NextNumber);
        Assert.Equal(0, prompt.DroppedTurns);
    }
}
