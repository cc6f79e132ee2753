namespace LocalQa.Server;

/// <summary>
/// Who is let in: up to <c>slots</c> requests work at once (as many as the chat model decodes
/// together; the library's face gives each its turn at the index and the model), up to <c>queue</c>
/// more wait in arrival order, and any beyond that are refused at once (503), so the queue can never
/// grow without bound.
/// </summary>
internal sealed class Admission(int slots, int queue) : IDisposable
{
    private readonly SemaphoreSlim _turn = new(Math.Max(1, slots), Math.Max(1, slots));

    /// <summary>Requests that work at once.</summary>
    public int Slots { get; } = Math.Max(1, slots);
    private readonly Lock _idleLock = new();
    private TaskCompletionSource _idle = new(TaskCreationOptions.RunContinuationsAsynchronously);
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
        var present = Arrived();
        if (present > Slots + queue)
        {
            Departed();
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
            Departed();
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
        Arrived();
        try
        {
            await _turn.WaitAsync(ct).ConfigureAwait(false);
        }
        catch
        {
            Departed();
            throw;
        }
        return new Lease(this);
    }

    private int Arrived()
    {
        lock (_idleLock)
        {
            if (_present == 0) _idle = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return ++_present;
        }
    }

    private void Departed()
    {
        lock (_idleLock)
        {
            if (--_present == 0) _idle.TrySetResult();
        }
    }

    /// <summary>Completes when no request holds or awaits a turn (at once when none does): a client that
    /// hung up is gone from the server only once its request has noticed.</summary>
    public Task WhenIdleAsync()
    {
        lock (_idleLock) return _present == 0 ? Task.CompletedTask : _idle.Task;
    }

    private void Leave()
    {
        _turn.Release();
        Departed();
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
