namespace LocalQa.Llama;

/// <summary>The least severe of llama.cpp's log lines that reaches stderr.</summary>
public enum NativeLogLevel
{
    None,
    Warning,
    Info,
    Debug,
}
