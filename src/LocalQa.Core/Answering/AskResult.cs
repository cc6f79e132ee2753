using System.Text.Json.Serialization;

namespace LocalQa.Core.Answering;

/// <summary>How an answer or summary was made: written by the chat model from the passages, or quoted from the articles.</summary>
[JsonConverter(typeof(JsonStringEnumConverter<AnswerMode>))]
public enum AnswerMode
{
    /// <summary>Written by the chat model from the retrieved passages.</summary>
    Generative,

    /// <summary>Sentences quoted from the documents, chosen without a chat model.</summary>
    Extractive,
}

/// <summary>A source passage as shown to the user and in --json.</summary>
public sealed record AnswerSource(int Rank, string Document, string Title, int Chunk, double Score, string Text)
{
    /// <summary>The page the passage starts on, for documents that have pages (PDF); null otherwise. Shown as "p. 7".</summary>
    public int? Page { get; init; }
}

/// <summary>
/// What answering one question took. The token counts and model times are those of the chat model's
/// answer: 0 for an extractive or abstained answer, and the token counts also 0 when the engine
/// reports no usage.
/// </summary>
public sealed record AskTimings
{
    /// <summary>Milliseconds spent finding the passages, embedding the question included.</summary>
    public double RetrievalMs { get; init; }
    /// <summary>Tokens of the prompt the chat model was given.</summary>
    public int PromptTokens { get; init; }
    /// <summary>Prompt tokens the engine kept cached from the previous prompt instead of reading them again.</summary>
    public int ReusedTokens { get; init; }
    /// <summary>Milliseconds the chat model spent reading the prompt (the time to the first text when the engine does not say).</summary>
    public double PromptMs { get; init; }
    /// <summary>Milliseconds from sending the prompt to the first answer token.</summary>
    public double TtftMs { get; init; }
    /// <summary>Tokens the chat model generated.</summary>
    public int GeneratedTokens { get; init; }
    /// <summary>Milliseconds spent generating the answer after the prompt was read.</summary>
    public double DecodeMs { get; init; }
    /// <summary>Milliseconds from the start of the call to the result, retrieval included.</summary>
    public double TotalMs { get; init; }
}

/// <summary>The answer to one question: text, how it was made, and what it rests on.</summary>
public sealed record AskResult
{
    /// <summary>The answer's text, citing passages as [1], [2]; the abstention text when the library holds no answer.</summary>
    public required string Answer { get; init; }
    /// <summary>Whether the chat model wrote the answer or sentences were quoted.</summary>
    public required AnswerMode Mode { get; init; }
    /// <summary>True when there is no answer: no passage was relevant enough, or the model said it does not know.</summary>
    public required bool Abstained { get; init; }
    /// <summary>The passages the answer was drawn from, each <see cref="AnswerSource.Rank"/> the number the answer cites it by.</summary>
    public required IReadOnlyList<AnswerSource> Sources { get; init; }
    // Last in --json: the figures after what they measure.
    /// <summary>What the answer took in time and tokens.</summary>
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
