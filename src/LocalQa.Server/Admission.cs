namespace LocalQa.Server;

/// <summary>
/// The server's turn: one request works with the library at a time (its index connection and each
/// model's context have one owner), up to <c>queue</c> more wait in arrival order, and any beyond
/// that are refused at once (503), so the queue can never grow without bound.
/// </summary>
internal sealed class Admission(int queue) : IDisposable
{
    private readonly SemaphoreSlim _turn = new(1, 1);
    private int _present;

    /// <summary>Test hook: runs when a request has to wait for its turn.</summary>
    internal Action? OnQueued { get; set; }

    /// <summary>Test hook: runs when a request has its turn, before it starts its work.</summary>
    internal Func<CancellationToken, Task>? OnAdmitted { get; set; }

    /// <summary>Requests holding or awaiting the turn now.</summary>
    public int Present => Volatile.Read(ref _present);

    /// <summary>The turn, once it comes; null at once when the queue is full.</summary>
    public async Task<Lease?> EnterAsync(CancellationToken ct)
    {
        var present = Interlocked.Increment(ref _present);
        if (present > 1 + queue)
        {
            Interlocked.Decrement(ref _present);
            return null;
        }
        try
        {
            if (!_turn.Wait(0, CancellationToken.None))
            {
                OnQueued?.Invoke();
                await _turn.WaitAsync(ct).ConfigureAwait(false);
            }
        }
        catch
        {
            Interlocked.Decrement(ref _present);
            throw;
        }
        var lease = new Lease(this);
        try
        {
            if (OnAdmitted is { } hook) await hook(ct).ConfigureAwait(false);
        }
        catch
        {
            lease.Dispose();
            throw;
        }
        return lease;
    }

    /// <summary>
    /// The turn for work beside the requests (a watched folder's sync): it waits however many
    /// requests are queued, since refusing it would lose a change, and counts as present meanwhile.
    /// </summary>
    public async Task<Lease> WaitAsync(CancellationToken ct)
    {
        Interlocked.Increment(ref _present);
        try
        {
            await _turn.WaitAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            Interlocked.Decrement(ref _present);
            throw;
        }
        return new Lease(this);
    }

    private void Leave()
    {
        _turn.Release();
        Interlocked.Decrement(ref _present);
    }

    public void Dispose() => _turn.Dispose();

    /// <summary>The turn; disposing it hands the turn to the next request.</summary>
    internal sealed class Lease(Admission owner) : IDisposable
    {
        private int _disposed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0) owner.Leave();
        }
    }
}
