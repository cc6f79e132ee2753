namespace LocalQa.Llama;

/// <summary>A model file that is missing, malformed, would crash llama.cpp, or cannot do what was asked of it; the message names the file.</summary>
public class ModelFileException : LlamaException
{
    public ModelFileException() { }

    public ModelFileException(string message) : base(message) { }

    public ModelFileException(string message, Exception? innerException) : base(message, innerException) { }

    public ModelFileException(string message, string? fix, Exception? innerException = null) : base(message, fix, innerException) { }
}
