using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using Tessera.Pyramid;

namespace Tessera.Cli;

/// <summary>
/// Shows how a build is going on standard error: a progress bar with tiles/s and time left on a
/// terminal, a plain line every few seconds otherwise (logs, CI, schedulers).
/// </summary>
internal sealed class ProgressReporter : IDisposable
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    private readonly BuildProgress _progress;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private ProgressReporter(BuildProgress progress)
    {
        _progress = progress;
        _loop = Console.IsErrorRedirected ? Task.Run(PlainLoop) : Task.Run(BarLoop);
    }

    public static ProgressReporter Start(BuildProgress progress) => new(progress);

    /// <summary>Stops reporting and waits until the last update is drawn.</summary>
    public void Stop()
    {
        if (!_stop.IsCancellationRequested)
        {
            _stop.Cancel();
            _loop.Wait();
        }
    }

    public void Dispose()
    {
        Stop();
        _stop.Dispose();
    }

    private async Task PlainLoop()
    {
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(PlainInterval, _stop.Token);
                long total = _progress.TilesTotal, done = _progress.TilesWritten;
                if (total == 0)
                {
                    continue;
                }

                double rate = done / Math.Max(_clock.Elapsed.TotalSeconds, 1e-3);
                string left = rate > 0 ? FormatDuration(TimeSpan.FromSeconds((total - done) / rate)) : "?";
                Console.Error.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"tessera: {done:N0}/{total:N0} tiles ({100.0 * done / total:F0}%), {rate:N0} tiles/s, {left} left"));
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped: the summary follows.
        }
    }

    private async Task BarLoop()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new TileRateColumn(), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                ProgressTask task = context.AddTask("tiles", autoStart: true, maxValue: 1);
                while (true)
                {
                    long total = _progress.TilesTotal;
                    if (total > 0)
                    {
                        task.MaxValue = total;
                        task.Value = _progress.TilesWritten;
                    }

                    if (_stop.IsCancellationRequested)
                    {
                        break;
                    }

                    try
                    {
                        await Task.Delay(200, _stop.Token);
                    }
                    catch (OperationCanceledException)
                    {
                        // One last update above, then done.
                    }
                }
            });
    }

    private static string FormatDuration(TimeSpan t) => t.TotalHours >= 1
        ? string.Create(CultureInfo.InvariantCulture, $"{(int)t.TotalHours}h{t.Minutes:D2}m")
        : string.Create(CultureInfo.InvariantCulture, $"{t.Minutes}m{t.Seconds:D2}s");

    /// <summary>Tiles per second, from the task's own speed estimate.</summary>
    private sealed class TileRateColumn : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            double? speed = task.Speed;
            return new Text(speed is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{speed:N0} tiles/s"));
        }
    }
}
