namespace LocalQa.Llama;

/// <summary>The prompt (plus what is to be generated) does not fit the context.</summary>
public sealed class ContextFullException : LlamaException
{
    public ContextFullException() { }

    public ContextFullException(string message) : base(message, "Give less input, or use a larger context.") { }

    public ContextFullException(string message, Exception? innerException) : base(message, innerException) { }
}
