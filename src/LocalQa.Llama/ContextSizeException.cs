namespace LocalQa.Llama;

/// <summary>A context of the size asked for cannot be made: too small, larger than the model was trained for, or more than memory allows.</summary>
public sealed class ContextSizeException : LlamaException
{
    public ContextSizeException() { }

    public ContextSizeException(string message) : base(message) { }

    public ContextSizeException(string message, Exception? innerException) : base(message, innerException) { }

    public ContextSizeException(string message, string fix) : base(message, fix) { }
}
