namespace LocalQa.Cli;

/// <summary>Documented exit codes (README "Exit codes").</summary>
public static class ExitCodes
{
    public const int Ok = 0;

    /// <summary>A bug in LocalQa: the message says so and asks for a report.</summary>
    public const int InternalError = 1;

    /// <summary>Something the user gave is wrong (a file, a folder, a value, a model file, a question too long for the context).</summary>
    public const int BadInput = 2;

    /// <summary>The llama.cpp runtime is missing, broken or of another release: the installation, not the input.</summary>
    public const int RuntimeUnavailable = 3;

    /// <summary>A model download failed (no network, a server error, a file that is not the one expected).</summary>
    public const int DownloadFailed = 4;

    /// <summary>A remote engine failed: unreachable, too slow, too busy, failing, cut off mid-answer, or not speaking the OpenAI API.</summary>
    public const int EngineUnavailable = 5;

    public const int Interrupted = 130;
}
