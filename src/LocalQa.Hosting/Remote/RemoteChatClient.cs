using System.Runtime.CompilerServices;
using System.Text;
using LocalQa.Core;
using Microsoft.Extensions.AI;

namespace LocalQa.Hosting.Remote;

/// <summary>
/// A remote engine's chat client whose failures are <see cref="RemoteEngineException"/>s, and whose
/// stream must end with the engine's finish reason: a stream that stops without one (a connection
/// cut mid-answer) is an error carrying the partial text, never an answer taken as whole.
/// Thread-safe as the inner client is (HTTP clients take concurrent calls).
/// </summary>
public sealed class RemoteChatClient(IChatClient inner, string endpoint, string model, TimeSpan timeout) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (Translate(e, cancellationToken) is { } remote)
        {
            throw remote;
        }
        if (response.FinishReason is null)
            throw Cut(response.Text, null);
        return response;
    }

    public override async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var partial = new StringBuilder();
        var finished = false;
        var updates = base.GetStreamingResponseAsync(messages, options, cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            while (true)
            {
                ChatResponseUpdate update;
                try
                {
                    if (!await updates.MoveNextAsync().ConfigureAwait(false)) break;
                    update = updates.Current;
                }
                catch (Exception e) when (Translate(e, cancellationToken) is { } remote)
                {
                    throw remote.Fault == RemoteFault.Cut ? Cut(partial.ToString(), e) : remote;
                }
                finished |= update.FinishReason is not null;
                partial.Append(update.Text);
                yield return update;
            }
        }
        finally
        {
            await updates.DisposeAsync().ConfigureAwait(false);
        }
        if (!finished) throw Cut(partial.ToString(), null);
    }

    private RemoteEngineException? Translate(Exception e, CancellationToken ct) =>
        RemoteFaults.Translate(e, endpoint, model, SettingKeys.ChatModel, timeout, ct);

    private RemoteEngineException Cut(string partial, Exception? inner) => new(RemoteFault.Cut,
        partial.Length == 0
            ? $"The engine at {endpoint} ended its answer before any text, without finishing it ({model})."
            : $"The engine at {endpoint} cut the answer off after {partial.Length} characters, without finishing it ({model}): what was shown is not the whole answer.",
        "Run the command again; if it keeps happening, check the server's log and the network.", inner)
    {
        PartialText = partial,
    };
}
