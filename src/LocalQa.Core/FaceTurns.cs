namespace LocalQa.Core;

/// <summary>
/// The face's resources and the turns callers take at each: the library (the index connection, the
/// embedder, the loaded vectors) has one owner at a time; the chat client takes as many calls at
/// once as it says it can (one for a single in-process context, its slots for a slotted one, the
/// configured concurrency for a server); summaries take one batch at a time. A question holds the
/// library only while it retrieves and the chat client only while it generates, so one client's
/// search never waits for another's answer to finish.
/// </summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "A SemaphoreSlim holds no handle unless AvailableWaitHandle is read, and a call still waiting when the face closes must wake on a live semaphore and be refused, not hang on a disposed one.")]
internal sealed class FaceTurns(int chatConcurrency)
{
    private readonly SemaphoreSlim _library = new(1, 1);
    private readonly SemaphoreSlim _chat = new(Math.Max(1, chatConcurrency), Math.Max(1, chatConcurrency));
    private readonly SemaphoreSlim _batch = new(1, 1);
    private volatile bool _closed;

    public int ChatConcurrency { get; } = Math.Max(1, chatConcurrency);

    public ValueTask<Turn> LibraryAsync(CancellationToken ct) => EnterAsync(_library, ct);

    public ValueTask<Turn> ChatAsync(CancellationToken ct) => EnterAsync(_chat, ct);

    public ValueTask<Turn> BatchAsync(CancellationToken ct) => EnterAsync(_batch, ct);

    private async ValueTask<Turn> EnterAsync(SemaphoreSlim gate, CancellationToken ct)
    {
        ObjectDisposedException.ThrowIf(_closed, this);
        await gate.WaitAsync(ct).ConfigureAwait(false);
        if (_closed)
        {
            gate.Release();
            throw new ObjectDisposedException(nameof(ILocalQa));
        }
        return new Turn(gate);
    }

    /// <summary>
    /// Refuses new turns and waits, synchronously, for those taken to be given back: the engine and
    /// the index must not go away under a call in progress.
    /// </summary>
    public void Close()
    {
        _closed = true;
        _library.Wait();
        for (var i = 0; i < ChatConcurrency; i++) _chat.Wait();
        _batch.Wait();
        // Calls that were already waiting wake, see the face closed and give their turn straight back.
        _library.Release();
        _chat.Release(ChatConcurrency);
        _batch.Release();
    }

    /// <summary>A turn; disposing it gives it back.</summary>
    public readonly struct Turn(SemaphoreSlim gate) : IDisposable
    {
        public void Dispose() => gate?.Release();
    }
}
