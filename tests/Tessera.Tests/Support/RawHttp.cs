using System.Net.Sockets;
using System.Text;

namespace Tessera.Tests.Support;

/// <summary>
/// One HTTP/1.1 request sent byte for byte as written, for targets an HTTP client would clean up
/// first (<c>/../x</c>, backslashes, absolute forms).
/// </summary>
public static class RawHttp
{
    public sealed record Response(int Status, string Head, string Body);

    public static Response Get(int port, string target) => Get(port, target, $"127.0.0.1:{port}");

    /// <summary>As <see cref="Get(int, string)"/>, with this Host header (none when null).</summary>
    public static Response Get(int port, string target, string? host)
    {
        using var client = new TcpClient();
        client.Connect("127.0.0.1", port);
        client.ReceiveTimeout = 10_000;
        using NetworkStream stream = client.GetStream();
        string hostLine = host is null ? "" : $"Host: {host}\r\n";
        stream.Write(Encoding.Latin1.GetBytes($"GET {target} HTTP/1.1\r\n{hostLine}Connection: close\r\n\r\n"));
        using var received = new MemoryStream();
        stream.CopyTo(received);
        string text = Encoding.Latin1.GetString(received.ToArray());
        int split = text.IndexOf("\r\n\r\n", StringComparison.Ordinal);
        string head = split < 0 ? text : text[..split];
        string[] statusLine = head.Split("\r\n")[0].Split(' ');
        if (statusLine.Length < 2 || !int.TryParse(statusLine[1], out int status))
        {
            throw new InvalidOperationException($"GET {target}: not an HTTP response: {text}");
        }

        return new Response(status, head, split < 0 ? "" : text[(split + 4)..]);
    }
}
