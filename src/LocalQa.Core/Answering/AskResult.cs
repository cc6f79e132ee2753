using System.Text.Json.Serialization;

namespace LocalQa.Core.Answering;

/// <summary>How an answer or summary was made: written by the chat model from the passages, or quoted from the articles.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AnswerMode>))]
public enum AnswerMode { Generative, Extractive }

/// <summary>A source passage as shown to the user and in --json.</summary>
public sealed record AnswerSource(int Rank, string Document, string Title, int Chunk, double Score, string Text);

public sealed record AskTimings
{
    public double RetrievalMs { get; init; }
    public int PromptTokens { get; init; }
    public int ReusedTokens { get; init; }
    public double PromptMs { get; init; }
    public double TtftMs { get; init; }
    public int GeneratedTokens { get; init; }
    public double DecodeMs { get; init; }
    public double TotalMs { get; init; }
}

/// <summary>The answer to one question: text, how it was made, and what it rests on.</summary>
public sealed record AskResult
{
    public required string Answer { get; init; }
    public required AnswerMode Mode { get; init; }
    public required bool Abstained { get; init; }
    public required IReadOnlyList<AnswerSource> Sources { get; init; }
    // Last in --json: the figures after what they measure.
    public required AskTimings Timings { get; init; }

    /// <summary>Passage numbers the answer cites (generative), or the passages quoted (extractive).</summary>
    public IReadOnlyList<int> Cited { get; init; } = [];

    /// <summary>Citation markers that point at no passage (a model's mistake, reported, never hidden).</summary>
    public IReadOnlyList<string> InvalidCitations { get; init; } = [];

    /// <summary>For an extractive answer: the quoted sentences, each with the factors that scored it.</summary>
    public IReadOnlyList<ExtractiveSentence> Quoted { get; init; } = [];

    /// <summary>In a conversation: earlier turns dropped from the model's prompt to make room for this one.</summary>
    /// <remarks>Not in ask --json (a single question drops nothing); chat --json adds it beside the turn.</remarks>
    public int DroppedTurns { get; init; }

    /// <summary>Why the answer is extractive or abstained, for the user (e.g. "no chat model configured").</summary>
    public string? Note { get; init; }
}
