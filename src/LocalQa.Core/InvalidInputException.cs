namespace LocalQa.Core;

/// <summary>
/// What the user gave is wrong (a document, a folder, a question, an option, an index file) and
/// they can fix it. Front ends report it as bad input with its <see cref="Fix"/>; a bug never
/// masquerades as one. The engine's own errors are LocalQa.Llama's <c>LlamaException</c>s.
/// </summary>
public class InvalidInputException : Exception
{
    /// <summary>Creates one with the runtime's default message and no fix.</summary>
    public InvalidInputException() { }

    /// <summary>Creates one that says what is wrong, with no separate fix.</summary>
    public InvalidInputException(string message) : base(message) { }

    /// <summary>Creates one that says what is wrong, caused by <paramref name="innerException"/>, with no separate fix.</summary>
    public InvalidInputException(string message, Exception? innerException) : base(message, innerException) { }

    /// <summary>Creates one that says what is wrong and, in <paramref name="fix"/>, what the user can do about it.</summary>
    public InvalidInputException(string message, string? fix, Exception? innerException = null)
        : base(message, innerException) => Fix = fix;

    /// <summary>What the user can do about it, as one sentence; null when the message says it.</summary>
    public string? Fix { get; }

    /// <summary>
    /// The option the fix concerns, in the library's words: a key of <see cref="SettingKeys"/>,
    /// or the name of an options record's property (<c>nameof(AskOptions.TopK)</c>). The fix itself names no
    /// front end's flag, because a library user has none; a front end turns this into its own flag or field.
    /// Null when the fix concerns no option.
    /// </summary>
    public string? Setting { get; init; }
}
