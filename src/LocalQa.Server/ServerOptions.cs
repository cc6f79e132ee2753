using System.Globalization;
using System.Net;
using LocalQa.Core;

namespace LocalQa.Server;

/// <summary>How <c>localqa serve</c> listens and what it accepts.</summary>
public sealed record ServerOptions
{
    /// <summary>The address to bind: an IP address or <c>localhost</c>. Loopback unless an API key is set.</summary>
    public string Host { get; init; } = "127.0.0.1";

    /// <summary>The TCP port; 0 lets the system pick one (<see cref="LocalQaServer.Address"/> says which).</summary>
    public int Port { get; init; } = 8080;

    /// <summary>The key clients send as <c>Authorization: Bearer KEY</c>; null for none (loopback only).</summary>
    public string? ApiKey { get; init; }

    /// <summary>Requests that may wait while the slots are busy; one more is answered 503 with Retry-After.</summary>
    public int Queue { get; init; } = 16;

    /// <summary>Requests served at once (the chat model's slots); 0 takes the library's own (<see cref="Hosting.LibraryOptions.Slots"/>, at least 1).</summary>
    public int Parallel { get; init; }

    public const int MaxParallel = 64;

    /// <summary>Requests one client address may have in the server at once, working or waiting; one more is answered 429. Null for no limit per client.</summary>
    public int? ClientRequests { get; init; }

    /// <summary>Web origins (<c>http://localhost:3000</c>) whose pages may call the server from a browser, or <c>*</c> for any (only with an API key); empty for none.</summary>
    public IReadOnlyList<string> CorsOrigins { get; init; } = [];

    /// <summary>Origins from the cors setting: comma-separated, blanks dropped.</summary>
    public static IReadOnlyList<string> ParseOrigins(string? text) =>
        string.IsNullOrWhiteSpace(text) ? [] : [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)];

    /// <summary>The largest request body, in bytes (a summarized article travels in one).</summary>
    public long MaxBodyBytes { get; init; } = 4 * 1024 * 1024;

    /// <summary>The most messages one chat request may carry.</summary>
    public int MaxMessages { get; init; } = 256;

    /// <summary>The most inputs one embeddings request may carry.</summary>
    public int MaxEmbeddingInputs { get; init; } = 256;

    public const int MaxQueue = 1024;

    /// <summary>The address to bind, checked (<see cref="InvalidInputException"/> otherwise): a non-loopback address needs an API key.</summary>
    public IPAddress Validate()
    {
        if (Port is < 0 or > 65535)
            throw new InvalidInputException(string.Create(CultureInfo.InvariantCulture, $"The port is {Port}; it must be from 0 to 65535."), "Pick a free port, or 0 to let the system choose.") { Setting = nameof(Port) };
        if (Queue is < 0 or > MaxQueue)
            throw new InvalidInputException(string.Create(CultureInfo.InvariantCulture, $"The queue is {Queue}; it must be from 0 to {MaxQueue}."), "Requests beyond it are answered 503; a long queue only makes clients wait longer.") { Setting = nameof(Queue) };
        if (Parallel is < 0 or > MaxParallel)
            throw new InvalidInputException(string.Create(CultureInfo.InvariantCulture, $"--parallel {Parallel} is out of range."), string.Create(CultureInfo.InvariantCulture, $"Give 1 to {MaxParallel} slots; each holds a context of the context setting.")) { Setting = nameof(Parallel) };
        if (ClientRequests is < 1)
            throw new InvalidInputException(string.Create(CultureInfo.InvariantCulture, $"--client-requests {ClientRequests} is out of range."), "Give at least 1, or leave it out for no limit per client.") { Setting = nameof(ClientRequests) };
        foreach (var origin in CorsOrigins)
        {
            if (origin == "*")
            {
                if (ApiKey is null)
                    throw new InvalidInputException("--cors * would let any web page you visit read your library through this server, and no API key is set.",
                        "Name the origins (--cors http://localhost:3000), or set an API key.") { Setting = nameof(CorsOrigins) };
                continue;
            }
            if (!Uri.TryCreate(origin, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https") || uri.PathAndQuery != "/" || origin.EndsWith('/'))
                throw new InvalidInputException($"'{origin}' is not a web origin.", "Give scheme, host and port only, such as http://localhost:3000, separated by commas.") { Setting = nameof(CorsOrigins) };
        }
        if (ApiKey is not null && string.IsNullOrWhiteSpace(ApiKey))
            throw new InvalidInputException("The API key is empty.", "Give a key of printable characters, or none to serve loopback only.") { Setting = nameof(ApiKey) };
        if (MaxBodyBytes < 1024 || MaxMessages < 1 || MaxEmbeddingInputs < 1)
            throw new InvalidInputException("The request limits must allow at least 1 KiB, one message and one embedding input.", null);
        IPAddress address;
        if (string.Equals(Host, "localhost", StringComparison.OrdinalIgnoreCase)) address = IPAddress.Loopback;
        else if (!IPAddress.TryParse(Host, out address!))
            throw new InvalidInputException($"'{Host}' is not an IP address.", "Give an IP address to bind (127.0.0.1, ::1, 0.0.0.0) or localhost.") { Setting = nameof(Host) };
        if (!IPAddress.IsLoopback(address) && ApiKey is null)
            throw new InvalidInputException($"Serving on {Host} would let anyone who can reach this machine use it, and no API key is set.",
                "Set an API key (clients send it as 'Authorization: Bearer KEY'), or serve on 127.0.0.1.") { Setting = nameof(ApiKey) };
        return address;
    }
}
