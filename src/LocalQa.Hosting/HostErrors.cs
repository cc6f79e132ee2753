using LocalQa.Core;
using LocalQa.Llama;

namespace LocalQa.Hosting;

/// <summary>What a host makes of an error, whichever layer threw it.</summary>
public enum HostErrorKind
{
    /// <summary>A bug: reported as an internal error, never as the caller's fault.</summary>
    Internal,

    /// <summary>The caller's input or the user's configuration (a question too long, a model LocalQa refuses).</summary>
    Input,

    /// <summary>The llama.cpp runtime is missing, broken or of another release.</summary>
    Runtime,

    /// <summary>A remote engine failed: unreachable, too slow, too busy, failing, or cut off mid-answer.</summary>
    Engine,
}

/// <summary>
/// Errors of every layer in a host's terms, so a host that does not reference the engine (the
/// server) still tells the caller's mistake from a bug by type, never by guessing: the engine's
/// <see cref="LlamaException"/>s and the library's <see cref="InvalidInputException"/> carry a fix.
/// </summary>
public static class HostErrors
{
    public static HostErrorKind Classify(Exception error) => error switch
    {
        LlamaRuntimeException => HostErrorKind.Runtime,
        Remote.RemoteEngineException { IsConfiguration: true } => HostErrorKind.Input,
        Remote.RemoteEngineException => HostErrorKind.Engine,
        InvalidInputException or LlamaException => HostErrorKind.Input,
        _ => HostErrorKind.Internal,
    };

    /// <summary>The fix the error carries in the library's own words, or null.</summary>
    public static string? Fix(Exception error) => error switch
    {
        LlamaException l => l.Fix,
        InvalidInputException i => i.Fix,
        Remote.RemoteEngineException r => r.Fix,
        _ => null,
    };
}
