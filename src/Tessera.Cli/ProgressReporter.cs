using System.Collections.Concurrent;
using System.Diagnostics;
using System.Globalization;
using Spectre.Console;
using Spectre.Console.Rendering;
using Tessera.Pyramid;

namespace Tessera.Cli;

/// <summary>
/// Shows how a build or a registration is going on standard error: a progress bar per stage with
/// its rate and time left on a terminal, a plain line every few seconds otherwise (logs, CI,
/// schedulers), for the stage under way. A stage is under way from when its total is known until
/// the next one starts.
/// </summary>
internal sealed class ProgressReporter : IDisposable
{
    private static readonly TimeSpan PlainInterval = TimeSpan.FromSeconds(5);

    private readonly ProgressStage[] _stages;
    private readonly TimeSpan _interval;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _loop;
    private readonly Stopwatch _clock = Stopwatch.StartNew();

    private ProgressReporter(ProgressStage[] stages, TimeSpan interval)
    {
        _stages = stages;
        _interval = interval;
        _loop = Console.IsErrorRedirected ? Task.Run(PlainLoop) : Task.Run(BarLoop);
    }

    public static ProgressReporter Start(BuildProgress progress) => Start(
        ProgressStage.Of("registration", "pairs", progress.Registration),
        ProgressStage.Of("gains", "tiles", progress.Gains),
        new ProgressStage("tiles", "tiles", () => progress.TilesWritten, () => progress.TilesTotal));

    public static ProgressReporter Start(params ProgressStage[] stages) => new(stages, PlainIntervalFromEnvironment());

    /// <summary>
    /// TESSERA_PROGRESS_SECONDS shortens (or lengthens) the plain lines' interval: tests of a small
    /// grid see them, and a scheduler's log can have fewer.
    /// </summary>
    private static TimeSpan PlainIntervalFromEnvironment() =>
        double.TryParse(Environment.GetEnvironmentVariable("TESSERA_PROGRESS_SECONDS"), NumberStyles.Float, CultureInfo.InvariantCulture, out double s)
            && s > 0 && s <= 3600
            ? TimeSpan.FromSeconds(s)
            : PlainInterval;

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

    /// <summary>
    /// Looks at the stages every 200 ms, so that each one's rate counts from when it started, and
    /// prints a line for the one under way every interval.
    /// </summary>
    private async Task PlainLoop()
    {
        var started = new TimeSpan?[_stages.Length];
        TimeSpan printed = TimeSpan.Zero;
        try
        {
            while (!_stop.IsCancellationRequested)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(200, _interval.TotalMilliseconds)), _stop.Token);
                TimeSpan now = _clock.Elapsed;
                int current = -1;
                for (int i = 0; i < _stages.Length; i++)
                {
                    if (_stages[i].Total() > 0)
                    {
                        started[i] ??= now;
                        current = i;
                    }
                }

                if (current >= 0 && now - printed >= _interval)
                {
                    printed = now;
                    Console.Error.WriteLine(PlainLine(_stages[current], now - started[current]!.Value));
                }
            }
        }
        catch (OperationCanceledException)
        {
            // Stopped: the summary follows.
        }
    }

    private static string PlainLine(ProgressStage stage, TimeSpan elapsed)
    {
        long total = stage.Total(), done = stage.Done();
        double rate = done / Math.Max(elapsed.TotalSeconds, 1e-3);
        string left = rate > 0 ? FormatDuration(TimeSpan.FromSeconds((total - done) / rate)) : "?";
        string name = stage.Name == stage.Unit ? "" : stage.Name + ": ";
        return string.Create(CultureInfo.InvariantCulture,
            $"tessera: {name}{done:N0}/{total:N0} {stage.Unit} ({100.0 * done / total:F0}%), {rate:N0} {stage.Unit}/s, {left} left");
    }

    private async Task BarLoop()
    {
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        var units = new ConcurrentDictionary<int, string>();
        await console.Progress()
            .AutoClear(false)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new RateColumn(units), new RemainingTimeColumn(), new SpinnerColumn())
            .StartAsync(async context =>
            {
                var tasks = new ProgressTask?[_stages.Length];
                while (true)
                {
                    for (int i = 0; i < _stages.Length; i++)
                    {
                        long total = _stages[i].Total();
                        if (total > 0)
                        {
                            if (tasks[i] is null)
                            {
                                tasks[i] = context.AddTask(_stages[i].Name, autoStart: true, maxValue: total);
                                units[tasks[i]!.Id] = _stages[i].Unit;
                            }

                            tasks[i]!.MaxValue = total;
                            tasks[i]!.Value = _stages[i].Done();
                        }
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

    /// <summary>Units per second, from the task's own speed estimate.</summary>
    private sealed class RateColumn(ConcurrentDictionary<int, string> units) : ProgressColumn
    {
        public override IRenderable Render(RenderOptions options, ProgressTask task, TimeSpan deltaTime)
        {
            double? speed = task.Speed;
            string unit = units.GetValueOrDefault(task.Id, "tiles");
            return new Text(speed is null ? "-" : string.Create(CultureInfo.InvariantCulture, $"{speed:N0} {unit}/s"));
        }
    }
}
