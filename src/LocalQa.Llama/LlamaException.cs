namespace LocalQa.Llama;

/// <summary>
/// An error of the engine, in the engine's words: a model file it cannot use, a context it cannot
/// make, text it cannot take, a runtime it cannot load. It names files and sizes, never how a
/// front end spells its options: the caller that knows its own flags adds them (the command line
/// maps each kind to an exit code and a fix in one place).
/// </summary>
public class LlamaException : Exception
{
    public LlamaException() { }

    public LlamaException(string message) : base(message) { }

    public LlamaException(string message, Exception? innerException) : base(message, innerException) { }

    public LlamaException(string message, string? fix, Exception? innerException = null)
        : base(message, innerException) => Fix = fix;

    /// <summary>What can be done about it, as one sentence; null when the message says it.</summary>
    public string? Fix { get; }
}
