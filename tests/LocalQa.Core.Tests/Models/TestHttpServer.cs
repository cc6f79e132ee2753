using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace LocalQa.Core.Tests.Models;

/// <summary>
/// A minimal HTTP/1.1 file server on 127.0.0.1 (ephemeral port) for download tests: it serves one
/// file, honours or ignores Range, and can drop or stall a response after some bytes, per request.
/// Raw sockets, so a test controls exactly what goes over the wire. Never reaches the internet.
/// </summary>
public sealed class TestHttpServer : IAsyncDisposable
{
    private readonly TcpListener _listener;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private int _requestCount;

    public TestHttpServer(byte[] content, string path = "/files/model.gguf")
    {
        Content = content;
        FilePath = path;
        _listener = new TcpListener(IPAddress.Loopback, 0);
        _listener.Start();
        Url = new Uri(string.Create(CultureInfo.InvariantCulture, $"http://127.0.0.1:{((IPEndPoint)_listener.LocalEndpoint).Port}{path}"));
        _loop = Task.Run(AcceptLoop);
    }

    public byte[] Content { get; }

    public string FilePath { get; }

    public Uri Url { get; }

    /// <summary>False: answer every request with the whole file (200), as some servers do.</summary>
    public bool HonorRange { get; set; } = true;

    /// <summary>Answer every request with this status and no body (404, 500...).</summary>
    public HttpStatusCode? Status { get; set; }

    /// <summary>Per request (0-based): answer with this status and no body; null serves the file.</summary>
    public Func<int, HttpStatusCode?> StatusFor { get; set; } = _ => null;

    /// <summary>Per request (0-based): close the connection after this many body bytes.</summary>
    public Func<int, long?> DropAfter { get; set; } = _ => null;

    /// <summary>Per request: send this many body bytes, then nothing more (the connection stays open).</summary>
    public Func<int, long?> StallAfter { get; set; } = _ => null;

    /// <summary>The Range header of each request received (null when absent), in order.</summary>
    public ConcurrentQueue<string?> Ranges { get; } = new();

    public int RequestCount => Volatile.Read(ref _requestCount);

    /// <summary>A port on 127.0.0.1 where nothing listens: connecting is refused.</summary>
    public static int ClosedPort()
    {
        var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        var port = ((IPEndPoint)l.LocalEndpoint).Port;
        l.Stop();
        return port;
    }

    private async Task AcceptLoop()
    {
        while (!_stop.IsCancellationRequested)
        {
            Socket socket;
            try
            {
                socket = await _listener.AcceptSocketAsync(_stop.Token);
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException)
            {
                return;
            }
            _ = Task.Run(() => Serve(socket));
        }
    }

    private async Task Serve(Socket socket)
    {
        using (socket)
        {
            try
            {
                var index = Interlocked.Increment(ref _requestCount) - 1;
                var head = await ReadHead(socket);
                if (head is null) return;
                var lines = head.Split("\r\n");
                var target = lines[0].Split(' ')[1];
                var range = lines.Skip(1).Where(l => l.StartsWith("Range:", StringComparison.OrdinalIgnoreCase))
                    .Select(l => l["Range:".Length..].Trim()).FirstOrDefault();
                Ranges.Enqueue(range);

                if ((Status ?? StatusFor(index)) is { } status || target != FilePath)
                {
                    var code = Status ?? StatusFor(index) ?? HttpStatusCode.NotFound;
                    await Send(socket, $"HTTP/1.1 {(int)code} {code}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    return;
                }

                long from = 0;
                if (HonorRange && range is not null && range.StartsWith("bytes=", StringComparison.Ordinal) && range.EndsWith('-'))
                    from = long.Parse(range["bytes=".Length..^1], CultureInfo.InvariantCulture);
                if (HonorRange && range is not null && from >= Content.Length)
                {
                    await Send(socket, $"HTTP/1.1 416 Range Not Satisfiable\r\nContent-Range: bytes */{Content.Length}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n");
                    return;
                }
                var partial = HonorRange && range is not null;
                var length = Content.Length - from;
                var header = new StringBuilder()
                    .Append(partial ? "HTTP/1.1 206 Partial Content\r\n" : "HTTP/1.1 200 OK\r\n")
                    .Append(CultureInfo.InvariantCulture, $"Content-Length: {length}\r\n")
                    .Append("Content-Type: application/octet-stream\r\nAccept-Ranges: bytes\r\nConnection: close\r\n");
                if (partial) header.Append(CultureInfo.InvariantCulture, $"Content-Range: bytes {from}-{Content.Length - 1}/{Content.Length}\r\n");
                await Send(socket, header.Append("\r\n").ToString());

                var drop = DropAfter(index);
                var stall = StallAfter(index);
                var limit = Math.Min(length, Math.Min(drop ?? long.MaxValue, stall ?? long.MaxValue));
                var sent = 0L;
                while (sent < limit)
                {
                    var n = (int)Math.Min(16 * 1024, limit - sent);
                    await socket.SendAsync(Content.AsMemory((int)(from + sent), n), _stop.Token);
                    sent += n;
                }
                if (stall is not null && drop is null && sent < length)
                {
                    await Task.Delay(Timeout.Infinite, _stop.Token);
                }
                // Dropping: a graceful close, so every byte sent arrives before the client sees the end.
                socket.Shutdown(SocketShutdown.Send);
            }
            catch (Exception e) when (e is SocketException or IOException or OperationCanceledException or ObjectDisposedException)
            {
                // The client went away (cancelled download) or the server is stopping.
            }
        }
    }

    private async Task<string?> ReadHead(Socket socket)
    {
        var buffer = new List<byte>();
        var one = new byte[1];
        while (buffer.Count < 64 * 1024)
        {
            if (await socket.ReceiveAsync(one, _stop.Token) == 0) return null;
            buffer.Add(one[0]);
            if (buffer.Count >= 4 && buffer[^4] == '\r' && buffer[^3] == '\n' && buffer[^2] == '\r' && buffer[^1] == '\n')
                return Encoding.ASCII.GetString(buffer.ToArray(), 0, buffer.Count - 4);
        }
        return null;
    }

    private async Task Send(Socket socket, string text) => await socket.SendAsync(Encoding.ASCII.GetBytes(text), _stop.Token);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try
        {
            await _loop;
        }
        catch (OperationCanceledException)
        {
        }
        _stop.Dispose();
    }
}
