namespace LocalQa.Llama;

/// <summary>The native runtime is missing, broken or of the wrong release; the message says how to fix it.</summary>
public sealed class LlamaRuntimeException : LlamaException
{
    public LlamaRuntimeException() { }

    public LlamaRuntimeException(string message) : base(message) { }

    public LlamaRuntimeException(string message, Exception? innerException) : base(message, innerException) { }
}
