using System.Text;
using Tessera.Viewer;

namespace Tessera.Serving;

/// <summary>
/// Two pyramids served together for comparison: <c>/</c> is a page showing both, moving together;
/// the first pyramid's own addresses are under <c>/1/</c> and the second's under <c>/2/</c> (so two
/// pyramids of the same name can be compared), each answered, and refused, as that pyramid's site
/// answers them alone.
/// </summary>
public sealed class ComparisonSite : IServedSite
{
    private readonly PyramidSite _first;
    private readonly PyramidSite _second;
    private readonly Lock _pageLock = new();
    private (SiteView First, SiteView Second, SiteResponse Page)? _page;

    public ComparisonSite(PyramidSite first, PyramidSite second)
    {
        _first = first;
        _second = second;
    }

    public string Description => $"{_first.Source} and {_second.Source} side by side";

    public SiteResponse Resolve(string target)
    {
        if (target.StartsWith("/1/", StringComparison.Ordinal))
        {
            return _first.Resolve(target[2..]);
        }

        if (target.StartsWith("/2/", StringComparison.Ordinal))
        {
            return _second.Resolve(target[2..]);
        }

        string path = target.Split('?', '#')[0];
        return path is "/" or "/index.html" ? Page() : SiteResponse.NotFound("Not part of this comparison: its pyramids are under /1/ and /2/.");
    }

    /// <summary>The page, made again when either pyramid changed (a zip rewritten).</summary>
    private SiteResponse Page()
    {
        SiteView first, second;
        try
        {
            first = _first.CurrentView();
            second = _second.CurrentView();
        }
        catch (TesseraException e)
        {
            return SiteResponse.Unavailable(e.Message);
        }

        lock (_pageLock)
        {
            if (_page is { } page && ReferenceEquals(page.First, first) && ReferenceEquals(page.Second, second))
            {
                return page.Page;
            }

            string html = ViewerPage.RenderComparison(first.Pyramid with { Prefix = "1/" }, second.Pyramid with { Prefix = "2/" });
            SiteResponse response = SiteView.Content(Encoding.UTF8.GetBytes(html), "text/html; charset=utf-8", PyramidSite.PageCacheControl, DateTimeOffset.UtcNow);
            _page = (first, second, response);
            return response;
        }
    }

    public void Dispose()
    {
        _first.Dispose();
        _second.Dispose();
    }
}
