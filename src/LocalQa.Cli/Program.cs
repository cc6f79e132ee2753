using LocalQa.Cli;
using LocalQa.Llama;

// llama.cpp's own log on stderr, for diagnosing a runtime or a model (docs/runtime.md):
// the process's environment is the host's to read, not the engine's.
LlamaRuntime.NativeLogLevel = Environment.GetEnvironmentVariable("LOCALQA_LOG")?.ToLowerInvariant() switch
{
    "debug" => NativeLogLevel.Debug,
    "info" => NativeLogLevel.Info,
    "warn" or "warning" => NativeLogLevel.Warning,
    _ => NativeLogLevel.None,
};

return await CliApp.RunAsync(args, Console.Out, Console.Error).ConfigureAwait(false);
