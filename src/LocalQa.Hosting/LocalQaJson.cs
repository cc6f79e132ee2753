using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using LocalQa.Core.Answering;
using LocalQa.Core.Documents;
using LocalQa.Core.Extractive;
using LocalQa.Core.Ingest;
using LocalQa.Core.Summarizing;

namespace LocalQa.Hosting;

/// <summary>
/// The JSON the hosts write (the command line's <c>--json</c>, the server's own endpoints): snake_case
/// names, enums as words, and the host's shape of the library's results, laid over them here rather
/// than written into the library, so the library's types say what they are and the JSON what scripts
/// read. Scripts depend on these shapes; <c>JsonShapeTests</c> pins them.
/// </summary>
public static class LocalQaJson
{
    /// <summary>Indented, for a person's terminal and for scripts alike.</summary>
    public static JsonSerializerOptions Options { get; } = Create(indented: true);

    /// <summary>The same shapes on one line (chat's one object per answer, a server's bodies).</summary>
    public static JsonSerializerOptions OneLine { get; } = Create(indented: false);

    /// <summary>
    /// A summary as <c>summarize --json</c> and the server's <c>/api/summarize</c> write it: the map-reduce
    /// shape (sequences, reduce steps) shown inside "timings", which it explains.
    /// </summary>
    public static JsonObject Summary(SummaryResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var node = JsonSerializer.SerializeToNode(result, Options)!.AsObject();
        if (node["timings"] is JsonObject timings)
        {
            timings["map_sequences"] = result.MapSequences;
            timings["reduce_steps"] = result.ReduceSteps;
        }
        return node;
    }

    private static JsonSerializerOptions Create(bool indented)
    {
        var options = new JsonSerializerOptions
        {
            WriteIndented = indented,
            PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
            DefaultIgnoreCondition = JsonIgnoreCondition.Never,
            Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
            // Enums as words a script can compare ("generative", "already_present"), named like the keys.
            Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
            TypeInfoResolver = new DefaultJsonTypeInfoResolver { Modifiers = { Shape } },
        };
        options.MakeReadOnly();
        return options;
    }

    /// <summary>What the hosts change of one property of a library type.</summary>
    private sealed record Rule(string? Name = null, int? Order = null, bool Omit = false, int? Round = null);

    // Timings and scores carry digits past the first few that are noise (a millisecond's
    // millionths), which only make the output longer and runs harder to compare.
    private static readonly Rule Milliseconds = new(Round: 3);

    private static readonly Dictionary<(Type, string), Rule> Rules = new()
    {
        // The figures come last, after what they measure; the explanation just before them.
        [(typeof(AskResult), nameof(AskResult.Quoted))] = new(Name: "why", Order: 1),
        [(typeof(AskResult), nameof(AskResult.Timings))] = new(Order: 2),
        // A single question drops nothing; chat --json adds it beside the turn.
        [(typeof(AskResult), nameof(AskResult.DroppedTurns))] = new(Omit: true),
        [(typeof(AskTimings), nameof(AskTimings.RetrievalMs))] = Milliseconds,
        [(typeof(AskTimings), nameof(AskTimings.PromptMs))] = Milliseconds,
        [(typeof(AskTimings), nameof(AskTimings.TtftMs))] = Milliseconds,
        [(typeof(AskTimings), nameof(AskTimings.DecodeMs))] = Milliseconds,
        [(typeof(AskTimings), nameof(AskTimings.TotalMs))] = Milliseconds,
        [(typeof(ExtractiveSentence), nameof(ExtractiveSentence.Text))] = new(Name: "sentence", Order: -2),
        [(typeof(ExtractiveSentence), nameof(ExtractiveSentence.Citation))] = new(Name: "passage", Order: -1),
        [(typeof(ExtractiveSentence), nameof(ExtractiveSentence.Score))] = new(Round: 4),
        // The passage's index counts from 0, the citation from 1; the span is the reader's bookkeeping.
        [(typeof(ExtractiveSentence), nameof(ExtractiveSentence.PassageIndex))] = new(Omit: true),
        [(typeof(ExtractiveSentence), nameof(ExtractiveSentence.Span))] = new(Omit: true),
        [(typeof(ScoredSentence), nameof(ScoredSentence.Text))] = new(Name: "sentence", Order: -1),
        [(typeof(ScoredSentence), nameof(ScoredSentence.Score))] = new(Round: 4),
        // An empty "related" already says nothing passed; a script has no use for the difference.
        [(typeof(SummaryResult), nameof(SummaryResult.RelatedSearched))] = new(Omit: true),
        [(typeof(SummaryResult), nameof(SummaryResult.Explanation))] = new(Name: "why", Order: 1),
        // The map-reduce shape explains the timings: the command line shows it inside "timings".
        [(typeof(SummaryResult), nameof(SummaryResult.MapSequences))] = new(Omit: true),
        [(typeof(SummaryResult), nameof(SummaryResult.ReduceSteps))] = new(Omit: true),
        [(typeof(SummaryResult), nameof(SummaryResult.Timings))] = new(Order: 2),
        [(typeof(SummaryTimings), nameof(SummaryTimings.MapMs))] = Milliseconds,
        [(typeof(SummaryTimings), nameof(SummaryTimings.ReduceMs))] = Milliseconds,
        [(typeof(SummaryTimings), nameof(SummaryTimings.RelatedMs))] = Milliseconds,
        [(typeof(SummaryTimings), nameof(SummaryTimings.TotalMs))] = Milliseconds,
        [(typeof(SummaryTimings), nameof(SummaryTimings.TokensPerSecond))] = new(Round: 2),
        [(typeof(IngestReport), nameof(IngestReport.Seconds))] = Milliseconds,
        [(typeof(PathWarning), nameof(PathWarning.Line))] = new(Omit: true),
    };

    private static void Shape(JsonTypeInfo info)
    {
        if (info.Kind != JsonTypeInfoKind.Object) return;
        foreach (var property in info.Properties)
        {
            if (property.AttributeProvider is not System.Reflection.MemberInfo member
                || !Rules.TryGetValue((info.Type, member.Name), out var rule))
                continue;
            if (rule.Name is { } name) property.Name = name;
            if (rule.Order is { } order) property.Order = order;
            if (rule.Omit) property.ShouldSerialize = static (_, _) => false;
            if (rule.Round is { } digits) property.CustomConverter = new JsonRoundAttribute(digits).CreateConverter(typeof(double));
        }
    }
}
