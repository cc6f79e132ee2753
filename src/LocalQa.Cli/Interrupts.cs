namespace LocalQa.Cli;

/// <summary>
/// Ctrl+C cancels the innermost piece of work: inside the chat that is the answer being generated
/// (the chat goes on), otherwise the whole command (exit code 130).
/// </summary>
public static class Interrupts
{
    private static readonly Lock Gate = new();
    private static readonly Stack<CancellationTokenSource> Scopes = new();
    private static int s_installed;

    public static void Install(CancellationTokenSource root)
    {
        ArgumentNullException.ThrowIfNull(root);
        lock (Gate) Scopes.Push(root);
        if (Interlocked.Exchange(ref s_installed, 1) == 0)
        {
            Console.CancelKeyPress += (_, e) =>
            {
                e.Cancel = true;
                lock (Gate)
                {
                    if (Scopes.TryPeek(out var top)) top.Cancel();
                }
            };
        }
    }

    /// <summary>A scope whose token Ctrl+C cancels instead of the enclosing command's.</summary>
    public static Scope Enter(CancellationToken outer)
    {
        var cts = CancellationTokenSource.CreateLinkedTokenSource(outer);
        lock (Gate) Scopes.Push(cts);
        return new Scope(cts);
    }

    public sealed class Scope(CancellationTokenSource cts) : IDisposable
    {
        public CancellationToken Token => cts.Token;

        public void Dispose()
        {
            lock (Gate)
            {
                if (Scopes.TryPeek(out var top) && ReferenceEquals(top, cts)) Scopes.Pop();
            }
            cts.Dispose();
        }
    }
}
