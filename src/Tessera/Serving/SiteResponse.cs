namespace Tessera.Serving;

/// <summary>
/// What <see cref="PyramidSite"/> answers to one request: a status, and for 200 the content — a file
/// on disk (<see cref="FilePath"/>) or bytes (<see cref="Body"/>) — with the headers a cache needs.
/// </summary>
public sealed record SiteResponse
{
    public required int Status { get; init; }

    /// <summary>Why a request was refused (400, 403), not found (404) or cannot be answered now (503); a line for the response body.</summary>
    public string? Reason { get; init; }

    public string ContentType { get; init; } = "text/plain; charset=utf-8";
    public string? CacheControl { get; init; }

    /// <summary>A strong entity tag, quotes included.</summary>
    public string? ETag { get; init; }

    public DateTimeOffset? LastModified { get; init; }
    public string? FilePath { get; init; }
    public ReadOnlyMemory<byte> Body { get; init; }

    public static SiteResponse BadRequest(string reason) => new() { Status = 400, Reason = reason };

    public static SiteResponse Forbidden(string reason) => new() { Status = 403, Reason = reason };

    public static SiteResponse NotFound(string reason) => new() { Status = 404, Reason = reason };

    public static SiteResponse Unavailable(string reason) => new() { Status = 503, Reason = reason };
}
