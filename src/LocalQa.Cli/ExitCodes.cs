namespace LocalQa.Cli;

/// <summary>Documented exit codes (README "Exit codes").</summary>
public static class ExitCodes
{
    public const int Ok = 0;
    public const int InternalError = 1;
    public const int BadInput = 2;
    public const int Interrupted = 130;
}
