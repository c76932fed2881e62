namespace Tessera.Serving;

/// <summary>
/// The Host header values a server on the loopback address answers: its own names with its port,
/// nothing else. A page elsewhere that makes a browser resolve its own name to 127.0.0.1 (DNS
/// rebinding) still sends that name, and is refused.
/// </summary>
public static class LoopbackHost
{
    private static readonly string[] Names = ["127.0.0.1", "localhost", "[::1]"];

    /// <summary>Whether <paramref name="host"/> (the Host header as sent) names this server, listening on <paramref name="port"/>.</summary>
    public static bool IsOwn(string? host, int port)
    {
        if (string.IsNullOrEmpty(host))
        {
            return false;
        }

        string suffix = ":" + port.ToString(System.Globalization.CultureInfo.InvariantCulture);
        foreach (string name in Names)
        {
            if (host.Equals(name + suffix, StringComparison.OrdinalIgnoreCase) || (port == 80 && host.Equals(name, StringComparison.OrdinalIgnoreCase)))
            {
                return true;
            }
        }

        return false;
    }
}
