namespace LocalQa.Llama;

/// <summary>
/// The caller's input is wrong (a file, a value, an option) and the caller can fix it.
/// This type, and nothing else, makes the command line answer with exit code 2 and a short
/// message instead of a stack trace: a bug never masquerades as bad input.
/// </summary>
public class InvalidInputException : Exception
{
    public InvalidInputException() { }

    public InvalidInputException(string message) : base(message) { }

    public InvalidInputException(string message, Exception? innerException) : base(message, innerException) { }

    public InvalidInputException(string message, string? fix, Exception? innerException = null)
        : base(message, innerException) => Fix = fix;

    /// <summary>What the user can do about it, as one sentence; null when the message says it.</summary>
    public string? Fix { get; }
}
