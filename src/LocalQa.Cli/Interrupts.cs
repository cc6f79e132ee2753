namespace LocalQa.Cli;

/// <summary>
/// Ctrl+C cancels the innermost piece of work: inside the chat that is the answer being generated
/// (the chat goes on), otherwise the whole command (exit code 130). Stopping a command says so at
/// once on stderr, because finishing the current step can take a moment and a silent terminal
/// invites a second press; that second press ends the process without waiting.
/// </summary>
public static class Interrupts
{
    /// <summary>What a stopping command prints when Ctrl+C reaches it; scripts and tests wait for it.</summary>
    public const string Stopping = "localqa: stopping (press Ctrl+C again to quit at once)…";

    private static readonly Lock Gate = new();
    private static readonly Stack<Entry> Scopes = new();
    private static int s_installed;

    /// <summary>
    /// Makes Ctrl+C cancel <paramref name="root"/> (the command) and acknowledge it on
    /// <paramref name="error"/>, until the returned scope is disposed.
    /// </summary>
    public static Scope Install(CancellationTokenSource root, TextWriter error)
    {
        ArgumentNullException.ThrowIfNull(root);
        ArgumentNullException.ThrowIfNull(error);
        var entry = new Entry(root, error);
        lock (Gate) Scopes.Push(entry);
        if (Interlocked.Exchange(ref s_installed, 1) == 0)
        {
            Console.CancelKeyPress += (_, e) => e.Cancel = OnInterrupt();
        }
        return new Scope(entry, owned: false);
    }

    /// <summary>A scope whose token Ctrl+C cancels instead of the enclosing command's.</summary>
    public static Scope Enter(CancellationToken outer)
    {
        var entry = new Entry(CancellationTokenSource.CreateLinkedTokenSource(outer), Acknowledge: null);
        lock (Gate) Scopes.Push(entry);
        return new Scope(entry, owned: true);
    }

    /// <summary>Cancels the innermost scope; false lets the runtime end the process (a second Ctrl+C on a stopping command).</summary>
    private static bool OnInterrupt()
    {
        Entry top;
        lock (Gate)
        {
            if (!Scopes.TryPeek(out top!)) return true;
        }
        if (top.Acknowledge is null)
        {
            top.Source.Cancel();
            return true;
        }
        if (top.Source.IsCancellationRequested) return false;
        // The token is cancelled before this returns; its callbacks run on the thread pool, so none
        // of them can hold up the acknowledgement (or a second Ctrl+C) on this signal thread.
        _ = top.Source.CancelAsync();
        // Written after the cancel: whoever reads it knows the command's token is already cancelled.
        top.Acknowledge.WriteLine(Stopping);
        top.Acknowledge.Flush();
        return true;
    }

    internal sealed record Entry(CancellationTokenSource Source, TextWriter? Acknowledge);

    public sealed class Scope : IDisposable
    {
        private readonly Entry _entry;
        private readonly bool _owned;

        internal Scope(Entry entry, bool owned)
        {
            _entry = entry;
            _owned = owned;
        }

        public CancellationToken Token => _entry.Source.Token;

        public void Dispose()
        {
            lock (Gate)
            {
                if (Scopes.TryPeek(out var top) && ReferenceEquals(top, _entry)) Scopes.Pop();
            }
            if (_owned) _entry.Source.Dispose();
        }
    }
}
