namespace LocalQa.Hosting.Remote;

/// <summary>What went wrong between LocalQa and a remote engine.</summary>
public enum RemoteFault
{
    /// <summary>No connection: refused, a name that does not resolve, a TLS failure.</summary>
    Unreachable,

    /// <summary>The engine took longer than the timeout setting over one request.</summary>
    Timeout,

    /// <summary>The engine refused the API key (HTTP 401 or 403).</summary>
    Unauthorized,

    /// <summary>The engine has no model of the configured name (HTTP 404).</summary>
    ModelNotFound,

    /// <summary>The engine refused the request itself (HTTP 400, 413, 422): a prompt longer than its context, say.</summary>
    Refused,

    /// <summary>The engine kept answering 429 Too Many Requests after the bounded retries.</summary>
    RateLimited,

    /// <summary>The engine kept failing (HTTP 5xx) after the bounded retries.</summary>
    ServerError,

    /// <summary>The answer's stream ended before the engine finished it.</summary>
    Cut,

    /// <summary>The engine's answer is not the OpenAI API's shape (malformed JSON, missing fields).</summary>
    Malformed,

    /// <summary>The embedding model returned vectors of another length than it did before, or than the index holds.</summary>
    WrongDimension,
}

/// <summary>
/// A remote engine (a server speaking the OpenAI API) failed in a way the user can act on: what
/// happened, with the endpoint and the model, and a fix in plain words.
/// </summary>
public sealed class RemoteEngineException : Exception
{
    public RemoteEngineException(RemoteFault fault, string message, string fix, Exception? inner = null)
        : base(message, inner)
    {
        Fault = fault;
        Fix = fix;
    }

    public RemoteEngineException() : this(RemoteFault.Unreachable, "The remote engine failed.", "Run 'localqa doctor'.") { }

    public RemoteEngineException(string message) : this(RemoteFault.Unreachable, message, "Run 'localqa doctor'.") { }

    public RemoteEngineException(string message, Exception inner) : this(RemoteFault.Unreachable, message, "Run 'localqa doctor'.", inner) { }

    public RemoteFault Fault { get; }

    /// <summary>What to do about it, in the library's words (no flags).</summary>
    public string Fix { get; }

    /// <summary>The settings key the fix concerns, or null.</summary>
    public string? Setting { get; init; }

    /// <summary>The text the engine streamed before its stream was cut; null unless <see cref="Fault"/> is <see cref="RemoteFault.Cut"/>.</summary>
    public string? PartialText { get; init; }

    /// <summary>Whether the user's settings are what is wrong (the key, a model name, the context), rather than the engine or the network.</summary>
    public bool IsConfiguration => Fault is RemoteFault.Unauthorized or RemoteFault.ModelNotFound or RemoteFault.Refused;
}
