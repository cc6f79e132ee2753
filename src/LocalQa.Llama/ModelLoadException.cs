namespace LocalQa.Llama;

/// <summary>llama.cpp refused a model file that passed the managed checks.</summary>
public sealed class ModelLoadException : ModelFileException
{
    public ModelLoadException() { }

    public ModelLoadException(string message) : base(message) { }

    public ModelLoadException(string message, Exception? innerException) : base(message, innerException) { }

    public ModelLoadException(string message, string fix) : base(message, fix) { }
}
