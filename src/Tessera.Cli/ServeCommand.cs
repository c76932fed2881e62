using System.CommandLine;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Net.Http.Headers;
using Tessera.Serving;

namespace Tessera.Cli;

/// <summary>
/// <c>tessera serve OUTPUT.dzi|OUTPUT.zip</c>: the viewer page and the tiles over HTTP on 127.0.0.1,
/// with Kestrel. What is served, and what is refused, is decided by <see cref="PyramidSite"/>; this
/// is the host: binding, Host names (<see cref="LoopbackHost"/>), methods, headers, ranges and
/// conditional requests (ASP.NET Core's file results).
/// </summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var pyramid = new Argument<string[]>("OUTPUT.dzi|OUTPUT.zip")
        {
            Description = "The pyramid to serve; or two, to compare them side by side (or swiped), moving together.",
            Arity = new ArgumentArity(1, 2),
        };
        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0, the default: any free port). The address is printed on standard output.", DefaultValueFactory = _ => 0 };
        var command = new Command("serve", "Serve a pyramid and its viewer page (or two pyramids and a page comparing them) on 127.0.0.1 until Ctrl-C.")
        {
            pyramid, port,
        };
        command.SetAction((result, cancellationToken) => Task.FromResult(Errors.Guard(() =>
            Serve(result.GetValue(pyramid)!, result.GetValue(port), cancellationToken))));
        return command;
    }

    private static int Serve(string[] paths, int port, CancellationToken cancellationToken)
    {
        if (port is < 0 or > IPEndPoint.MaxPort)
        {
            throw new TesseraException(string.Create(CultureInfo.InvariantCulture, $"--port must be between 0 and {IPEndPoint.MaxPort}, not {port}."));
        }

        using IServedSite site = Open(paths);
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(IPAddress.Loopback, port);
        });
        builder.Services.Configure<HostOptions>(options => options.ShutdownTimeout = TimeSpan.FromSeconds(2));
        using WebApplication app = builder.Build();
        app.Run(context => Answer(context, site));
        try
        {
            app.StartAsync(cancellationToken).GetAwaiter().GetResult();
        }
        catch (IOException e)
        {
            throw new TesseraException(string.Create(CultureInfo.InvariantCulture, $"Cannot listen on 127.0.0.1:{port}: {e.Message}"), e);
        }
        catch (SocketException e)
        {
            throw new TesseraException(string.Create(CultureInfo.InvariantCulture, $"Cannot listen on 127.0.0.1:{port}: {e.Message}"), e);
        }

        string address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single().TrimEnd('/');
        Console.WriteLine($"Serving {site.Description} at {address}/ (Ctrl-C to stop)");
        app.WaitForShutdownAsync(cancellationToken).GetAwaiter().GetResult();
        app.StopAsync(CancellationToken.None).GetAwaiter().GetResult();
        Console.WriteLine("Stopped.");
        return 0;
    }

    private static IServedSite Open(string[] paths)
    {
        PyramidSite first = PyramidSite.Open(paths[0]);
        if (paths.Length == 1)
        {
            return first;
        }

        try
        {
            return new ComparisonSite(first, PyramidSite.Open(paths[1]));
        }
        catch
        {
            first.Dispose();
            throw;
        }
    }

    private static Task Answer(HttpContext context, IServedSite site)
    {
        HttpResponse response = context.Response;
        response.Headers.XContentTypeOptions = "nosniff";
        int port = context.Connection.LocalPort;
        if (!LoopbackHost.IsOwn(context.Request.Host.Value, port))
        {
            string own = string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{port} or localhost:{port}");
            return Results.Text($"This server answers only to {own}.\n", statusCode: StatusCodes.Status421MisdirectedRequest).ExecuteAsync(context);
        }

        IgnoreRangesOtherThanBytes(context.Request);
        if (!HttpMethods.IsGet(context.Request.Method) && !HttpMethods.IsHead(context.Request.Method))
        {
            response.StatusCode = StatusCodes.Status405MethodNotAllowed;
            response.Headers.Allow = "GET, HEAD";
            return Task.CompletedTask;
        }

        string target = context.Features.Get<IHttpRequestFeature>()!.RawTarget;
        SiteResponse answer = site.Resolve(target);
        if (answer.Status != StatusCodes.Status200OK)
        {
            return Results.Text(answer.Reason + "\n", answer.ContentType, statusCode: answer.Status).ExecuteAsync(context);
        }

        response.Headers.CacheControl = answer.CacheControl;
        var etag = EntityTagHeaderValue.Parse(answer.ETag);
        IResult result = answer.FilePath is { } file
            ? Results.File(file, answer.ContentType, lastModified: answer.LastModified, entityTag: etag, enableRangeProcessing: true)
            : Results.Bytes(answer.Body, answer.ContentType, lastModified: answer.LastModified, entityTag: etag, enableRangeProcessing: true);
        return result.ExecuteAsync(context);
    }

    /// <summary>
    /// RFC 9110 has a server ignore a Range header it does not understand — another unit, or a
    /// malformed byte range — and send the whole content; ASP.NET Core would read <c>items=0-5</c> as
    /// bytes. A valid one goes on in its plainest form (ASP.NET Core ignores <c>bytes=0-5,</c>).
    /// </summary>
    private static void IgnoreRangesOtherThanBytes(HttpRequest request)
    {
        var range = request.Headers.Range;
        if (range.Count == 0)
        {
            return;
        }

        if (range.Count == 1 && ByteRanges.Normalize(range[0]!) is { } bytes)
        {
            request.Headers.Range = bytes;
        }
        else
        {
            request.Headers.Remove(HeaderNames.Range);
        }
    }
}
