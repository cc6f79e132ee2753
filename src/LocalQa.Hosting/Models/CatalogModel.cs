using LocalQa.Core;

namespace LocalQa.Hosting.Models;

/// <summary>What a model is for: generating answers, or turning text into vectors.</summary>
public enum ModelKind
{
    Chat,
    Embedding,
}

/// <summary>
/// One model of the catalog: where to fetch it and the exact bytes to expect. Immutable.
/// </summary>
public sealed record CatalogModel
{
    /// <summary>The short name users type: <c>localqa models download qwen2.5-1.5b-instruct</c>.</summary>
    public required string Name { get; init; }

    public required ModelKind Kind { get; init; }

    /// <summary>The file name on disk (no folder), the same as the last segment of the URL.</summary>
    public required string File { get; init; }

    /// <summary>An https address pinned to one revision, so the digest below stays true.</summary>
    public required Uri Url { get; init; }

    /// <summary>SHA-256 of the whole file, 64 lowercase hex digits.</summary>
    public required string Sha256 { get; init; }

    /// <summary>Exact size of the file in bytes.</summary>
    public required long Bytes { get; init; }

    public string? License { get; init; }

    /// <summary>The model used for its kind when none is configured; exactly one per kind.</summary>
    public bool IsDefault { get; init; }

    /// <summary>Training context in tokens, when the catalog states it.</summary>
    public int? Context { get; init; }

    /// <summary>Width of an embedding model's vectors, when the catalog states it.</summary>
    public int? Dimensions { get; init; }

    /// <summary>Text an embedding model expects before a query ("search_query: "), or null.</summary>
    public string? QueryPrefix { get; init; }

    /// <summary>Text an embedding model expects before a stored passage ("search_document: "), or null.</summary>
    public string? DocumentPrefix { get; init; }
}
