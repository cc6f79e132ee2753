namespace LocalQa.Cli;

/// <summary>
/// Reports on the worker's own thread. <see cref="Progress{T}"/> posts to the thread pool, so a
/// report could land out of order, or after the progress display it draws on has closed.
/// </summary>
internal sealed class SyncProgress<T>(Action<T> report) : IProgress<T>
{
    public void Report(T value) => report(value);
}
