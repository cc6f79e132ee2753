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

/// <summary>A model file that is missing, malformed, would crash llama.cpp, or cannot do what was asked of it; the message names the file.</summary>
public class ModelFileException : LlamaException
{
    public ModelFileException() { }

    public ModelFileException(string message) : base(message) { }

    public ModelFileException(string message, Exception? innerException) : base(message, innerException) { }

    public ModelFileException(string message, string? fix, Exception? innerException = null) : base(message, fix, innerException) { }
}

/// <summary>A context of the size asked for cannot be made: too small, larger than the model was trained for, or more than memory allows.</summary>
public sealed class ContextSizeException : LlamaException
{
    public ContextSizeException() { }

    public ContextSizeException(string message) : base(message) { }

    public ContextSizeException(string message, Exception? innerException) : base(message, innerException) { }

    public ContextSizeException(string message, string fix) : base(message, fix) { }
}
